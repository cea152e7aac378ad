"""The kernel's contract with a service: `Kernel`, the typed set of process-wide parts every
middleware and dependency works with, built once by `create_service_app` and handed to each
at construction (the middleware) or through `kernel_of(request)` (dependencies)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.db import Database
from sop_shared.events.outbox import SessionOutbox
from sop_shared.idempotency import IdempotencyStore
from sop_shared.observability import Metrics
from sop_shared.platform_config import PlatformConfigSource
from sop_shared.resilience import BackendConnections
from sop_shared.settings import ServiceSettings


class TokenVerifier(Protocol):
    """Turns a bearer token into the caller (a 401/403 `Problem` when it cannot)."""

    async def verify(self, token: str) -> Principal: ...


@dataclass(frozen=True, slots=True)
class Kernel:
    """Everything a service process shares across requests."""

    settings: ServiceSettings
    database: Database
    idempotency: IdempotencyStore
    verifier: TokenVerifier
    clock: Clock
    calendar: WorkingCalendar
    metrics: Metrics
    platform: PlatformConfigSource  # each cluster's adapter binding per service
    backends: BackendConnections  # pooled clients and breakers of the vendor suites
    nats_url: str | None = None  # events' NATS (SOP_NATS_URL); None: no consumers run

    def outbox(self, session: AsyncSession, principal: Principal) -> SessionOutbox:
        """The request's `EventOutbox` (a context's `events`): rows in its transaction, stamped
        with this service's name and the kernel clock."""
        return SessionOutbox(session, principal, self.settings.service, clock=self.clock)


def kernel_of(request: Request) -> Kernel:
    """The kernel of the app serving `request`."""
    kernel: Kernel = request.app.state.kernel
    return kernel


KernelDep = Annotated[Kernel, Depends(kernel_of)]
