"""Composition root: the adapter for the caller's cluster, and the per-request `Finance` context."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from sop_finance.adapters.native import native_backend
from sop_finance.canonical import snapshot
from sop_finance.errors import AdapterUnavailable
from sop_finance.ports import FinanceBackend
from sop_finance.settings import FinanceSettings
from sop_shared.audit import record_event
from sop_shared.context import Principal
from sop_shared.db import SessionDep
from sop_shared.errors import Forbidden
from sop_shared.platform_config import load_platform_config
from sop_shared.security import authenticate

BackendFactory = Callable[[AsyncSession, str], FinanceBackend]

# One entry per technology; the Oracle-like and SAP-like adapters register here when they land.
ADAPTERS: dict[str, BackendFactory] = {"native": native_backend}

FINANCE_READ, FINANCE_WRITE, FINANCE_APPROVE = "finance:read", "finance:write", "finance:approve"


class AuditTrail:
    """Audit events written in the request's transaction, so they commit with the change."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self._session = session
        self._principal = principal

    async def record(
        self,
        action: str,
        resource_type: str,
        resource_id: uuid.UUID | str,
        *,
        before: Any = None,
        after: Any = None,
    ) -> None:
        await record_event(
            self._session,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            before=snapshot(before) if before is not None else None,
            after=snapshot(after) if after is not None else None,
            principal=self._principal,
        )


@dataclass
class Finance:
    """Everything a service function needs for one request of one tenant."""

    backend: FinanceBackend
    principal: Principal
    settings: FinanceSettings
    audit: AuditTrail

    @property
    def actor(self) -> str:
        """Who is acting (the token's `sub`): preparer, approver, poster."""
        return self.principal.subject

    def holds(self, scope: str) -> bool:
        return scope in self.principal.scopes


def backend_for(
    session: AsyncSession, principal: Principal, settings: FinanceSettings
) -> FinanceBackend:
    binding = load_platform_config(settings.platform_config).binding(
        principal.cluster, settings.service
    )
    factory = ADAPTERS.get(binding.adapter)
    if factory is None:
        raise AdapterUnavailable(
            f"cluster {principal.cluster!r} is bound to the {binding.adapter!r} finance adapter, "
            "which this release does not provide",
            retry_after=60,
        )
    return factory(session, principal.tenant or "")


def finance_context(
    session: AsyncSession, principal: Principal, settings: FinanceSettings
) -> Finance:
    if not principal.tenant:
        raise Forbidden("finance acts on a tenant's ledger; the token names no tenant")
    return Finance(
        backend=backend_for(session, principal, settings),
        principal=principal,
        settings=settings,
        audit=AuditTrail(session, principal),
    )


async def get_finance(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(authenticate)],
) -> Finance:
    return finance_context(session, principal, request.app.state.settings)


FinanceDep = Annotated[Finance, Depends(get_finance)]
