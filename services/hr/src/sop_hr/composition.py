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
from sop_shared.audit import record_event
from sop_shared.context import Principal
from sop_shared.db import SessionDep
from sop_shared.platform_config import load_platform_config
from sop_shared.security import scopes

SENSITIVE_SCOPE = "hr:sensitive"


def records_for(
    settings: HRSettings, session: AsyncSession, cluster: str | None, shared: dict[str, Any]
) -> HRRecords:
    """The ports of the system of record `cluster` binds HR to (native when it names none)."""
    binding = load_platform_config(settings.platform_config).binding(cluster, "hr")
    factory = ADAPTERS.get(binding.adapter)
    if factory is None:
        raise BackendUnavailable(
            f"HR for cluster {cluster!r} is bound to the {binding.adapter!r} adapter, "
            "which this HR service does not provide",
            retry_after=30,
        )
    return factory(AdapterContext(binding=binding, session=session, shared=shared))


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
    return HRContext(
        principal=principal,
        records=records_for(state.settings, session, principal.cluster, state.adapter_shared),
        session=session,
        calendar=state.calendar,
        settings=state.settings,
    )


def hr_access(*required: str) -> Any:
    """Dependency: the HR context for a caller holding every scope in `required`."""
    return Security(_hr_context, scopes=list(required))


Reader = Annotated[HRContext, hr_access("hr:read")]
Writer = Annotated[HRContext, hr_access("hr:write")]
