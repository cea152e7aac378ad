"""The finance service application: `create_app()` (also `uvicorn --factory
sop_finance.app:create_app`), the composition root. It builds the kernel's parts, the context
factory that binds each request to the adapter its cluster names, the routers and the
provisioning hook."""

from __future__ import annotations

from dataclasses import replace

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from sop_finance.accounts import events as accounts_events
from sop_finance.accounts.router import router as accounts_router
from sop_finance.accounts.service import ensure_default_chart
from sop_finance.adapters.registry import backend_for
from sop_finance.budgets.router import router as budgets_router
from sop_finance.context import (
    FINANCE_APPROVE,
    FINANCE_READ,
    FINANCE_WRITE,
    FinanceContext,
)
from sop_finance.journals.router import router as journals_router
from sop_finance.payables.router import router as payables_router
from sop_finance.payment_batches import events as payment_batch_events
from sop_finance.payment_batches.router import router as payment_batches_router
from sop_finance.periods.router import router as periods_router
from sop_finance.periods.service import ensure_current_years
from sop_finance.reports.router import router as reports_router
from sop_finance.settings import FinanceSettings
from sop_shared.access import register_contexts
from sop_shared.app import create_service_app
from sop_shared.audit import SessionAuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.context import Principal
from sop_shared.db import Database
from sop_shared.events import Event, SessionOutbox, Subscription
from sop_shared.events.catalogue import catalogue
from sop_shared.platform_config import PlatformConfigSource
from sop_shared.resilience import BackendConnections

DESCRIPTION = """The general ledger a department closes its books on: chart of accounts, cost
centres, financial years and periods, journals (posted through one contract that payroll and
procurement use), balances and reports, budgets and commitments, supplier invoices and BACS
payment runs, and payment batches other systems (payroll's net pay) send to be paid by BACS.
Every posting needs an `Idempotency-Key`."""

TAGS = [
    {"name": "chart of accounts", "description": "Accounts, cost centres, analysis codes."},
    {"name": "periods", "description": "Financial years (April-March) and periods."},
    {"name": "journals", "description": "Drafts, approval, posting and reversal."},
    {"name": "reports", "description": "Read from balances maintained as journals post."},
    {"name": "budgets", "description": "Budgets, commitments, availability."},
    {"name": "payables", "description": "Suppliers, invoices, payment runs, BACS."},
    {
        "name": "payment batches",
        "description": "BACS payments another system (payroll's net pay) sends to be paid.",
    },
]

# Who provisioning acts as: the audit trail names it, and it may do what finance's scopes allow.
# Who acts when finance keeps in step with another service's events (audited as such).
EVENTS = Principal(
    subject="system:events",
    client_id="sop-finance",
    tenant=None,
    cluster=None,
    scopes=frozenset({FINANCE_WRITE}),
)

PROVISIONING = Principal(
    subject="system:provisioning",
    client_id="sop-finance",
    tenant=None,
    cluster=None,
    scopes=frozenset({FINANCE_READ, FINANCE_WRITE, FINANCE_APPROVE}),
)


def create_app(
    settings: FinanceSettings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    platform: PlatformConfigSource | None = None,
    backends: BackendConnections | None = None,
    nats_url: str | None = None,
) -> FastAPI:
    """The finance app; tests pass a database, a fixed clock, a platform config or the NATS
    server its event consumers read (default `SOP_NATS_URL`; none, no consumers)."""
    settings = settings or FinanceSettings()
    clock = clock or SYSTEM_CLOCK
    calendar = WorkingCalendar.load(settings.bank_holidays_file)
    platform = platform or PlatformConfigSource(settings.platform_config)
    backends = backends or BackendConnections()

    async def contexts(
        *, session: AsyncSession, principal: Principal, writing: bool
    ) -> FinanceContext:
        """The request's context on the system of record the caller's cluster binds finance to
        (503 `cluster-not-bound` when the platform config binds none: never a guess)."""
        binding = platform.binding(principal.cluster, settings.service)
        return FinanceContext(
            backend=backend_for(
                binding,
                session,
                backends,
                tenant=principal.tenant or "",
                cluster=principal.cluster,
                clock=clock,
            ),
            principal=principal,
            settings=settings,
            audit=SessionAuditTrail(session, principal),
            # The kernel's outbox (Kernel.outbox): rows in the request's transaction.
            events=SessionOutbox(session, principal, settings.service, clock=clock),
            clock=clock,
            calendar=calendar,
        )

    async def provision(session: AsyncSession, tenant: str, cluster: str) -> None:
        """A department onboards: the default chart of accounts and the current and next
        financial years, in the backend its cluster binds (idempotent)."""
        principal = replace(PROVISIONING, tenant=tenant, cluster=cluster)
        fin = await contexts(session=session, principal=principal, writing=True)
        await ensure_default_chart(fin)
        await ensure_current_years(fin)

    async def on_org_unit(session: AsyncSession, event: Event) -> None:
        """HR's org-unit events, acted on as finance itself for the event's tenant."""
        principal = replace(EVENTS, tenant=event.tenant, cluster=event.cluster)
        fin = await contexts(session=session, principal=principal, writing=True)
        await accounts_events.on_org_unit(fin, event)

    app = create_service_app(
        settings=settings,
        title="SOP finance",
        description=DESCRIPTION,
        routers=[
            accounts_router,
            periods_router,
            journals_router,
            reports_router,
            budgets_router,
            payables_router,
            payment_batches_router,
        ],
        area="finance",
        audit_scopes=("finance:read", None),
        provision=provision,
        openapi_tags=TAGS,
        database=database,
        clock=clock,
        calendar=calendar,
        platform=platform,
        backends=backends,
        consumers=[
            Subscription(accounts_events.CONSUMER, accounts_events.SUBJECTS, on_org_unit),
        ],
        nats_url=nats_url,
        events=catalogue(payment_batch_events.CATALOGUE),
    )
    register_contexts(app, contexts)
    return app
