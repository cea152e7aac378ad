"""HTTP plumbing every HR router shares: list parameters, pages, optional If-Match on actions,
and the wire form of decimal quantities (FTE, days)."""

# No `from __future__ import annotations` here: FastAPI must resolve the dependencies'
# annotations at import time.

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request, Response
from pydantic import PlainSerializer, WithJsonSchema

from sop_shared.concurrency import require_if_match
from sop_shared.pagination import Page, link_next
from sop_shared.timeutil import as_utc

T = TypeVar("T")


def _quantity_text(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


Quantity = Annotated[
    Decimal,
    PlainSerializer(_quantity_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["0.6", "12.5"]}),
]
"""A decimal quantity on the wire as a string without trailing zeros ("0.6", "12.5", "1")."""


UpdatedSince = Annotated[
    datetime | None,
    Query(description="Only items changed at or after this time (UTC if no offset is given)."),
]


def since(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def page(
    request: Request, response: Response, items: Sequence[Any], next_cursor: str | None
) -> Page[Any]:
    link_next(request, response, next_cursor)
    return Page[Any](items=list(items), next_cursor=next_cursor)


def check_if_match_when_sent(request: Request, version: int) -> None:
    """Actions (POST .../approve) accept If-Match to guard against a concurrent change, but do
    not require it: the action itself names the change."""
    if "if-match" in request.headers:
        require_if_match(request, version)
