"""Basic pay for one employee's pay period, from the salary terms HR holds, each figure explained.

Pure: no HTTP, no database. The pay run hands the `PayItem`s to the engine and keeps the
explanations on the payslip.

- A whole period on one salary is annual salary x FTE / periods a year (12 monthly, 52 weekly,
  26 fortnightly, 13 four-weekly), worked exactly and rounded to the penny, half up.
- A starter, a leaver or a change of terms within the period shares the period out by days:
  working days (Monday to Friday less the bank holidays of the employee's home region) or
  calendar days, as the pay group says. Each run of days on one salary is its own item,
  `annual x FTE / periods x days / days in the period`, so the items of two slices on the same
  salary add up to the whole period's pay within a penny (adjacent slices on the same salary
  and FTE are merged first, so they add up exactly).
- Unpaid leave deducts the daily rate (a period's pay / its working or calendar days) for each
  unpaid day (a working day, or any day on the calendar basis) the employee is employed, at
  the salary in force that day: a negative BASIC item per absence and salary. The deductions
  never take basic pay below nothing: the last is capped, and says so.
- Days of employment with no terms in force are not paid here (a change of pay frequency moves
  them to another pay group); each such run of days is reported in `notes`. Terms that
  overlap are refused: which salary applies would be a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Context, Decimal
from enum import StrEnum
from functools import cache
from typing import Protocol

from sop_payroll.engine.errors import InvalidInput
from sop_payroll.engine.frequency import SHAPES, PayFrequency, pay_frequency
from sop_payroll.engine.money import ZERO, money, round_nearest_penny
from sop_payroll.engine.payslip import PayItem, PayItemKind
from sop_shared.calendar import Division, HomeRegion, OutsideCalendar, Where, WorkingCalendar

_EXACT = Context(prec=50)
ONE = Decimal(1)
DAY = timedelta(days=1)


class ProrationBasis(StrEnum):
    """How a part period's share of the period's pay is counted (a pay group setting)."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


class SalaryTerms(Protocol):
    """A row of an employee's terms history: HR's effective-dated terms, or a TermsSlice."""

    @property
    def effective_from(self) -> date: ...
    @property
    def effective_to(self) -> date | None: ...  # inclusive; None: open-ended
    @property
    def annual_salary(self) -> Decimal: ...  # the full-time salary
    @property
    def fte(self) -> Decimal: ...


class Absence(Protocol):
    """An approved unpaid absence, both days inclusive (HR's absences have these fields)."""

    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date: ...


@dataclass(frozen=True, slots=True)
class TermsSlice:
    """Salary terms in force from `effective_from` to `effective_to` inclusive (None: open)."""

    effective_from: date
    effective_to: date | None
    annual_salary: Decimal
    fte: Decimal


@dataclass(frozen=True, slots=True)
class UnpaidAbsence:
    start_date: date
    end_date: date  # inclusive


@dataclass(frozen=True, slots=True)
class EarningsLine:
    item: PayItem
    explanation: str


@dataclass(frozen=True, slots=True)
class PeriodEarnings:
    """Basic pay items, each with how it was worked out; `notes` for days left unpaid."""

    lines: tuple[EarningsLine, ...]
    notes: tuple[str, ...] = ()

    @property
    def pay_items(self) -> tuple[PayItem, ...]:
        return tuple(line.item for line in self.lines)

    @property
    def explanations(self) -> tuple[str, ...]:
        return tuple(line.explanation for line in self.lines)

    @property
    def total(self) -> Decimal:
        return sum((line.item.amount for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class _Terms:
    start: date
    end: date | None
    annual_salary: Decimal
    fte: Decimal


@cache
def default_calendar() -> WorkingCalendar:
    """The kernel's shipped bank holidays, read once."""
    return WorkingCalendar.load()


def period_earnings(
    terms: Sequence[SalaryTerms],
    *,
    start_date: date,
    leaving_date: date | None,
    period_start: date,
    period_end: date,
    frequency: PayFrequency | str,
    basis: ProrationBasis | str,
    region: Where | str = HomeRegion.ENGLAND,
    unpaid_absences: Sequence[Absence] = (),
    calendar: WorkingCalendar | None = None,
) -> PeriodEarnings:
    """The employee's basic pay for the period `period_start`-`period_end` (inclusive).

    No items when the employee is not employed on any day of the period. Errors are the
    engine's input errors, naming the argument (`terms[1].fte`, `period_end`...).
    """
    shape = SHAPES[pay_frequency(frequency)]
    basis = _basis(basis)
    where = _region(region)
    calendar = calendar or default_calendar()
    if period_end < period_start:
        raise InvalidInput("period_end", f"{period_end} is before the start {period_start}")
    if leaving_date is not None and leaving_date < start_date:
        raise InvalidInput("leaving_date", f"{leaving_date} is before the start {start_date}")
    history = _history(terms)
    absences = _absences(unpaid_absences)

    def count(first: date, last: date) -> int:
        if last < first:
            return 0
        if basis is ProrationBasis.CALENDAR_DAYS:
            return (last - first).days + 1
        try:
            return calendar.working_days(where, first, last)
        except OutsideCalendar:
            raise InvalidInput(
                "period_start",
                f"the bank holidays of {calendar.first_year}-{calendar.last_year} are known; "
                f"{first}-{last} is outside them",
            ) from None

    employed_from = max(period_start, start_date)
    employed_to = period_end if leaving_date is None else min(period_end, leaving_date)
    if employed_to < employed_from:
        return PeriodEarnings(())
    period_days = count(period_start, period_end)
    if period_days == 0:
        raise InvalidInput(
            "period_end", f"{period_start} to {period_end} has no working days to pay over"
        )
    unit = "working days" if basis is ProrationBasis.WORKING_DAYS else "calendar days"
    per_year = shape.regular_periods

    lines: list[EarningsLine] = []
    notes: list[str] = []
    paid: list[tuple[_Terms, date, date]] = []
    covered_to = employed_from - DAY
    for row in history:
        first = max(row.start, employed_from)
        last = employed_to if row.end is None else min(row.end, employed_to)
        if last < first:
            continue
        if first > covered_to + DAY:
            notes.append(_no_terms(covered_to + DAY, first - DAY))
        covered_to = last
        paid.append((row, first, last))
        days = count(first, last)
        if days == 0:
            continue
        rate = _rate_words(row, per_year)
        if first == period_start and last == period_end:
            amount = round_nearest_penny(_EXACT.divide(row.annual_salary * row.fte, per_year))
            why = f"{rate} = £{amount:,.2f}"
            description = "Basic pay"
        else:
            amount = _share(row, per_year, days, period_days)
            when = _partial(first, last, period_start, period_end)
            why = f"{rate} × {days}/{period_days} {unit} ({when}) = £{amount:,.2f}"
            description = f"Basic pay ({when})"
        lines.append(EarningsLine(PayItem(PayItemKind.BASIC, amount, description), why))
    if covered_to < employed_to:
        notes.append(_no_terms(covered_to + DAY, employed_to))

    left = sum((line.item.amount for line in lines), ZERO)
    for absence_from, absence_to in absences:
        for row, first, last in paid:
            day_from, day_to = max(first, absence_from), min(last, absence_to)
            days = count(day_from, day_to)
            if days == 0:
                continue
            when = _span(day_from, day_to)
            amount = _share(row, per_year, days, period_days)
            daily = f"{_rate_words(row, per_year)} ÷ {period_days} {unit} × {days}"
            why = f"Unpaid leave {when}: {daily} = £{amount:,.2f} deducted"
            if amount > left:
                why += f", capped at £{left:,.2f} so that pay is not negative"
                amount = left
            if amount == 0:
                notes.append(f"Unpaid leave {when}: no basic pay left to deduct from")
                continue
            left -= amount
            item = PayItem(PayItemKind.BASIC, -amount, f"Unpaid leave {when}")
            lines.append(EarningsLine(item, why))
    return PeriodEarnings(tuple(lines), tuple(notes))


def basic_pay(
    *,
    slices: Sequence[SalaryTerms],
    start_date: date,
    leaving_date: date | None,
    period_start: date,
    period_end: date,
    frequency: PayFrequency | str,
    proration: ProrationBasis | str,
    region: Where | str = HomeRegion.ENGLAND,
    unpaid_absences: Sequence[Absence] = (),
    calendar: WorkingCalendar | None = None,
) -> tuple[tuple[PayItem, ...], list[str]]:
    """`period_earnings` as the pay run takes it: the items, and every explanation and note
    (the pay group's `proration` is the basis)."""
    earnings = period_earnings(
        slices,
        start_date=start_date,
        leaving_date=leaving_date,
        period_start=period_start,
        period_end=period_end,
        frequency=frequency,
        basis=proration,
        region=region,
        unpaid_absences=unpaid_absences,
        calendar=calendar,
    )
    return earnings.pay_items, [*earnings.explanations, *earnings.notes]


def _share(row: _Terms, per_year: int, days: int, period_days: int) -> Decimal:
    """annual x FTE / periods a year x days / days in the period, exact, then to the penny."""
    exact = _EXACT.divide(row.annual_salary * row.fte * days, per_year * period_days)
    return round_nearest_penny(exact)


def _rate_words(row: _Terms, per_year: int) -> str:
    fte = "" if row.fte == ONE else f" × {row.fte.normalize():f}"
    return f"£{row.annual_salary:,.2f}{fte} ÷ {per_year}"


def _history(terms: Sequence[SalaryTerms]) -> list[_Terms]:
    """The terms checked, in date order, adjacent rows on the same pay merged."""
    rows = []
    for index, row in enumerate(terms):
        field = f"terms[{index}]"
        start, end = row.effective_from, row.effective_to
        if not isinstance(start, date):
            raise InvalidInput(f"{field}.effective_from", f"must be a date, not {start!r}")
        if end is not None and (not isinstance(end, date) or end < start):
            raise InvalidInput(f"{field}.effective_to", f"{end!r} is before {start}")
        salary = money(row.annual_salary, field=f"{field}.annual_salary")
        fte = row.fte
        if isinstance(fte, int) and not isinstance(fte, bool):
            fte = Decimal(fte)
        if not isinstance(fte, Decimal) or not fte.is_finite() or not 0 < fte <= 1:
            raise InvalidInput(f"{field}.fte", f"must be a Decimal over 0 and at most 1: {fte!r}")
        rows.append(_Terms(start, end, salary, fte))
    rows.sort(key=lambda r: r.start)
    merged: list[_Terms] = []
    for current in rows:
        if merged:
            before = merged[-1]
            if before.end is None or before.end >= current.start:
                raise InvalidInput(
                    "terms", f"terms from {before.start} and from {current.start} overlap"
                )
            same_pay = before.annual_salary == current.annual_salary and before.fte == current.fte
            if same_pay and before.end + DAY == current.start:
                merged[-1] = _Terms(before.start, current.end, before.annual_salary, before.fte)
                continue
        merged.append(current)
    return merged


def _absences(absences: Sequence[Absence]) -> list[tuple[date, date]]:
    """The unpaid days as separate runs of days, in order (overlapping absences counted once)."""
    spans = []
    for index, absence in enumerate(absences):
        if absence.end_date < absence.start_date:
            raise InvalidInput(
                f"unpaid_absences[{index}].end_date",
                f"{absence.end_date} is before {absence.start_date}",
            )
        spans.append((absence.start_date, absence.end_date))
    spans.sort()
    runs: list[tuple[date, date]] = []
    for first, last in spans:
        if runs and first <= runs[-1][1] + DAY:
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _span(first: date, last: date) -> str:
    """`3 Jun 2026`, `3 to 5 Jun 2026`, `28 May to 3 Jun 2026`, `29 Dec 2026 to 2 Jan 2027`."""
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {_day(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%b} to {_day(last)}"
    return f"{_day(first)} to {_day(last)}"


def _partial(first: date, last: date, period_start: date, period_end: date) -> str:
    if last == period_end:
        return f"from {_day(first)}"
    if first == period_start:
        return f"to {_day(last)}"
    return _span(first, last)


def _no_terms(first: date, last: date) -> str:
    return f"No salary terms in force {_span(first, last)}: not paid for those days here"


def _basis(value: str) -> ProrationBasis:
    try:
        return ProrationBasis(value)
    except ValueError:
        allowed = ", ".join(b.value for b in ProrationBasis)
        raise InvalidInput("basis", f"{value!r} is not one of {allowed}") from None


def _region(value: str) -> Where:
    if isinstance(value, HomeRegion | Division):
        return value
    for kind in (HomeRegion, Division):
        try:
            return kind(value)
        except ValueError:
            pass
    allowed = ", ".join(region.value for region in HomeRegion)
    raise InvalidInput("region", f"{value!r} is not one of {allowed}")
