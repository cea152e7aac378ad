"""Rules for financial years and periods, including the year-end close."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from sop_finance.accounts.ports import OPERATING
from sop_finance.accounts.service import control_account
from sop_finance.context import FinanceContext
from sop_finance.journals import service as journals
from sop_finance.journals.ports import YEAR_END, Journal, JournalLine
from sop_finance.periods.ports import (
    ADJUSTMENT_PERIOD,
    FinancialYear,
    Period,
    PeriodRef,
    PeriodStatus,
    fiscal_year_of,
    parse_year_label,
    periods_of_year,
)
from sop_finance.problems import DuplicateReference, InvalidState
from sop_shared.errors import NotFound, ValidationFailed

ZERO = Decimal("0.00")


def period_param(code: str, field: str = "period") -> PeriodRef:
    """A period named in a query or body ("2026-08", "2026-27-ADJ"), or a 422 naming the field."""
    try:
        return PeriodRef.parse(code)
    except ValueError as exc:
        raise ValidationFailed(str(exc), errors=[(field, str(exc))]) from None


def year_param(label: str, field: str = "financial_year") -> int:
    """A financial year named in a query ("2026-27"), or a 422 naming the field."""
    try:
        return parse_year_label(label)
    except ValueError as exc:
        raise ValidationFailed(str(exc), errors=[(field, str(exc))]) from None


def start_year_of(label: str) -> int:
    try:
        return parse_year_label(label)
    except ValueError as exc:
        raise NotFound(str(exc)) from None


async def list_years(fin: FinanceContext) -> list[FinancialYear]:
    return await fin.backend.periods.list_years()


async def get_year(fin: FinanceContext, label: str) -> FinancialYear:
    year = await fin.backend.periods.get_year(start_year_of(label))
    if year is None:
        raise NotFound(f"financial year {label} has not been opened")
    return year


async def open_year(fin: FinanceContext, start_year: int) -> FinancialYear:
    if await fin.backend.periods.get_year(start_year) is not None:
        raise DuplicateReference(f"financial year {start_year} is already open")
    return await _add_year(fin, start_year)


async def ensure_year(fin: FinanceContext, start_year: int) -> FinancialYear:
    """The year and its thirteen periods, created if missing (idempotent)."""
    existing = await fin.backend.periods.get_year(start_year)
    if existing is not None:
        return existing
    return await _add_year(fin, start_year)


async def ensure_current_years(fin: FinanceContext) -> None:
    """The current financial year (by today's UK date) and the next, opened if missing
    (provisioning: idempotent)."""
    this_year = fiscal_year_of(fin.clock.today())
    await ensure_year(fin, this_year)
    await ensure_year(fin, this_year + 1)


async def _add_year(fin: FinanceContext, start_year: int) -> FinancialYear:
    periods = [Period.new(ref) for ref in periods_of_year(start_year)]
    year = await fin.backend.periods.add_year(FinancialYear(start_year=start_year), periods)
    await fin.audit.record("financial_year.opened", "financial_year", year.id, after=year)
    return year


async def list_periods(
    fin: FinanceContext, *, financial_year: str | None, status: PeriodStatus | None
) -> list[Period]:
    fy = year_param(financial_year) if financial_year is not None else None
    return await fin.backend.periods.list_periods(fiscal_year=fy, status=status)


async def get_period(fin: FinanceContext, code: str) -> Period:
    try:
        ref = PeriodRef.parse(code)
    except ValueError as exc:
        raise NotFound(str(exc)) from None
    period = await fin.backend.periods.get_period(ref.code)
    if period is None:
        raise NotFound(f"no period {code}: its financial year has not been opened")
    return period


async def set_period_status(fin: FinanceContext, period: Period, status: PeriodStatus) -> Period:
    year = await fin.backend.periods.get_year(period.fiscal_year)
    if year is not None and year.status == "closed":
        raise InvalidState(f"financial year {year.label} is closed; its periods stay closed")
    if period.status == status:
        return period
    saved = await fin.backend.periods.update_period(replace(period, status=status))
    await fin.audit.record(f"period.{status}", "period", saved.id, before=period, after=saved)
    return saved


async def close_year(fin: FinanceContext, label: str) -> FinancialYear:
    """Year-end close: a closing journal in the adjustment period moves every income and
    expense balance (per cost centre) to retained earnings, then every period of the year
    closes and the next year is opened if it was not."""
    start_year = start_year_of(label)
    store = fin.backend.periods
    year = await store.get_year(start_year, lock=True)
    if year is None:
        raise NotFound(f"financial year {label} has not been opened")
    if year.status == "closed":
        raise InvalidState(f"financial year {label} is already closed")

    closing = await _closing_journal(fin, year)
    if closing is not None:
        closing = await journals.post_new(fin, closing)
    for period in await store.list_periods(fiscal_year=start_year):
        if period.status != "closed":
            await store.update_period(replace(period, status="closed"))
    closed = await store.update_year(
        replace(year, status="closed", closing_journal_id=closing.id if closing else None)
    )
    await fin.audit.record(
        "financial_year.closed", "financial_year", closed.id, before=year, after=closed
    )
    await ensure_year(fin, start_year + 1)
    return closed


async def _closing_journal(fin: FinanceContext, year: FinancialYear) -> Journal | None:
    operating = [a.code for a in await fin.backend.accounts.all_accounts() if a.type in OPERATING]
    if not operating:
        return None
    totals = await fin.backend.balances.totals(
        from_key=PeriodRef(year.start_year, 1).key,
        to_key=PeriodRef(year.start_year, ADJUSTMENT_PERIOD).key,
        by_cost_centre=True,
        account_codes=operating,
    )
    nets: dict[tuple[str, str | None], Decimal] = defaultdict(lambda: ZERO)
    for t in totals:
        nets[(t.account_code, t.cost_centre_code)] -= t.net  # the opposite of each balance
    ordered = sorted(nets.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    lines = journals.balanced_lines(dict(ordered))
    if not lines:
        return None
    reserves = await control_account(fin, "retained_earnings")
    # What the closing lines leave unbalanced is the year's surplus (a credit to reserves) or
    # deficit (a debit).
    excess_credit = sum((ln.credit - ln.debit for ln in lines), ZERO)
    if excess_credit != 0:
        lines.append(
            JournalLine(
                account_code=reserves.code,
                debit=max(excess_credit, ZERO),
                credit=max(-excess_credit, ZERO),
                description=f"Surplus or deficit for {year.label}",
            )
        )
    closing = Journal(
        description=f"Year-end close {year.label}: income and expenditure to retained earnings",
        posting_date=year.end_date,
        adjustment=True,
        period_code=PeriodRef(year.start_year, ADJUSTMENT_PERIOD).code,
        source=YEAR_END,
        source_reference=year.label,
        prepared_by=fin.actor,
        lines=lines,
    )
    await journals.validate(fin, closing, allow_inactive=True)
    return closing
