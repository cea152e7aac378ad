"""One request's view of HR (`HRContext`: caller, the backend's ports, audit trail, clock, calendar,
settings) and the scope aliases every route declares (`Reader`, `Writer`). Depends on ports and
the kernel only: app.py, the composition root, supplies the factory that builds it."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from sop_hr.ports import HRBackend
from sop_hr.settings import HRSettings
from sop_shared.access import access
from sop_shared.audit import AuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.events import EventOutbox

SENSITIVE_SCOPE = "hr:sensitive"


@dataclass(frozen=True, slots=True)
class HRContext:
    """One request's view of HR: who is asking, for which tenant, through which records."""

    principal: Principal
    backend: HRBackend
    audit: AuditTrail  # in HR's own database, in the request's transaction
    events: EventOutbox  # what happened, for other services: the outbox, same transaction
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


Reader = Annotated[HRContext, access("hr:read")]
Writer = Annotated[HRContext, access("hr:write")]
