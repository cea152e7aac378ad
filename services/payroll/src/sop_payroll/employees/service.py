"""Rules for employees' RTI details."""

from __future__ import annotations

import uuid
from datetime import date

from sop_payroll.context import PayrollContext
from sop_payroll.employees.ports import RtiDetails, TaxCodeNotice
from sop_payroll.employees.schemas import RtiDetailsIn, TaxCodeNoticeIn
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.ids import uuid7

SENSITIVE = ("gender", "address", "p45")


async def add_tax_code(
    ctx: PayrollContext, employee_id: uuid.UUID, data: TaxCodeNoticeIn
) -> TaxCodeNotice:
    """Record HMRC's notice of a tax code: pay dates from `effective_from` use it instead of
    HR's code (the newest notice in force wins)."""
    year_start = date(ctx.clock.today().year - 2, 4, 6)
    if data.effective_from < year_start:
        raise ValidationFailed(
            "effective_from is too far back", errors=[("effective_from", "before last tax year")]
        )
    notice = TaxCodeNotice(
        id=uuid7(),
        employee_id=employee_id,
        tax_code=data.tax_code,
        week1_month1=data.week1_month1,
        effective_from=data.effective_from,
        form=data.form,
        created_by=ctx.principal.subject,
        created_at=ctx.clock.now(),
    )
    await ctx.backend.tax_codes.add(notice)
    await ctx.audit.record("tax_code.noticed", "employee", employee_id, after=notice)
    return notice


async def tax_codes(ctx: PayrollContext, employee_id: uuid.UUID) -> list[TaxCodeNotice]:
    return await ctx.backend.tax_codes.of(employee_id)


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
