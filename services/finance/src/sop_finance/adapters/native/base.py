"""Plumbing the native stores share: tenant-scoped selects, mapping, versioned updates."""

from __future__ import annotations

import uuid
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from sop_finance.adapters.native.tables import SequenceRow
from sop_finance.ports import RecordPage
from sop_shared.db import utcnow
from sop_shared.errors import NotFound, PreconditionFailed
from sop_shared.pagination import PageRequest, keyset_page

D = TypeVar("D")
NEVER_COPIED = frozenset({"id", "tenant", "version", "created_at", "updated_at"})


def to_domain(row: Any, cls: type[D], **override: Any) -> D:
    """Build the canonical dataclass from a row's same-named attributes."""
    values = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in override:
            values[f.name] = override[f.name]
        elif hasattr(row, f.name):
            values[f.name] = getattr(row, f.name)
    return cls(**values)


def row_values(obj: Any, table: type[Any], *, skip: frozenset[str] = frozenset()) -> dict:
    """The canonical object's values for the table's columns (never identity or version)."""
    columns = table.__table__.columns.keys()
    return {
        name: getattr(obj, name)
        for name in columns
        if name not in NEVER_COPIED and name not in skip and hasattr(obj, name)
    }


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which offers ON CONFLICT DO UPDATE on both PostgreSQL and SQLite."""
    name = session.bind.dialect.name if session.bind is not None else "postgresql"
    return sqlite.insert if name == "sqlite" else postgresql.insert


class NativeStore:
    """A store bound to one session and one tenant: there is no query path without it."""

    def __init__(self, session: AsyncSession, tenant: str) -> None:
        if not tenant:
            raise PermissionError("a store needs the current tenant")
        self.session = session
        self.tenant = tenant

    def select(self, table: type[Any]) -> Select[Any]:
        return select(table).where(table.tenant == self.tenant)

    async def row(self, table: type[Any], row_id: uuid.UUID, *, lock: bool = False) -> Any:
        stmt = self.select(table).where(table.id == row_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def insert_row(self, table: type[Any], obj: Any, **extra: Any) -> Any:
        row = table(
            id=obj.id,
            tenant=self.tenant,
            created_at=obj.created_at,
            updated_at=obj.updated_at,
            **{**row_values(obj, table), **extra},
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def update_row(
        self, table: type[Any], obj: Any, *, skip: frozenset[str] = frozenset(), **extra: Any
    ) -> Any:
        row = await self.row(table, obj.id)
        if row is None:
            raise NotFound(f"{table.__tablename__} {obj.id} no longer exists")
        if row.version != obj.version:
            raise PreconditionFailed("the resource was changed by a concurrent request")
        for name, value in {**row_values(obj, table, skip=skip), **extra}.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        await self.session.flush()  # VersionedMixin: UPDATE ... WHERE version = read version
        return row

    async def page(
        self, stmt: Select[Any], table: type[Any], page: PageRequest, cls: type[D], **override: Any
    ) -> RecordPage[D]:
        rows, cursor = await keyset_page(self.session, stmt, table.id, page)
        return RecordPage([to_domain(r, cls, **override) for r in rows], cursor)

    async def next_number(self, name: str, prefix: str, width: int = 6) -> str:
        """The tenant's next business number for `name` ("JNL-000042"). The counter row stays
        locked until the transaction ends, so numbers are gap-free and never reused."""
        first = await self.reserve_numbers(name, 1)
        return f"{prefix}-{first:0{width}d}"

    async def reserve_numbers(self, name: str, count: int) -> int:
        """Take `count` consecutive numbers of the tenant's `name` counter; returns the first."""
        insert = insert_for(self.session)
        t = SequenceRow.__table__
        stmt = insert(t).values(tenant=self.tenant, name=name, value=count)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.tenant, t.c.name], set_={"value": t.c.value + count}
        ).returning(t.c.value)
        last = (await self.session.execute(stmt)).scalar_one()
        return last - count + 1
