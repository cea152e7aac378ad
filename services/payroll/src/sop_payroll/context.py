"""One request's view of payroll (`PayrollContext`) and the scope aliases routes declare.
Depends on ports and the kernel only; app.py supplies the factory that builds it."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

from dataclasses import dataclass
from typing import Annotated

from sop_payroll.ports import PayrollBackend
from sop_payroll.settings import PayrollSettings
from sop_shared.access import access
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal


@dataclass(frozen=True, slots=True)
class PayrollContext:
    principal: Principal
    backend: PayrollBackend
    clock: Clock  # pay dates and tax periods are UK dates
    calendar: WorkingCalendar
    settings: PayrollSettings

    @property
    def tenant(self) -> str:
        return self.principal.tenant or ""


Reader = Annotated[PayrollContext, access("payroll:read")]
