"""Keyset pagination: `?limit=&cursor=`, `{"items": [...], "next_cursor": ...}` and a
`Link: rel="next"` header. Ordered by time-ordered id, so pages stay stable under writes."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from sop_shared.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page of a list as a port receives it: at most `limit` items after `cursor` (an
    adapter's own opaque `next_cursor`, handed back unchanged)."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class RecordPage(Generic[T]):
    """What a port returns for a page: items in a stable order and the cursor of the next
    page, or None on the last."""

    items: Sequence[T]
    next_cursor: str | None = None


def page_request(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (max 500).")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=512, description="Opaque cursor from `next_cursor`.")
    ] = None,
) -> PageRequest:
    """Dependency: the page a list route was asked for."""
    return PageRequest(limit=limit, cursor=cursor)


PageRequestDep = Annotated[PageRequest, Depends(page_request)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(last_id: uuid.UUID) -> str:
    raw = orjson.dumps({"v": 1, "after": last_id.hex})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = orjson.loads(raw)
        return uuid.UUID(hex=data["after"])
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise ValidationFailed(
            "cursor is not one this API issued", errors=[("cursor", "invalid cursor")]
        ) from None


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    id_column: Any,
    params: PageRequest,
    *,
    scalars: bool = True,
) -> tuple[Sequence[Any], str | None]:
    """Run `stmt` for one page: rows after the cursor, ordered by `id_column` (ORM objects, or
    Core rows with `scalars=False`). A cursor this API did not issue is a 422."""
    after = decode_cursor(params.cursor) if params.cursor else None
    if after is not None:
        stmt = stmt.where(id_column > after)
    stmt = stmt.order_by(id_column).limit(params.limit + 1)
    result = await session.execute(stmt)
    rows = list(result.scalars().all() if scalars else result.all())
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        next_cursor = encode_cursor(rows[-1].id)
    return rows, next_cursor


def link_next(request: Request, response: Response, next_cursor: str | None) -> None:
    if next_cursor:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
