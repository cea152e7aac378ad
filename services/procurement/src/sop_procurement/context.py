"""One request's view of procurement (`ProcurementContext`: caller, the backend's ports, the
finance ledger it checks budgets and raises commitments in, audit, events, clock, calendar,
settings) and the scope aliases every route declares (`Reader`, `Writer`, `Approver`). Depends
on ports and the kernel only: app.py, the composition root, supplies the factory."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from sop_procurement.ports import FinanceLedger, ProcurementBackend
from sop_procurement.settings import ProcurementSettings
from sop_shared.access import access
from sop_shared.audit import AuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.events import EventOutbox

PROCUREMENT_READ = "procurement:read"
PROCUREMENT_WRITE = "procurement:write"
PROCUREMENT_APPROVE = "procurement:approve"


@dataclass(frozen=True, slots=True)
class ProcurementContext:
    """Everything a service function needs for one request of one tenant."""

    backend: ProcurementBackend
    ledger: FinanceLedger  # finance, through the gateway, acting for the caller
    principal: Principal
    settings: ProcurementSettings
    audit: AuditTrail
    events: EventOutbox  # what happened, for other services: the outbox, same transaction
    clock: Clock
    calendar: WorkingCalendar  # working days: the hold on a supplier's new bank details

    @property
    def tenant(self) -> str:
        return self.principal.tenant or ""

    @property
    def actor(self) -> str:
        """Who is acting (the token's `sub`): requester, approver, buyer."""
        return self.principal.subject

    def holds(self, scope: str) -> bool:
        return scope in self.principal.scopes

    def today(self) -> date:
        return self.clock.today()


Reader = Annotated[ProcurementContext, access(PROCUREMENT_READ)]
Writer = Annotated[ProcurementContext, access(PROCUREMENT_WRITE)]
Approver = Annotated[ProcurementContext, access(PROCUREMENT_APPROVE)]
