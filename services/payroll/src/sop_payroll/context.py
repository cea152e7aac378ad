"""One request's view of payroll (`PayrollContext`) and the scope aliases routes declare.
Depends on ports and the kernel only; app.py supplies the factory that builds it."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import Request, Security
from sqlalchemy.ext.asyncio import AsyncSession

from sop_payroll.ports import PayrollBackend
from sop_payroll.settings import PayrollSettings
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.db import SessionDep
from sop_shared.security import scopes

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


class PayrollContextFactory(Protocol):
    async def __call__(
        self, *, session: AsyncSession, principal: Principal, writing: bool
    ) -> PayrollContext: ...


async def _payroll_context(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, scopes()],  # the scopes come from payroll_access(...)
) -> PayrollContext:
    build: PayrollContextFactory = request.app.state.contexts
    return await build(
        session=session, principal=principal, writing=request.method not in READ_METHODS
    )


def payroll_access(*required: str) -> Any:
    """Dependency: the payroll context for a caller holding every scope in `required`."""
    return Security(_payroll_context, scopes=list(required))


Reader = Annotated[PayrollContext, payroll_access("payroll:read")]
