"""The kernel clock: "now" in UTC and "today" in the UK (Europe/London), one source for every
service, injectable in tests (`FixedClock`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


class Clock(Protocol):
    """What a service asks of the time. Business dates (absences, periods, pay dates, BACS
    processing days) are UK civil dates; instants (`posted_at`, audit times) are UTC."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    def today(self) -> date:
        """Today's date in the UK: between 00:00 and 01:00 BST it is already tomorrow's UTC
        date's day, and a year or period that turns at midnight turns in London."""
        ...


def uk_date(moment: datetime) -> date:
    """The UK civil date of an instant (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UK).date()


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(UK).date()


class FixedClock:
    """A clock that stands still until told to move (tests)."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = now.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return uk_date(self._now)

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = now.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


SYSTEM_CLOCK = SystemClock()
