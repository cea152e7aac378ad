"""Rules for pay groups and their calendars."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sop_payroll.context import PayrollContext
from sop_payroll.engine.errors import PayrollEngineError
from sop_payroll.pay_groups.calendar import PayCalendarRule, PayPeriod, period_for, periods
from sop_payroll.pay_groups.ports import EmployerScheme, PayGroup
from sop_payroll.pay_groups.schemas import PayGroupIn, PayGroupPatch
from sop_payroll.pay_runs.ports import RunPeriod
from sop_payroll.problems import PayGroupExists
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.ids import uuid7
from sop_shared.pagination import PageRequest, RecordPage


@contextmanager
def _calendar_errors(renamed: dict[str, str] | None = None) -> Iterator[None]:
    try:
        yield
    except PayrollEngineError as error:
        field = (renamed or {}).get(error.field, error.field)
        raise ValidationFailed(
            f"{field}: {error.message}", errors=[(field, error.message)]
        ) from None


def rule_of(group: PayGroup) -> PayCalendarRule:
    with _calendar_errors():
        return PayCalendarRule(
            frequency=group.frequency,
            pay_day=group.pay_date_rule,
            fixed_day=group.pay_day,
            anchor_date=group.anchor_date,
            region=group.region,
        )


async def list_groups(ctx: PayrollContext, *, page: PageRequest) -> RecordPage[PayGroup]:
    return await ctx.backend.pay_groups.list(page)


async def get_group(ctx: PayrollContext, group_id: uuid.UUID) -> PayGroup:
    group = await ctx.backend.pay_groups.get(group_id)
    if group is None:
        raise NotFound(f"no pay group {group_id}")
    return group


async def create_group(ctx: PayrollContext, data: PayGroupIn) -> PayGroup:
    group = PayGroup(
        id=uuid7(),
        code=data.code,
        name=data.name,
        frequency=data.frequency,
        pay_date_rule=data.pay_day,
        pay_day=data.fixed_day,
        anchor_date=data.anchor_date,
        region=data.region.value,
        proration=data.proration,
        scheme=EmployerScheme(
            data.tax_office_number, data.paye_reference, data.accounts_office_reference
        ),
        bank_account_id=data.bank_account_id,
        variance_percent=data.variance_percent,
        extra={
            "pension_schemes": {
                name: s.model_dump(mode="json") for name, s in data.pension_schemes.items()
            },
            "journal_accounts": data.journal_accounts.model_dump(exclude_none=True),
        },
    )
    rule_of(group)  # a calendar that cannot be worked out is refused now, not at the first run
    if await ctx.backend.pay_groups.by_code(group.code) is not None:
        raise PayGroupExists(f"pay group {group.code} exists", code=group.code)
    group = await ctx.backend.pay_groups.add(group)
    await ctx.audit.record("pay_group.created", "pay_group", group.id, after=group)
    return group


async def update_group(ctx: PayrollContext, group: PayGroup, data: PayGroupPatch) -> PayGroup:
    changes = data.model_dump(exclude_unset=True)
    extra = dict(group.extra)
    if data.pension_schemes is not None:
        extra["pension_schemes"] = {
            name: s.model_dump(mode="json") for name, s in data.pension_schemes.items()
        }
    if data.journal_accounts is not None:
        extra["journal_accounts"] = data.journal_accounts.model_dump(exclude_none=True)
    for name in ("pension_schemes", "journal_accounts"):
        changes.pop(name, None)
    for name in ("name", "active", "variance_percent"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be null", errors=[(name, "cannot be null")])
    updated = replace(group, **changes, extra=extra)
    updated = await ctx.backend.pay_groups.update(updated, expected_version=group.version)
    await ctx.audit.record("pay_group.updated", "pay_group", group.id, before=group, after=updated)
    return updated


def _run_period(p: PayPeriod) -> RunPeriod:
    return RunPeriod(
        tax_year=p.tax_year,
        number=p.number,
        start=p.start,
        end=p.end,
        pay_date=p.pay_date,
        payment_date=p.payment_date,
        tax_period=p.tax_period,
        week_or_month_number=p.week_or_month_number,
        week53_basis=p.week53_basis,
    )


def period_of(ctx: PayrollContext, group: PayGroup, tax_year: str, number: int) -> RunPeriod:
    with _calendar_errors({"number": "period"}):
        return _run_period(period_for(rule_of(group), tax_year, number, ctx.calendar))


def calendar_of(ctx: PayrollContext, group: PayGroup, tax_year: str) -> list[PayPeriod]:
    with _calendar_errors():
        return periods(rule_of(group), tax_year, ctx.calendar)
