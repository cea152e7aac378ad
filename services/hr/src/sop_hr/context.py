"""One request's view of HR (`HRContext`: caller, the backend's ports, audit trail, clock, calendar,
settings) and the scope aliases every route declares (`Reader`, `Writer`). Depends on ports and
the kernel only: app.py, the composition root, supplies the factory that builds it."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Protocol

from fastapi import Request, Security
from sqlalchemy.ext.asyncio import AsyncSession

from sop_hr.ports import HRBackend
from sop_hr.settings import HRSettings
from sop_shared.audit import AuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.db import SessionDep
from sop_shared.security import scopes

SENSITIVE_SCOPE = "hr:sensitive"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class HRContext:
    """One request's view of HR: who is asking, for which tenant, through which records."""

    principal: Principal
    backend: HRBackend
    audit: AuditTrail  # in HR's own database, in the request's transaction
    clock: Clock
    calendar: WorkingCalendar
    settings: HRSettings

    @property
    def tenant(self) -> str:
        return self.principal.tenant or ""

    @property
    def sees_sensitive(self) -> bool:
        return self.principal.has(SENSITIVE_SCOPE)

    def today(self) -> date:
        """Today in the UK: HR dates (start, leaving, absence) are civil dates in London."""
        return self.clock.today()


class HRContextFactory(Protocol):
    """Builds a request's context (app.py provides it: it knows the adapters)."""

    async def __call__(
        self, *, session: AsyncSession, principal: Principal, writing: bool
    ) -> HRContext: ...


async def _hr_context(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, scopes()],  # the scopes come from hr_access(...)
) -> HRContext:
    build: HRContextFactory = request.app.state.contexts
    return await build(
        session=session, principal=principal, writing=request.method not in READ_METHODS
    )


def hr_access(*required: str) -> Any:
    """Dependency: the HR context for a caller holding every scope in `required`."""
    return Security(_hr_context, scopes=list(required))


Reader = Annotated[HRContext, hr_access("hr:read")]
Writer = Annotated[HRContext, hr_access("hr:write")]
