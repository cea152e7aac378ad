"""The composition root: per request, the adapter the caller's cluster binds HR to, and the
context every HR service function works in (caller, records, audit, calendar, settings)."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Request, Security
from sqlalchemy.ext.asyncio import AsyncSession

from sop_hr.adapters.registry import ADAPTERS, AdapterContext
from sop_hr.calendar.calendar import WorkingCalendar, uk_today
from sop_hr.records import BackendUnavailable, HRRecords
from sop_hr.settings import HRSettings
from sop_hr.switch.bindings import BindingDirectory
from sop_shared.audit import record_event
from sop_shared.context import Principal
from sop_shared.db import SessionDep
from sop_shared.platform_config import AdapterBinding
from sop_shared.security import scopes

SENSITIVE_SCOPE = "hr:sensitive"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def records_with(
    binding: AdapterBinding, session: AsyncSession, cluster: str | None, shared: dict[str, Any]
) -> HRRecords:
    """The ports of the system of record `binding` names."""
    factory = ADAPTERS.get(binding.adapter)
    if factory is None:
        raise BackendUnavailable(
            f"HR for cluster {cluster!r} is bound to the {binding.adapter!r} adapter, "
            "which this HR service does not provide",
            retry_after=30,
        )
    return factory(AdapterContext(binding=binding, session=session, shared=shared))


async def records_for(
    directory: BindingDirectory,
    session: AsyncSession,
    cluster: str | None,
    shared: dict[str, Any],
    *,
    writing: bool,
) -> HRRecords:
    """The ports of the system of record `cluster` binds HR to: HR's own binding override
    first (the supplier switch's), else the platform config (native when it names none). A
    request that writes waits for, or is refused by, a switch in progress (503)."""
    if writing:
        binding = await directory.for_write(session, cluster)
    else:
        binding = await directory.for_read(session, cluster)
    return records_with(binding, session, cluster, shared)


@dataclass(frozen=True, slots=True)
class HRContext:
    """One request's view of HR: who is asking, for which tenant, through which records."""

    principal: Principal
    records: HRRecords
    session: AsyncSession  # HR's own database: audit events (and idempotency) live here
    calendar: WorkingCalendar
    settings: HRSettings

    @property
    def tenant(self) -> str:
        return self.principal.tenant or ""

    @property
    def sees_sensitive(self) -> bool:
        return self.principal.has(SENSITIVE_SCOPE)

    def today(self) -> date:
        return uk_today()

    async def audit(
        self,
        action: str,
        resource_type: str,
        resource_id: uuid.UUID,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        sensitive: Sequence[str] = (),
    ) -> None:
        await record_event(
            self.session,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            before=before,
            after=after,
            sensitive=list(sensitive),
            principal=self.principal,
        )


async def _hr_context(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, scopes()],  # the scopes come from hr_access(...)
) -> HRContext:
    state = request.app.state
    records = await records_for(
        state.bindings,
        session,
        principal.cluster,
        state.adapter_shared,
        writing=request.method not in READ_METHODS,
    )
    return HRContext(
        principal=principal,
        records=records,
        session=session,
        calendar=state.calendar,
        settings=state.settings,
    )


def hr_access(*required: str) -> Any:
    """Dependency: the HR context for a caller holding every scope in `required`."""
    return Security(_hr_context, scopes=list(required))


Reader = Annotated[HRContext, hr_access("hr:read")]
Writer = Annotated[HRContext, hr_access("hr:write")]
