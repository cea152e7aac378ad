"""Pay frequencies and pay periods: how many per year, and the week or month numbers they use."""

from __future__ import annotations

from enum import StrEnum

from sop_payroll.engine.errors import InvalidFrequency, InvalidPeriod
from sop_payroll.engine.records import record


class PayFrequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"


@record
class PeriodShape:
    """How a frequency maps onto PAYE's week or month tables.

    PAYE works in tax weeks (52 a year) or tax months (12). A fortnightly period is two
    weeks and a four-weekly period four, so their free pay and band limits are the week-1
    values times two or four, and period n ends in week n x 2 or n x 4.
    """

    frequency: PayFrequency
    unit: str  # "week" or "month"
    units_per_period: int
    units_per_year: int
    regular_periods: int
    last_period: int  # an extra period: week 53, 54 (fortnightly) or 56 (four-weekly)

    def unit_number(self, period: int) -> int:
        """The tax week or month number at the end of pay period `period`."""
        return period * self.units_per_period

    def is_extra_period(self, period: int) -> bool:
        """Week 53, 54 or 56: paid on a week-1 basis, never cumulatively."""
        return period > self.regular_periods

    def label(self, period: int) -> str:
        """How the period is named on a payslip: "month 3", "week 54"."""
        return f"{self.unit} {self.unit_number(period)}"


SHAPES: dict[PayFrequency, PeriodShape] = {
    PayFrequency.WEEKLY: PeriodShape(PayFrequency.WEEKLY, "week", 1, 52, 52, 53),
    PayFrequency.FORTNIGHTLY: PeriodShape(PayFrequency.FORTNIGHTLY, "week", 2, 52, 26, 27),
    PayFrequency.FOUR_WEEKLY: PeriodShape(PayFrequency.FOUR_WEEKLY, "week", 4, 52, 13, 14),
    PayFrequency.MONTHLY: PeriodShape(PayFrequency.MONTHLY, "month", 1, 12, 12, 12),
}


def pay_frequency(value: PayFrequency | str, *, field: str = "frequency") -> PayFrequency:
    """Accept the enum or its value ("four_weekly"); anything else is an InvalidFrequency."""
    if isinstance(value, PayFrequency):
        return value
    try:
        return PayFrequency(value)
    except ValueError:
        allowed = ", ".join(f.value for f in PayFrequency)
        raise InvalidFrequency(field, f"{value!r} is not one of {allowed}") from None


def period_shape(frequency: PayFrequency, period: int, *, field: str = "period") -> PeriodShape:
    """The frequency's shape, after checking the period number is in range for it."""
    shape = SHAPES[frequency]
    if isinstance(period, bool) or not isinstance(period, int):
        raise InvalidPeriod(field, f"must be a whole number, not {period!r}")
    if not 1 <= period <= shape.last_period:
        raise InvalidPeriod(
            field, f"{period} is outside 1-{shape.last_period} for {frequency.value} pay"
        )
    return shape
