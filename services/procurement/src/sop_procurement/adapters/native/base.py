"""Plumbing the native stores share: tenant-scoped selects, mapping rows to records,
versioned updates, keyset pages and gap-free numbers."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from sop_procurement.adapters.native.tables import SequenceRow, table_of
from sop_procurement.ports import PageRequest, RecordGone, RecordPage, StaleRecord
from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.pagination import keyset_page
from sop_shared.timeutil import as_utc

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")  # a record
R = TypeVar("R", bound=SQLModel)  # a table class
NEVER_COPIED = frozenset({"id", "tenant", "version", "created_at", "updated_at"})


def to_domain(row: Any, cls: type[D], **override: Any) -> D:
    """Build the record (a dataclass) from a row's same-named attributes (instants in UTC,
    whatever the database hands back)."""
    values = {}
    for f in fields(cls):
        if f.name in override:
            values[f.name] = override[f.name]
        elif hasattr(row, f.name):
            value = getattr(row, f.name)
            values[f.name] = as_utc(value) if isinstance(value, datetime) else value
    return cls(**values)


def row_values(
    obj: Any, table: type[SQLModel], *, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The record's values for the table's columns (never identity or version)."""
    columns = table_of(table).columns.keys()
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

    def __init__(self, session: AsyncSession, tenant: str, clock: Clock = SYSTEM_CLOCK) -> None:
        if not tenant:
            raise PermissionError("a store needs the current tenant")
        self.session = session
        self.tenant = tenant
        self.clock = clock

    def select(self, table: type[R]) -> Select[R]:
        t: Any = table
        return select(table).where(t.tenant == self.tenant)

    async def row(self, table: type[R], row_id: uuid.UUID, *, lock: bool = False) -> R | None:
        t: Any = table
        stmt = self.select(table).where(t.id == row_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def insert_row(
        self, table: type[R], obj: Any, *, skip: frozenset[str] = frozenset(), **extra: Any
    ) -> R:
        now = self.clock.now()
        row = table(
            id=obj.id,
            tenant=self.tenant,
            created_at=now,
            updated_at=now,
            **{**row_values(obj, table, skip=skip), **extra},
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def update_row(
        self, table: type[R], obj: Any, *, skip: frozenset[str] = frozenset(), **extra: Any
    ) -> R:
        found = await self.row(table, obj.id)
        if found is None:
            raise RecordGone(f"{table_of(table).name} {obj.id} no longer exists")
        row: Any = found
        if row.version != obj.version:
            raise StaleRecord("the resource was changed by a concurrent request")
        for name, value in {**row_values(obj, table, skip=skip), **extra}.items():
            setattr(row, name, value)
        row.updated_at = self.clock.now()
        await self.session.flush()  # VersionedMixin: UPDATE ... WHERE version = read version
        return found

    async def page_rows(
        self, stmt: Select[R], table: type[R], page: PageRequest
    ) -> tuple[list[R], str | None]:
        t: Any = table
        rows, cursor = await keyset_page(self.session, stmt, t.id, page)
        return list(rows), cursor

    async def page(
        self, stmt: Select[R], table: type[R], page: PageRequest, cls: type[D]
    ) -> RecordPage[D]:
        rows, cursor = await self.page_rows(stmt, table, page)
        return RecordPage([to_domain(r, cls) for r in rows], cursor)

    async def take_number(self, name: str, prefix: str, width: int = 6) -> str:
        """The tenant's next business number for `name` ("PO-000042"). The counter row stays
        locked until the transaction ends, so numbers are gap-free and never reused."""
        insert = insert_for(self.session)
        t = table_of(SequenceRow)
        stmt = insert(t).values(tenant=self.tenant, name=name, value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.tenant, t.c.name], set_={"value": t.c.value + 1}
        ).returning(t.c.value)
        value: int = (await self.session.execute(stmt)).scalar_one()
        return f"{prefix}-{value:0{width}d}"
