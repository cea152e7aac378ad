"""Plumbing the native records share: keyset pages, new rows and version-checked updates."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import Select
from sqlmodel import col

from sop_hr.ports import InvalidCursor, PageRequest, RecordGone, RecordPage, StaleRecord
from sop_shared.errors import ValidationFailed
from sop_shared.pagination import decode_cursor, encode_cursor
from sop_shared.repository import TenantRepository


class TenantRow(Protocol):
    """What these helpers use of a native table's row (every one has the kernel's
    `TenantScopedFields`: an id and a version among them)."""

    __tablename__: ClassVar[str]
    id: uuid.UUID
    version: int


Row = TypeVar("Row", bound=TenantRow)
Item = TypeVar("Item")


async def keyset(
    repo: TenantRepository[Row],
    stmt: Select[Any],
    page: PageRequest,
    to_item: Callable[[Row], Item],
) -> RecordPage[Item]:
    """One page of `stmt` in id order (ids are time-ordered, so: creation order)."""
    row_id = col(repo.model.id)
    if page.cursor:
        try:
            after = decode_cursor(page.cursor)
        except ValidationFailed:
            raise InvalidCursor() from None
        stmt = stmt.where(row_id > after)
    rows = list(await repo.all(stmt.order_by(row_id).limit(page.limit + 1)))
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        next_cursor = encode_cursor(rows[-1].id)
    return RecordPage(items=[to_item(r) for r in rows], next_cursor=next_cursor)


async def insert(repo: TenantRepository[Row], row_id: uuid.UUID, values: Mapping[str, Any]) -> Row:
    """Add the row of a new record under the record's id (the repository sets the tenant).

    The id is set after construction: it and the tenant come from the kernel's
    `TenantScopedFields`, a plain mixin, so the constructor SQLModel declares to type checkers
    does not list them (at run time pydantic finds them on the mixin all the same)."""
    row = repo.model(**values)
    row.id = row_id
    return await repo.add(row)


async def replace(
    repo: TenantRepository[Row], row_id: uuid.UUID, version: int, values: Mapping[str, Any]
) -> Row:
    """Overwrite a row's fields if it is still at `version` (the version bumps on flush)."""
    row = await repo.get(row_id)
    if row is None:
        raise RecordGone(f"{repo.model.__tablename__} {row_id} no longer exists")
    if row.version != version:
        raise StaleRecord(f"the record is at version {row.version}, not {version}; read it again")
    for name, value in values.items():
        setattr(row, name, value)
    await repo.touch(row)
    return row
