"""A pay group's calendar for a tax year: its pay dates and the tax periods they fall in.

Pure: no HTTP, no database. The pay run asks `periods(rule, "2026-27", calendar)` for the
year's pay periods and hands each period's `tax_period` to the engine
(`PayslipInput.period`) and its `week_or_month_number`, `fps_frequency` and `pay_date` to the
Full Payment Submission.

The HMRC rules it follows (PAYE manual and RTI guidance, PAYE70015 for weeks 53 to 56):

- The tax year runs from 6 April to 5 April. Tax month n runs from the 6th of a month to the
  5th of the next (month 1 is 6 April to 5 May); tax week 1 is 6 to 12 April, then 7-day weeks.
  Weeks 1-52 cover 364 days, so the last day of the year (5 April), or the last two in a year
  holding 29 February (4 and 5 April), are tax week 53.
- The tax period of a payment is decided by its contractual pay date, not by the day the money
  moves: a pay date moved earlier over a weekend or bank holiday keeps its period. The FPS
  reports the contractual date as PmtDate; the payment date is what BACS uses.
- The FPS MonthNo is the tax month of the pay date; its WeekNo is the tax week the pay date
  falls in, except that a pay date in tax week 53 is reported as week 53 (weekly), 54
  (fortnightly) or 56 (four-weekly). Such a period is worked non-cumulatively, on the week 1
  basis times 1, 2 or 4 (`week53_basis`); the engine does that by itself for its last period.
- The engine's `period` counts the frequency's pay periods: period n of a fortnightly table
  ends in tax week 2n, of a four-weekly one in week 4n (`engine.frequency.PeriodShape`). A pay
  date in tax week w is therefore period ceil(w / 2) fortnightly and ceil(w / 4) four-weekly
  (HMRC: use the week number of the last week of the period), and week 53 is the extra period
  (weekly 53, fortnightly 27, four-weekly 14).

Pay-date rules (a pay group setting):

- monthly `last_working_day`: the last working day of each month. That day is the contract's
  pay day, so the contractual and the payment date are the same.
- monthly `fixed_day`: the same day each month (the last day of shorter months), the payment
  moved earlier over weekends and bank holidays.
- weekly, fortnightly and four-weekly `cycle`: an anchor, any contractual pay date of the cycle
  (usually the first of a year), then every 7, 14 or 28 days, each payment moved earlier over
  weekends and bank holidays.

Working days are the kernel's `WorkingCalendar`: Monday to Friday less the bank holidays of the
pay group's region (England and Wales unless the group names another).

The days a period's pay covers (`start`, `end`) are a choice, kept in `pay_in_arrears_days`:
a weekly cycle covers the 7, 14 or 28 days ending on the contractual pay date less that many
days; a month covers the calendar month holding the contractual pay date less that many days
(0, the default: the month of the pay date, as in a civil service payroll paying on the last
working day of the month worked).
"""

from __future__ import annotations

import calendar as gregorian
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sop_payroll.engine.errors import InvalidFrequency, InvalidInput
from sop_payroll.engine.frequency import SHAPES, PayFrequency, pay_frequency
from sop_shared.calendar import Division, HomeRegion, OutsideCalendar, Where, WorkingCalendar

_TAX_YEAR = re.compile(r"(\d{4})-(\d{2})")
WEEK_53 = 53
MAX_ARREARS_DAYS = 366


class PayCalendarError(InvalidInput):
    """A pay group's calendar cannot be worked out: `field` names the setting at fault."""


class PayDayRule(StrEnum):
    LAST_WORKING_DAY = "last_working_day"  # monthly
    FIXED_DAY = "fixed_day"  # monthly: the same day of each month
    CYCLE = "cycle"  # weekly, fortnightly, four-weekly: an anchor date and every 7/14/28 days


class FpsFrequency(StrEnum):
    """The FPS PayFreq code of each pay frequency."""

    W1 = "W1"
    W2 = "W2"
    W4 = "W4"
    M1 = "M1"


FPS_FREQUENCY = {
    PayFrequency.WEEKLY: FpsFrequency.W1,
    PayFrequency.FORTNIGHTLY: FpsFrequency.W2,
    PayFrequency.FOUR_WEEKLY: FpsFrequency.W4,
    PayFrequency.MONTHLY: FpsFrequency.M1,
}
CYCLE_DAYS = {
    PayFrequency.WEEKLY: 7,
    PayFrequency.FORTNIGHTLY: 14,
    PayFrequency.FOUR_WEEKLY: 28,
}


@dataclass(frozen=True, slots=True)
class PayCalendarRule:
    """How a pay group's pay dates fall. Checked when made: a bad setting names its field.

    `pay_day` defaults to `cycle` for the weekly frequencies; a monthly group must say
    `last_working_day` or `fixed_day` (with `fixed_day` 1-31). A cycle needs `anchor_date`.
    """

    frequency: PayFrequency
    pay_day: PayDayRule = PayDayRule.CYCLE
    fixed_day: int | None = None
    anchor_date: date | None = None
    region: Where | str = HomeRegion.ENGLAND  # a HomeRegion or Division, or its value
    pay_in_arrears_days: int = 0

    def __post_init__(self) -> None:
        # Frozen: the checked values are written back the way dataclasses' own docs show.
        try:
            frequency = pay_frequency(self.frequency)
        except InvalidFrequency as error:
            raise PayCalendarError("frequency", error.message) from None
        object.__setattr__(self, "frequency", frequency)
        object.__setattr__(self, "pay_day", _pay_day(self.pay_day))
        object.__setattr__(self, "region", _region(self.region))
        if frequency is PayFrequency.MONTHLY:
            if self.pay_day is PayDayRule.CYCLE:
                raise PayCalendarError(
                    "pay_day", "monthly pay falls on the last_working_day or a fixed_day"
                )
            if self.anchor_date is not None:
                raise PayCalendarError("anchor_date", "only weekly cycles have an anchor date")
        elif self.pay_day is not PayDayRule.CYCLE:
            raise PayCalendarError(
                "pay_day", f"{frequency.value} pay falls on a cycle from an anchor date"
            )
        if self.pay_day is PayDayRule.FIXED_DAY:
            day = self.fixed_day
            if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
                raise PayCalendarError("fixed_day", f"must be a day of the month 1-31, not {day!r}")
        elif self.fixed_day is not None:
            raise PayCalendarError("fixed_day", "only a fixed_day pay day has one")
        if self.pay_day is PayDayRule.CYCLE and not isinstance(self.anchor_date, date):
            raise PayCalendarError("anchor_date", "a weekly cycle needs its anchor pay date")
        arrears = self.pay_in_arrears_days
        if (
            isinstance(arrears, bool)
            or not isinstance(arrears, int)
            or not 0 <= arrears <= MAX_ARREARS_DAYS
        ):
            raise PayCalendarError(
                "pay_in_arrears_days", f"must be a whole number 0-{MAX_ARREARS_DAYS}"
            )


@dataclass(frozen=True, slots=True)
class PayPeriod:
    """One pay date of a pay group's tax year.

    `pay_date` is the contractual date (the FPS PmtDate, and what decides the tax period);
    `payment_date` the working day the money is paid (moved earlier if need be).
    `tax_period` is the engine's `PayslipInput.period`; `week_or_month_number` the FPS
    MonthNo (1-12) or WeekNo (1-53, 54 or 56). `week53_basis`: the pay date is in tax week
    53, so the period is worked non-cumulatively on the week 1 basis (1, 2 or 4 weeks).
    """

    tax_year: str
    frequency: PayFrequency
    number: int
    start: date
    end: date
    pay_date: date
    payment_date: date
    tax_period: int
    week_or_month_number: int
    fps_frequency: FpsFrequency
    week53_basis: bool


def tax_year_bounds(tax_year: str, *, field: str = "tax_year") -> tuple[date, date]:
    """6 April and 5 April of a tax year written like "2026-27"."""
    match = _TAX_YEAR.fullmatch(tax_year) if isinstance(tax_year, str) else None
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        raise PayCalendarError(field, f"{tax_year!r} is not a tax year like 2026-27")
    first = int(match[1])
    return date(first, 4, 6), date(first + 1, 4, 5)


def tax_year_of(day: date) -> str:
    """The tax year holding `day`: 5 April 2027 is in 2026-27, 6 April 2027 in 2027-28."""
    first = day.year if (day.month, day.day) >= (4, 6) else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def tax_month(day: date) -> int:
    """The tax month holding `day`: 5 May is month 1, 6 May month 2, 5 April month 12."""
    return (day.month - (4 if day.day >= 6 else 5)) % 12 + 1


def tax_week(day: date) -> int:
    """The tax week holding `day`: 6-12 April is week 1; 5 April (4-5 April in a year holding
    29 February) week 53."""
    start, _ = tax_year_bounds(tax_year_of(day))
    return min((day - start).days // 7 + 1, WEEK_53)


def periods(rule: PayCalendarRule, tax_year: str, calendar: WorkingCalendar) -> list[PayPeriod]:
    """Every pay period of the tax year, in order, numbered from 1."""
    first, last = tax_year_bounds(tax_year)
    if rule.frequency is PayFrequency.MONTHLY:
        pay_dates = _monthly_pay_dates(rule, first, last, calendar)
    else:
        pay_dates = _cycle_pay_dates(rule, first, last)
    return [
        _period(rule, tax_year, number, pay_date, calendar)
        for number, pay_date in enumerate(pay_dates, start=1)
    ]


def period_for(
    rule: PayCalendarRule, tax_year: str, number: int, calendar: WorkingCalendar
) -> PayPeriod:
    """Pay period `number` (1 = the first pay date of the tax year)."""
    year = periods(rule, tax_year, calendar)
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(year):
        raise PayCalendarError(
            "number", f"{number!r} is outside 1-{len(year)} for this pay group in {tax_year}"
        )
    return year[number - 1]


def _monthly_pay_dates(
    rule: PayCalendarRule, first: date, last: date, calendar: WorkingCalendar
) -> list[date]:
    dates = []
    # Thirteen months: a pay day on the 1st-5th of April belongs to the year before.
    for offset in range(13):
        year, month = divmod(first.month - 1 + offset, 12)
        year, month = first.year + year, month + 1
        month_end = gregorian.monthrange(year, month)[1]
        if rule.pay_day is PayDayRule.FIXED_DAY:
            assert rule.fixed_day is not None  # checked with the rule
            pay_date = date(year, month, min(rule.fixed_day, month_end))
        else:
            if date(year, month, month_end) > last:
                continue  # the last working day of April is never in the year before
            pay_date = _on_or_before(calendar, rule.region, date(year, month, month_end))
        if first <= pay_date <= last:
            dates.append(pay_date)
    return dates


def _cycle_pay_dates(rule: PayCalendarRule, first: date, last: date) -> list[date]:
    assert rule.anchor_date is not None  # checked with the rule
    cycle = CYCLE_DAYS[rule.frequency]
    # The first date of the anchor's cycle on or after 6 April, forwards or back from it.
    pay_date = rule.anchor_date + timedelta(
        days=-((rule.anchor_date - first).days // cycle) * cycle
    )
    dates = []
    while pay_date <= last:
        dates.append(pay_date)
        pay_date += timedelta(days=cycle)
    return dates


def _period(
    rule: PayCalendarRule, tax_year: str, number: int, pay_date: date, calendar: WorkingCalendar
) -> PayPeriod:
    frequency = rule.frequency
    shape = SHAPES[frequency]
    covered_to = pay_date - timedelta(days=rule.pay_in_arrears_days)
    if frequency is PayFrequency.MONTHLY:
        payment_date = (
            pay_date
            if rule.pay_day is PayDayRule.LAST_WORKING_DAY
            else _on_or_before(calendar, rule.region, pay_date)
        )
        start = covered_to.replace(day=1)
        end = covered_to.replace(day=gregorian.monthrange(covered_to.year, covered_to.month)[1])
        unit_number = tax_month(pay_date)
        tax_period, extra = unit_number, False
    else:
        payment_date = _on_or_before(calendar, rule.region, pay_date)
        start, end = covered_to - timedelta(days=CYCLE_DAYS[frequency] - 1), covered_to
        week = tax_week(pay_date)
        extra = week == WEEK_53
        if extra:
            tax_period = shape.last_period
            unit_number = shape.unit_number(tax_period)  # 53, 54 or 56
        else:
            tax_period = -(-week // shape.units_per_period)
            unit_number = week
    return PayPeriod(
        tax_year=tax_year,
        frequency=frequency,
        number=number,
        start=start,
        end=end,
        pay_date=pay_date,
        payment_date=payment_date,
        tax_period=tax_period,
        week_or_month_number=unit_number,
        fps_frequency=FPS_FREQUENCY[frequency],
        week53_basis=extra,
    )


def _on_or_before(calendar: WorkingCalendar, region: Where | str, day: date) -> date:
    try:
        return calendar.on_or_before(_region(region), day)
    except OutsideCalendar:
        raise PayCalendarError(
            "tax_year",
            f"the bank holidays of {calendar.first_year}-{calendar.last_year} are known; "
            f"{day.isoformat()} is outside them",
        ) from None


def _pay_day(value: str) -> PayDayRule:
    try:
        return PayDayRule(value)
    except ValueError:
        allowed = ", ".join(rule.value for rule in PayDayRule)
        raise PayCalendarError("pay_day", f"{value!r} is not one of {allowed}") from None


def _region(value: str) -> Where:
    if isinstance(value, HomeRegion | Division):
        return value
    for kind in (HomeRegion, Division):
        try:
            return kind(value)
        except ValueError:
            pass
    allowed = ", ".join(region.value for region in HomeRegion)
    raise PayCalendarError("region", f"{value!r} is not one of {allowed}")
