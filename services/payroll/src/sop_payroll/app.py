"""The payroll service application: `create_app()` (also `uvicorn --factory
sop_payroll.app:create_app`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from sop_payroll.adapters.platform import GatewayFinance, GatewayHr
from sop_payroll.adapters.registry import backend_for
from sop_payroll.adapters.work_queue import JetStreamWorkQueue
from sop_payroll.adjustments.router import router as adjustments_router
from sop_payroll.calculations.router import router as calculations_router
from sop_payroll.context import PayrollContext
from sop_payroll.employees.router import router as employees_router
from sop_payroll.http import with_null_examples
from sop_payroll.pay_groups.router import router as pay_groups_router
from sop_payroll.pay_runs.ports import FinanceLedger, HrDirectory, WorkQueue
from sop_payroll.pay_runs.router import router as pay_runs_router
from sop_payroll.pay_runs.schemas import EVENTS as PAY_RUN_EVENTS
from sop_payroll.settings import PayrollSettings
from sop_payroll.tax_years.router import router as tax_years_router
from sop_shared.access import register_contexts
from sop_shared.app import create_service_app
from sop_shared.audit import SessionAuditTrail
from sop_shared.clock import Clock
from sop_shared.context import Principal
from sop_shared.db import Database
from sop_shared.events.catalogue import catalogue
from sop_shared.events.jetstream import nats_url_from_env
from sop_shared.kernel import Kernel
from sop_shared.platform_client import PlatformClient
from sop_shared.platform_config import PlatformConfigSource

# services/payroll/alembic.ini, for `sop migrate` and the tests (present in a source checkout).
ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"

DESCRIPTION = """\
UK payroll for every department: PAYE income tax (rest of UK, Scotland, Wales), Class 1
National Insurance (every category letter, directors), student and postgraduate loans,
workplace pensions and whole payslips, gross to net, each figure explained step by step.

The calculator changes nothing: send the figures, get the answer. It needs `payroll:read`.

**Pay runs** pay a pay group's period from HR's records: `POST /pay-runs` answers 202 and the
run's URL; workers calculate it page by page; it is reviewed (exceptions fixed in HR and
recalculated, or employees held back), approved by a second person (`payroll:approve`) and
finalised into payslips, year-to-date figures, net pay handed to finance's BACS and the payroll
journal in finance (docs/payroll.md, "Pay runs").
Amounts are decimal strings with two places (`"1234.50"`), never JSON numbers. Results match
HMRC's published test data for 2025-26; see `GET /payroll/v1/tax-years` for the years and
rates on offer.
"""

TAGS = [
    {"name": "calculations", "description": "Income tax, National Insurance and payslips."},
    {"name": "tax years", "description": "The tax years on offer and their rates."},
    {"name": "pay groups", "description": "Who is paid together, how often and on which day."},
    {"name": "pay runs", "description": "Pay runs, their employees, and payslips."},
    {"name": "employees", "description": "What HMRC needs that HR does not hold (RTI details)."},
    {"name": "audit", "description": "Who changed what, before and after."},
]


def create_app(
    settings: PayrollSettings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    platform: PlatformConfigSource | None = None,
    work: WorkQueue | None = None,
    hr: HrDirectory | None = None,
    finance: FinanceLedger | None = None,
) -> FastAPI:
    """The payroll app. Tests pass a database, clock and platform config, and may pass the
    pay-run work queue and HR and finance clients (by default: NATS JetStream at
    `SOP_NATS_URL`, and the other services through the gateway with exchanged tokens)."""
    settings = settings or PayrollSettings()
    platform = platform or PlatformConfigSource(settings.platform_config)
    closing: list[Callable[[], Awaitable[None]]] = []
    if work is None:
        queue = JetStreamWorkQueue(nats_url_from_env())
        work = queue
        closing.append(queue.close)
    if hr is None or finance is None:
        client = PlatformClient.from_settings(settings)
        hr = hr or GatewayHr(client)
        finance = finance or GatewayFinance(client)
        closing.append(client.aclose)

    async def close_clients(_app: FastAPI) -> None:
        for close in closing:
            await close()

    app = create_service_app(
        settings=settings,
        title="SOP payroll",
        description=DESCRIPTION,
        routers=[
            calculations_router,
            tax_years_router,
            pay_groups_router,
            pay_runs_router,
            adjustments_router,
            employees_router,
        ],
        area="payroll",
        audit_scopes=("payroll:read", None),
        openapi_tags=TAGS,
        database=database,
        clock=clock,
        platform=platform,
        on_shutdown=[close_clients],
        events=catalogue(PAY_RUN_EVENTS),
    )
    kernel: Kernel = app.state.kernel

    async def contexts(
        *, session: AsyncSession, principal: Principal, writing: bool
    ) -> PayrollContext:
        binding = platform.binding(principal.cluster, settings.service)
        return PayrollContext(
            principal=principal,
            backend=backend_for(
                binding, session, cluster=principal.cluster, tenant=principal.tenant or ""
            ),
            clock=kernel.clock,
            calendar=kernel.calendar,
            settings=settings,
            audit=SessionAuditTrail(session, principal),
            events=kernel.outbox(session, principal),
            work=work,
            hr=hr,
            finance=finance,
        )

    register_contexts(app, contexts)
    kernel_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_null_examples(kernel_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
