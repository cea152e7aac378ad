"""The kernel's working-day calendar: weekends and the bank holidays of each UK division, read
from a GOV.UK-format `bank-holidays.json` (a copy ships in `sop_shared/data`). HR counts absence
days with it, finance moves BACS processing days and payroll its pay dates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path

from sop_shared.errors import ValidationFailed


class HomeRegion(StrEnum):
    """Where a person or office is based, which decides the bank holidays (and tax regime)."""

    ENGLAND = "england"
    SCOTLAND = "scotland"
    WALES = "wales"
    NORTHERN_IRELAND = "northern-ireland"


class Division(StrEnum):
    """The three bank holiday calendars GOV.UK publishes."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


DIVISION_OF = {
    HomeRegion.ENGLAND: Division.ENGLAND_AND_WALES,
    HomeRegion.WALES: Division.ENGLAND_AND_WALES,
    HomeRegion.SCOTLAND: Division.SCOTLAND,
    HomeRegion.NORTHERN_IRELAND: Division.NORTHERN_IRELAND,
}

Where = HomeRegion | Division
"""A region (HR's home region of an employee) or a division (BACS runs on England and Wales's
days, whatever the department)."""


@dataclass(frozen=True, slots=True)
class BankHoliday:
    date: date
    title: str
    substitute: bool


class OutsideCalendar(ValidationFailed):
    """A date in a year the bank holiday data does not cover: counting it would be a guess."""

    slug, title = "outside-calendar", "Date outside the bank holiday calendar"


def _division(where: Where) -> Division:
    return where if isinstance(where, Division) else DIVISION_OF[where]


class WorkingCalendar:
    """Monday to Friday, less the bank holidays of a division."""

    def __init__(self, holidays: dict[Division, list[BankHoliday]]) -> None:
        missing = [d.value for d in Division if not holidays.get(d)]
        if missing:
            raise ValueError(f"bank holiday data has no events for {', '.join(missing)}")
        self._by_division = {
            division: {h.date: h for h in sorted(events, key=lambda h: h.date)}
            for division, events in holidays.items()
        }
        years = {d: {h.year for h in days} for d, days in self._by_division.items()}
        # The years every division covers without a gap: a count outside them would be a guess.
        self.first_year = max(min(y) for y in years.values())
        self.last_year = min(max(y) for y in years.values())

    @classmethod
    def load(cls, path: str | Path | None = None) -> WorkingCalendar:
        """From a GOV.UK `bank-holidays.json` file, or the copy shipped with the kernel."""
        if path is None:
            text = (
                resources.files("sop_shared")
                .joinpath("data", "bank_holidays.json")
                .read_text("utf-8")
            )
        else:
            text = Path(path).read_text("utf-8")
        data = json.loads(text)
        holidays: dict[Division, list[BankHoliday]] = {}
        for division in Division:
            events = data.get(division.value, {}).get("events", [])
            holidays[division] = [
                BankHoliday(
                    date=date.fromisoformat(e["date"]),
                    title=e["title"],
                    substitute="substitute" in (e.get("notes") or "").lower(),
                )
                for e in events
            ]
        return cls(holidays)

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    def _check(self, start: date, end: date) -> None:
        for field, day in (("start_date", start), ("end_date", end)):
            if not self.covers(day):
                raise OutsideCalendar(
                    f"the bank holiday calendar covers {self.first_year} to {self.last_year}; "
                    f"{day.isoformat()} is outside it",
                    errors=[(field, f"outside {self.first_year}-{self.last_year}")],
                )

    def bank_holidays(self, where: Where, start: date, end: date) -> list[BankHoliday]:
        days = self._by_division[_division(where)]
        return [h for d, h in days.items() if start <= d <= end]

    def is_working_day(self, where: Where, day: date) -> bool:
        self._check(day, day)
        return day.weekday() < 5 and day not in self._by_division[_division(where)]

    def working_days(self, where: Where, start: date, end: date) -> int:
        """Working days from `start` to `end` inclusive (0 when end is before start)."""
        if end < start:
            return 0
        self._check(start, end)
        holidays = self._by_division[_division(where)]
        count = 0
        day = start
        while day <= end:
            if day.weekday() < 5 and day not in holidays:
                count += 1
            day += timedelta(days=1)
        return count

    def on_or_after(self, where: Where, day: date) -> date:
        """`day` if it is a working day, else the next one."""
        while not self.is_working_day(where, day):
            day += timedelta(days=1)
        return day

    def on_or_before(self, where: Where, day: date) -> date:
        """`day` if it is a working day, else the last one before it (a pay date moved
        earlier over a weekend or bank holiday)."""
        while not self.is_working_day(where, day):
            day -= timedelta(days=1)
        return day

    def add_working_days(self, where: Where, day: date, count: int) -> date:
        """The working day `count` working days after `day` (before it when negative); `day`
        itself need not be a working day."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(where, day):
                remaining -= 1
        return day
