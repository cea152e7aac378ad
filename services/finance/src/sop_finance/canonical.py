"""What every canonical finance object carries, and the page shape ports return."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic_core import to_jsonable_python

from sop_shared.db import utcnow
from sop_shared.ids import uuid7

T = TypeVar("T")


@dataclass(kw_only=True)
class Record:
    """Identity, version and timestamps: the same on every adapter."""

    id: uuid.UUID = field(default_factory=uuid7)
    version: int = 1
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)


@dataclass
class Slice(Generic[T]):
    """One page of a list as a port returns it: items and the cursor for the next page."""

    items: list[T]
    next_cursor: str | None = None


def snapshot(obj: object) -> dict[str, Any]:
    """A canonical object as JSON-safe data (money as strings), for audit events."""
    return to_jsonable_python(obj)
