"""Rules for employees' RTI details."""

from __future__ import annotations

import uuid

from sop_payroll.context import PayrollContext
from sop_payroll.employees.ports import RtiDetails
from sop_payroll.employees.schemas import RtiDetailsIn
from sop_shared.errors import NotFound

SENSITIVE = ("gender", "address", "p45")


async def get_details(ctx: PayrollContext, employee_id: uuid.UUID) -> RtiDetails:
    found = await ctx.backend.rti_details.get(employee_id)
    if found is None:
        raise NotFound(f"no RTI details for employee {employee_id}")
    return found


async def put_details(
    ctx: PayrollContext, employee_id: uuid.UUID, data: RtiDetailsIn, *, if_match: int | None
) -> tuple[RtiDetails, bool]:
    """Create or replace; (details, created). Replacing needs the current version."""
    before = await ctx.backend.rti_details.get(employee_id)
    details = data.to_details(employee_id)
    saved = await ctx.backend.rti_details.put(
        details, expected_version=None if before is None else (if_match or -1)
    )
    await ctx.audit.record(
        "rti_details.updated" if before else "rti_details.created",
        "employee",
        employee_id,
        before=before,
        after=saved,
        sensitive=SENSITIVE,
    )
    return saved, before is None
