"""One request's view of finance (`FinanceContext`: caller, the backend's ports, audit, events,
clock, calendar, settings) and the scope aliases every route declares (`Reader`, `Writer`,
`Approver`). Depends on ports and the kernel only: app.py, the composition root, supplies the
factory that builds it."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

from dataclasses import dataclass
from typing import Annotated

from sop_finance.ports import FinanceBackend
from sop_finance.settings import FinanceSettings
from sop_shared.access import access
from sop_shared.audit import AuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.events import EventOutbox

FINANCE_READ, FINANCE_WRITE, FINANCE_APPROVE = "finance:read", "finance:write", "finance:approve"


@dataclass(frozen=True, slots=True)
class FinanceContext:
    """Everything a service function needs for one request of one tenant."""

    backend: FinanceBackend
    principal: Principal
    settings: FinanceSettings
    audit: AuditTrail
    events: EventOutbox  # what happened, for other services: the outbox, same transaction
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


Reader = Annotated[FinanceContext, access(FINANCE_READ)]
Writer = Annotated[FinanceContext, access(FINANCE_WRITE)]
Approver = Annotated[FinanceContext, access(FINANCE_APPROVE)]
