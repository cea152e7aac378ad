"""The HR service application: `create_app()` (also `uvicorn --factory sop_hr.app:create_app`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from sop_hr.absences.router import router as absences_router
from sop_hr.absences.service import ensure_leave_types
from sop_hr.adapters.vendor import close_clients
from sop_hr.calendar.calendar import WorkingCalendar
from sop_hr.calendar.router import router as calendar_router
from sop_hr.composition import records_for
from sop_hr.employees.router import router as employees_router
from sop_hr.imports.router import router as imports_router
from sop_hr.org_units.router import router as org_units_router
from sop_hr.positions.router import router as positions_router
from sop_hr.settings import HRSettings
from sop_hr.switch.bindings import BindingDirectory, ensure_cluster
from sop_hr.terms.router import router as terms_router
from sop_shared.app import create_service_app
from sop_shared.db import Database

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


def create_app(settings: HRSettings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or HRSettings()
    calendar = WorkingCalendar.load(settings.bank_holidays_file)
    adapter_shared: dict[str, Any] = {}

    bindings = BindingDirectory(settings.platform_config, settings.binding_cache_seconds)

    async def provision(session: AsyncSession, tenant: str, cluster: str) -> None:
        """A department onboards: give it HR's reference data (idempotently), in the backend
        its cluster binds (a cluster whose records are moving refuses it for the while)."""
        await ensure_cluster(session, cluster)
        records = await records_for(bindings, session, cluster, adapter_shared, writing=True)
        await ensure_leave_types(records, tenant, settings)

    async def close_backends(_app: FastAPI) -> None:
        await close_clients(adapter_shared)

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
        on_shutdown=[close_backends],
    )
    app.state.calendar = calendar
    app.state.adapter_shared = adapter_shared
    app.state.bindings = bindings
    return app
