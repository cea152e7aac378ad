"""Rules for adjustments: only positive amounts, only for a period whose run is not yet
approved, and an import is all or nothing with every bad row named."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal
from typing import Any, Final

from pydantic import ValidationError

from sop_payroll.adjustments.ports import Adjustment, AdjustmentKind
from sop_payroll.adjustments.schemas import COLUMNS, AdjustmentIn, AdjustmentRow
from sop_payroll.context import PayrollContext
from sop_payroll.engine.payslip import PayItem, PayItemKind, PostTaxDeduction
from sop_payroll.pay_groups import service as pay_groups
from sop_payroll.pay_runs.ports import RunState
from sop_payroll.problems import PeriodLocked
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.ids import uuid7
from sop_shared.pagination import PageRequest, RecordPage

MAX_ROWS: Final = 20_000
LOCKED: Final = frozenset({RunState.APPROVED, RunState.FINALISING, RunState.FINALISED})

# kind -> (engine pay item kind, taxable, NI-able, pensionable)
PAY: Final = {
    AdjustmentKind.OVERTIME: (PayItemKind.OVERTIME, True, True, True),
    AdjustmentKind.BONUS: (PayItemKind.BONUS, True, True, False),
    AdjustmentKind.ALLOWANCE: (PayItemKind.ALLOWANCE, True, True, True),
    AdjustmentKind.COMMISSION: (PayItemKind.COMMISSION, True, True, False),
    AdjustmentKind.EXPENSES: (PayItemKind.OTHER, False, False, False),
}


def pay_items(adjustments: list[Adjustment]) -> tuple[list[PayItem], list[PostTaxDeduction]]:
    """What the calculator takes: payments, and deductions after tax."""
    payments, deductions = [], []
    for a in adjustments:
        if a.kind is AdjustmentKind.DEDUCTION:
            deductions.append(PostTaxDeduction(a.amount, a.description))
        else:
            kind, taxable, ni_able, pensionable = PAY[a.kind]
            payments.append(PayItem(kind, a.amount, a.description, taxable, ni_able, pensionable))
    return payments, deductions


async def _open_period(
    ctx: PayrollContext, pay_group_id: uuid.UUID, tax_year: str, period: int
) -> None:
    group = await pay_groups.get_group(ctx, pay_group_id)
    pay_groups.period_of(ctx, group, tax_year, period)  # a period the group has
    run = await ctx.backend.pay_runs.open_for_period(group.id, tax_year, period)
    if run is not None and run.state in LOCKED:
        raise PeriodLocked(
            f"pay run {run.reference} is {run.state.value}: its adjustments are fixed "
            "(make corrections in a later period)",
            run_id=str(run.id),
        )


def _positive(amount: Decimal, field: str) -> None:
    if amount <= 0:
        raise ValidationFailed(f"{field} must be positive", errors=[(field, "must be positive")])


async def add(ctx: PayrollContext, pay_group_id: uuid.UUID, data: AdjustmentIn) -> Adjustment:
    _positive(data.amount, "amount")
    await _open_period(ctx, pay_group_id, data.tax_year, data.period)
    adjustment = Adjustment(
        id=uuid7(),
        pay_group_id=pay_group_id,
        tax_year=data.tax_year,
        period=data.period,
        employee_number=data.employee_number,
        kind=data.kind,
        amount=data.amount,
        description=data.description,
        created_by=ctx.principal.subject,
        created_at=ctx.clock.now(),
    )
    await ctx.backend.adjustments.add([adjustment])
    await ctx.audit.record("adjustment.created", "adjustment", adjustment.id, after=adjustment)
    return adjustment


async def import_csv(
    ctx: PayrollContext, pay_group_id: uuid.UUID, tax_year: str, period: int, text: str
) -> int:
    """Every row checked; any bad row and nothing is added (422 naming `rows.<line>.<field>`)."""
    await _open_period(ctx, pay_group_id, tax_year, period)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        raise ValidationFailed(
            "the header row must name the columns " + ", ".join(COLUMNS),
            errors=[
                *((f"header.{c}", "missing") for c in missing),
                *((f"header.{c}", "unknown column") for c in unknown),
            ],
        )
    errors: list[tuple[str, str]] = []
    rows: list[AdjustmentRow] = []
    try:
        for raw in reader:
            line = reader.line_num
            if len(rows) + len(errors) >= MAX_ROWS:
                raise ValidationFailed(f"at most {MAX_ROWS} rows per import")
            cells: dict[str, Any] = {
                (k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k
            }
            try:
                row = AdjustmentRow.model_validate(cells)
            except ValidationError as invalid:
                errors += [
                    (f"rows.{line}.{e['loc'][0] if e['loc'] else 'row'}", str(e["msg"]))
                    for e in invalid.errors()
                ]
                continue
            if row.amount <= 0:
                errors.append((f"rows.{line}.amount", "must be positive"))
                continue
            rows.append(row)
    except csv.Error as exc:
        raise ValidationFailed(f"not CSV: {exc}", errors=[("file", str(exc))]) from None
    if errors:
        raise ValidationFailed(
            f"{len(errors)} problems in the file; nothing was added", errors=errors
        )
    if not rows:
        raise ValidationFailed("the file has no rows", errors=[("file", "no rows")])
    now = ctx.clock.now()
    adjustments = [
        Adjustment(
            id=uuid7(),
            pay_group_id=pay_group_id,
            tax_year=tax_year,
            period=period,
            employee_number=r.employee_number,
            kind=r.kind,
            amount=r.amount,
            description=r.description,
            created_by=ctx.principal.subject,
            created_at=now,
        )
        for r in rows
    ]
    await ctx.backend.adjustments.add(adjustments)
    await ctx.audit.record(
        "adjustments.imported",
        "pay_group",
        pay_group_id,
        after={"tax_year": tax_year, "period": period, "count": len(adjustments)},
    )
    return len(adjustments)


async def list_adjustments(
    ctx: PayrollContext, pay_group_id: uuid.UUID, tax_year: str, period: int, page: PageRequest
) -> RecordPage[Adjustment]:
    await pay_groups.get_group(ctx, pay_group_id)
    return await ctx.backend.adjustments.in_period(pay_group_id, tax_year, period, page)


async def remove(ctx: PayrollContext, pay_group_id: uuid.UUID, adjustment_id: uuid.UUID) -> None:
    found = await ctx.backend.adjustments.get(adjustment_id)
    if found is None or found.pay_group_id != pay_group_id:
        raise NotFound(f"no adjustment {adjustment_id} in pay group {pay_group_id}")
    await _open_period(ctx, pay_group_id, found.tax_year, found.period)
    await ctx.backend.adjustments.delete(adjustment_id)
    await ctx.audit.record("adjustment.deleted", "adjustment", adjustment_id, before=found)
