"""The bank holidays of a region in a year, within the years the calendar covers."""

from __future__ import annotations

from datetime import date

from sop_hr.calendar.ports import BankHolidays
from sop_shared.calendar import BankHoliday, HomeRegion
from sop_shared.errors import ValidationFailed


def bank_holidays_in(calendar: BankHolidays, region: HomeRegion, year: int) -> list[BankHoliday]:
    if not calendar.first_year <= year <= calendar.last_year:
        raise ValidationFailed(
            f"the bank holiday calendar covers {calendar.first_year} to {calendar.last_year}",
            errors=[("year", f"outside {calendar.first_year}-{calendar.last_year}")],
        )
    return calendar.bank_holidays(region, date(year, 1, 1), date(year, 12, 31))
