"""One request's view of finance (`FinanceContext`: caller, the backend's ports, audit, clock,
calendar, settings) and the scope aliases every route declares (`Reader`, `Writer`,
`Approver`). Depends on ports and the kernel only: app.py, the composition root, supplies the
factory that builds it."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import Request, Security
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from sop_finance.ports import FinanceBackend
from sop_finance.settings import FinanceSettings
from sop_shared.audit import record_event
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.db import SessionDep
from sop_shared.security import scopes

FINANCE_READ, FINANCE_WRITE, FINANCE_APPROVE = "finance:read", "finance:write", "finance:approve"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def snapshot(obj: object) -> dict[str, Any]:
    """A finance record as JSON-safe data (money as strings), for audit events."""
    data: dict[str, Any] = to_jsonable_python(obj)
    return data


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


@dataclass(frozen=True, slots=True)
class FinanceContext:
    """Everything a service function needs for one request of one tenant."""

    backend: FinanceBackend
    principal: Principal
    settings: FinanceSettings
    audit: AuditTrail
    # Business dates (periods, the current year, report defaults, BACS dates) are the UK's
    # `clock.today()`, never the UTC date; instants (approved_at, posted_at) are `clock.now()`.
    clock: Clock
    calendar: WorkingCalendar  # working days: BACS processing skips bank holidays

    @property
    def tenant(self) -> str:
        return self.principal.tenant or ""

    @property
    def actor(self) -> str:
        """Who is acting (the token's `sub`): preparer, approver, poster."""
        return self.principal.subject

    def holds(self, scope: str) -> bool:
        return scope in self.principal.scopes


class FinanceContextFactory(Protocol):
    """Builds a request's context (app.py provides it: it knows the adapters)."""

    async def __call__(
        self, *, session: AsyncSession, principal: Principal, writing: bool
    ) -> FinanceContext: ...


async def _finance_context(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, scopes()],  # the scopes come from finance_access(...)
) -> FinanceContext:
    build: FinanceContextFactory = request.app.state.contexts
    return await build(
        session=session, principal=principal, writing=request.method not in READ_METHODS
    )


def finance_access(*required: str) -> Any:
    """Dependency: the finance context for a tenant caller holding every scope in `required`."""
    return Security(_finance_context, scopes=list(required))


Reader = Annotated[FinanceContext, finance_access(FINANCE_READ)]
Writer = Annotated[FinanceContext, finance_access(FINANCE_WRITE)]
Approver = Annotated[FinanceContext, finance_access(FINANCE_APPROVE)]
