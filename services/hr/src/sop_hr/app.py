"""The HR service application: `create_app()` (also `uvicorn --factory sop_hr.app:create_app`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from sop_hr.absences.router import router as absences_router
from sop_hr.absences.service import ensure_leave_types
from sop_hr.adapters.registry import backend_for
from sop_hr.calendar.router import router as calendar_router
from sop_hr.context import HRContext
from sop_hr.employees import events as employee_events
from sop_hr.employees.router import router as employees_router
from sop_hr.imports.router import router as imports_router
from sop_hr.org_units import events as org_unit_events
from sop_hr.org_units.router import router as org_units_router
from sop_hr.ports import HRBackend
from sop_hr.positions.router import router as positions_router
from sop_hr.settings import HRSettings
from sop_hr.switch.binding_route import cluster_binding_router
from sop_hr.switch.bindings import BindingDirectory, ensure_cluster
from sop_hr.terms.router import router as terms_router
from sop_shared.access import register_contexts
from sop_shared.app import create_service_app
from sop_shared.audit import SessionAuditTrail
from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.context import Principal
from sop_shared.db import Database
from sop_shared.events.catalogue import catalogue
from sop_shared.kernel import Kernel
from sop_shared.platform_config import PlatformConfigSource
from sop_shared.resilience import BackendConnections

# services/hr/alembic.ini, for `sop migrate` and the tests (present in a source checkout).
ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"

DESCRIPTION = """\
Employees, effective-dated employment terms, org units, positions, absences and leave, leavers
and CSV import, the same for every department whichever HR system its cluster uses.

National Insurance numbers, dates of birth and bank details need `hr:sensitive`: without it
they are absent from responses and masked in audit events.
"""

TAGS = [
    {"name": "employees", "description": "Employee records, leavers and CSV import."},
    {"name": "employment terms", "description": "Effective-dated org unit, grade, FTE, pay."},
    {"name": "org units", "description": "The hierarchy of teams and their cost centres."},
    {"name": "positions", "description": "Budgeted posts and how much of them is filled."},
    {"name": "absences", "description": "Leave types, absence requests and decisions, balances."},
    {"name": "calendar", "description": "Bank holidays by region."},
    {"name": "audit", "description": "Who changed what, before and after."},
]


def create_app(
    settings: HRSettings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    platform: PlatformConfigSource | None = None,
    backends: BackendConnections | None = None,
) -> FastAPI:
    """The HR app; tests pass a database, a fixed clock, a platform config, or in-process
    transports to the vendor suites (`backends`)."""
    settings = settings or HRSettings()
    platform = platform or PlatformConfigSource(settings.platform_config)
    backends = backends or BackendConnections()
    clock = clock or SYSTEM_CLOCK
    bindings = BindingDirectory(platform, settings.binding_cache_seconds)

    async def backend_of(session: AsyncSession, cluster: str | None, *, writing: bool) -> HRBackend:
        """The ports of the system of record `cluster` binds HR to: HR's own binding override
        first (the supplier switch's), else the platform config (503 `cluster-not-bound` when
        it binds none). A request that writes waits for, or is refused by, a switch in
        progress (503)."""
        if writing:
            binding = await bindings.for_write(session, cluster)
        else:
            binding = await bindings.for_read(session, cluster)
        return backend_for(binding, session, backends, cluster=cluster, clock=clock)

    async def provision(session: AsyncSession, tenant: str, cluster: str) -> None:
        """A department onboards: give it HR's reference data (idempotently), in the backend
        its cluster binds (a cluster whose records are moving refuses it for the while)."""
        await ensure_cluster(session, cluster)
        backend = await backend_of(session, cluster, writing=True)
        await ensure_leave_types(backend, tenant, settings)

    app = create_service_app(
        settings=settings,
        title="SOP HR",
        description=DESCRIPTION,
        routers=[
            imports_router,
            employees_router,
            terms_router,
            org_units_router,
            positions_router,
            absences_router,
            calendar_router,
        ],
        area="hr",
        audit_scopes=("hr:read", "hr:sensitive"),
        provision=provision,
        openapi_tags=TAGS,
        database=database,
        clock=clock,
        platform=platform,
        backends=backends,
        events=[*catalogue(org_unit_events.CATALOGUE), *catalogue(employee_events.CATALOGUE)],
    )
    kernel: Kernel = app.state.kernel

    async def contexts(*, session: AsyncSession, principal: Principal, writing: bool) -> HRContext:
        return HRContext(
            principal=principal,
            backend=await backend_of(session, principal.cluster, writing=writing),
            audit=SessionAuditTrail(session, principal),
            events=kernel.outbox(session, principal),
            clock=kernel.clock,
            calendar=kernel.calendar,
            settings=settings,
        )

    register_contexts(app, contexts)
    app.include_router(cluster_binding_router(bindings))  # the gateway's cluster view asks it
    app.state.bindings = bindings  # the supplier switch's tests reset its cache
    return app
