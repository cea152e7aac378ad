"""UTC helpers: SQLite hands back naive datetimes, PostgreSQL aware ones; we speak UTC with `Z`."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
