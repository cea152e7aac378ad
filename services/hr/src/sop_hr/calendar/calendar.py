"""The working calendar: weekends and the bank holidays of each UK division, read from a
GOV.UK-format data file, and working-day counting for absences."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from sop_shared.errors import ValidationFailed

UK = ZoneInfo("Europe/London")


def uk_today() -> date:
    """Today in the UK: HR dates (start, leaving, absence) are civil dates in London."""
    return datetime.now(UK).date()


class HomeRegion(StrEnum):
    """Where an employee is based, which decides their bank holidays (and tax regime)."""

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


@dataclass(frozen=True, slots=True)
class BankHoliday:
    date: date
    title: str
    substitute: bool


class OutsideCalendar(ValidationFailed):
    """A date in a year the bank holiday data does not cover: counting it would be a guess."""

    slug, title = "outside-calendar", "Date outside the bank holiday calendar"


class WorkingCalendar:
    """Monday to Friday, less the bank holidays of the employee's division."""

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
        """From a GOV.UK `bank-holidays.json` file, or the copy shipped with HR."""
        if path is None:
            text = resources.files(__package__).joinpath("bank_holidays.json").read_text("utf-8")
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

    def bank_holidays(self, region: HomeRegion, start: date, end: date) -> list[BankHoliday]:
        days = self._by_division[DIVISION_OF[region]]
        return [h for d, h in days.items() if start <= d <= end]

    def is_working_day(self, region: HomeRegion, day: date) -> bool:
        self._check(day, day)
        return day.weekday() < 5 and day not in self._by_division[DIVISION_OF[region]]

    def working_days(self, region: HomeRegion, start: date, end: date) -> int:
        """Working days from `start` to `end` inclusive (0 when end is before start)."""
        if end < start:
            return 0
        self._check(start, end)
        holidays = self._by_division[DIVISION_OF[region]]
        count = 0
        day = start
        while day <= end:
            if day.weekday() < 5 and day not in holidays:
                count += 1
            day += timedelta(days=1)
        return count
