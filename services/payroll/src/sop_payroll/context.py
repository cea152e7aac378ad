"""One request's view of payroll (`PayrollContext`) and the scope aliases routes declare.
Depends on ports and the kernel only; app.py (and the pay-run worker) supply the factory that
builds it."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

from dataclasses import dataclass
from typing import Annotated

from sop_payroll.pay_runs.ports import FinanceLedger, HrDirectory, WorkQueue
from sop_payroll.ports import PayrollBackend
from sop_payroll.settings import PayrollSettings
from sop_shared.access import access
from sop_shared.audit import AuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.events import EventOutbox

PAYROLL_READ, PAYROLL_RUN, PAYROLL_APPROVE = "payroll:read", "payroll:run", "payroll:approve"
PAYROLL_SELF = "payroll:self"  # a person's own payslips, and nothing else


@dataclass(frozen=True, slots=True)
class PayrollContext:
    principal: Principal
    backend: PayrollBackend
    clock: Clock  # pay dates and tax periods are UK dates
    calendar: WorkingCalendar
    settings: PayrollSettings
    audit: AuditTrail
    events: EventOutbox
    work: WorkQueue  # the pay-run work queue (NATS JetStream)
    hr: HrDirectory  # HR's API through the gateway, with a token for the tenant
    finance: FinanceLedger  # finance's API likewise

    @property
    def tenant(self) -> str:
        return self.principal.tenant or ""


Reader = Annotated[PayrollContext, access(PAYROLL_READ)]
Runner = Annotated[PayrollContext, access(PAYROLL_RUN)]
Approver = Annotated[PayrollContext, access(PAYROLL_APPROVE)]
SelfService = Annotated[PayrollContext, access(PAYROLL_SELF)]
