"""Plumbing the native records share: keyset pages and version-checked updates."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Select

from sop_hr.ports import InvalidCursor, PageRequest, RecordGone, RecordPage, StaleRecord
from sop_shared.errors import ValidationFailed
from sop_shared.pagination import decode_cursor, encode_cursor
from sop_shared.repository import TenantRepository

Row = TypeVar("Row")
Item = TypeVar("Item")


async def keyset(
    repo: TenantRepository[Row],
    stmt: Select[Any],
    page: PageRequest,
    to_item: Callable[[Row], Item],
) -> RecordPage[Item]:
    """One page of `stmt` in id order (ids are time-ordered, so: creation order)."""
    model: Any = repo.model
    if page.cursor:
        try:
            after = decode_cursor(page.cursor)
        except ValidationFailed:
            raise InvalidCursor() from None
        stmt = stmt.where(model.id > after)
    rows = list(await repo.all(stmt.order_by(model.id).limit(page.limit + 1)))
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        next_cursor = encode_cursor(rows[-1].id)  # type: ignore[attr-defined]
    return RecordPage(items=[to_item(r) for r in rows], next_cursor=next_cursor)


async def replace(
    repo: TenantRepository[Row], row_id: uuid.UUID, version: int, values: Mapping[str, Any]
) -> Row:
    """Overwrite a row's fields if it is still at `version` (the version bumps on flush)."""
    row: Any = await repo.get(row_id)
    if row is None:
        raise RecordGone(f"{repo.model.__tablename__} {row_id} no longer exists")  # type: ignore[attr-defined]
    if row.version != version:
        raise StaleRecord(f"the record is at version {row.version}, not {version}; read it again")
    for name, value in values.items():
        setattr(row, name, value)
    await repo.touch(row)
    return row
