"""One request's view of finance (`FinanceContext`: caller, the backend's ports, audit, clock,
calendar, settings) and the scope aliases every route declares (`Reader`, `Writer`,
`Approver`). Depends on ports and the kernel only: app.py, the composition root, supplies the
factory that builds it."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import Request, Security
from sqlalchemy.ext.asyncio import AsyncSession

from sop_finance.ports import FinanceBackend
from sop_finance.settings import FinanceSettings
from sop_shared.audit import AuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.db import SessionDep
from sop_shared.security import scopes

FINANCE_READ, FINANCE_WRITE, FINANCE_APPROVE = "finance:read", "finance:write", "finance:approve"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
