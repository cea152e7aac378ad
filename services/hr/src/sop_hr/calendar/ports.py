"""What HR needs of a calendar: the bank holidays of a region and the years they cover. The
kernel's `WorkingCalendar` (GOV.UK's published dates) provides it for every adapter."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from sop_shared.calendar import BankHoliday, HomeRegion


class BankHolidays(Protocol):
    first_year: int
    last_year: int

    def bank_holidays(self, where: HomeRegion, start: date, end: date) -> list[BankHoliday]: ...
