"""The procurement service application: `create_app()` (also `uvicorn --factory
sop_procurement.app:create_app`), the composition root. It builds the kernel's parts, the
context factory that binds each request to the adapter its cluster names and to finance
(through the gateway, acting for the caller), the routers and the provisioning hook."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from sop_procurement.adapters.finance import FinanceGateway
from sop_procurement.adapters.registry import backend_for
from sop_procurement.context import (
    PROCUREMENT_APPROVE,
    PROCUREMENT_READ,
    PROCUREMENT_WRITE,
    ProcurementContext,
)
from sop_procurement.contracts import events as contract_events
from sop_procurement.contracts.router import router as contracts_router
from sop_procurement.controls.router import router as controls_router
from sop_procurement.orders import events as order_events
from sop_procurement.orders.router import router as orders_router
from sop_procurement.ports import FinanceLedger
from sop_procurement.receipts import events as receipt_events
from sop_procurement.receipts.router import router as receipts_router
from sop_procurement.reports.router import router as reports_router
from sop_procurement.requisitions import events as requisition_events
from sop_procurement.requisitions.router import router as requisitions_router
from sop_procurement.settings import ProcurementSettings
from sop_procurement.suppliers import events as supplier_events
from sop_procurement.suppliers.router import router as suppliers_router
from sop_shared.access import register_contexts
from sop_shared.app import create_service_app
from sop_shared.audit import SessionAuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.context import Principal
from sop_shared.db import Database
from sop_shared.events.catalogue import catalogue
from sop_shared.platform_config import PlatformConfigSource
from sop_shared.resilience import BackendConnections
from sop_shared.security import bearer_token

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"

DESCRIPTION = """Buying for a department: the supplier master (bank details change only with a
second person and after a hold), requisitions checked against finance's budgets, approval by
delegated financial authority, and purchase orders whose lines finance holds as commitments."""

TAGS = [
    {"name": "suppliers", "description": "The supplier master and bank detail changes."},
    {"name": "requisitions", "description": "Requests to buy, budget checks, approval."},
    {"name": "controls", "description": "Policy and delegated financial authority."},
    {"name": "purchase orders", "description": "Orders, commitments, amendments, cancellation."},
    {"name": "receipts", "description": "Goods and services received against orders, returns."},
    {"name": "contracts", "description": "The contracts register: procedure, threshold, orders."},
    {"name": "reports", "description": "Transparency: spend over £25,000, prompt payment."},
]

# Who provisioning acts as: the audit trail names it.
PROVISIONING = Principal(
    subject="system:provisioning",
    client_id="sop-procurement",
    tenant=None,
    cluster=None,
    scopes=frozenset({PROCUREMENT_READ, PROCUREMENT_WRITE, PROCUREMENT_APPROVE}),
)

# The internal token of the request being served: what the finance ledger exchanges to act
# for the caller at finance (ADR 0108). Set per request by `CaptureBearer`.
_bearer: ContextVar[str | None] = ContextVar("sop_procurement_bearer", default=None)


class CaptureBearer:
    """Keeps the request's bearer token where the context factory finds it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None
        )
        reset = _bearer.set(bearer_token(header))
        try:
            await self.app(scope, receive, send)
        finally:
            _bearer.reset(reset)


LedgerFactory = Callable[[str | None], FinanceLedger]


def create_app(
    settings: ProcurementSettings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    platform: PlatformConfigSource | None = None,
    backends: BackendConnections | None = None,
    nats_url: str | None = None,
    ledger: LedgerFactory | None = None,
) -> FastAPI:
    """The procurement app; tests pass a database, a fixed clock, a platform config, or the
    finance ledger (given the request's bearer token; default: finance through the gateway)."""
    settings = settings or ProcurementSettings()
    clock = clock or SYSTEM_CLOCK
    calendar = WorkingCalendar.load(settings.bank_holidays_file)
    platform = platform or PlatformConfigSource(settings.platform_config)
    backends = backends or BackendConnections()
    finance = FinanceGateway(settings)
    ledger_for: LedgerFactory = ledger or finance.ledger_for

    async def contexts(
        *, session: AsyncSession, principal: Principal, writing: bool
    ) -> ProcurementContext:
        """The request's context on the system of record the caller's cluster binds
        procurement to (503 `cluster-not-bound` when the platform config binds none)."""
        binding = platform.binding(principal.cluster, settings.service)
        return ProcurementContext(
            backend=backend_for(
                binding,
                session,
                backends,
                tenant=principal.tenant or "",
                cluster=principal.cluster,
                clock=clock,
            ),
            ledger=ledger_for(_bearer.get()),
            principal=principal,
            settings=settings,
            audit=SessionAuditTrail(session, principal),
            events=app.state.kernel.outbox(session, principal),
            clock=clock,
            calendar=calendar,
        )

    async def provision(session: AsyncSession, tenant: str, cluster: str) -> None:
        """A department onboards: its policy starts at the defaults (idempotent)."""
        principal = replace(PROVISIONING, tenant=tenant, cluster=cluster)
        ctx = await contexts(session=session, principal=principal, writing=True)
        await ctx.backend.controls.ensure_policy()

    async def close_finance(_: FastAPI) -> None:
        await finance.aclose()

    app = create_service_app(
        settings=settings,
        title="SOP procurement",
        description=DESCRIPTION,
        routers=[
            suppliers_router,
            requisitions_router,
            controls_router,
            orders_router,
            receipts_router,
            contracts_router,
            reports_router,
        ],
        area="procurement",
        audit_scopes=(PROCUREMENT_READ, None),
        provision=provision,
        on_shutdown=[close_finance],
        openapi_tags=TAGS,
        database=database,
        clock=clock,
        calendar=calendar,
        platform=platform,
        backends=backends,
        nats_url=nats_url,
        events=[
            *catalogue(supplier_events.CATALOGUE),
            *catalogue(requisition_events.CATALOGUE),
            *catalogue(order_events.CATALOGUE),
            *catalogue(receipt_events.CATALOGUE),
            *catalogue(contract_events.CATALOGUE),
        ],
    )
    register_contexts(app, contexts)
    app.add_middleware(CaptureBearer)
    return app
