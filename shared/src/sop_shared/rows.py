"""What native adapters share between their tables and their records: a table class's Core
table, a row as a record (instants in UTC, whatever the database hands back), a record's
values for a table, the dialect's INSERT (ON CONFLICT on PostgreSQL and SQLite alike), and the
tenant-bound store their stores build on."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from sqlalchemy import Select, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.errors import NotFound, PreconditionFailed
from sop_shared.pagination import PageRequest, RecordPage, keyset_page
from sop_shared.timeutil import as_utc

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")  # a record
NEVER_COPIED = frozenset({"id", "tenant", "version", "created_at", "updated_at"})


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table class (SQLModel sets `__table__` but does not declare it)."""
    mapped: Any = model
    table: Table = mapped.__table__
    return table


def to_domain(row: Any, cls: type[D], **override: Any) -> D:
    """Build the record (a dataclass) from a row's same-named attributes (instants in UTC:
    SQLite hands them back naive)."""
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
    """The dialect's INSERT, which offers ON CONFLICT DO NOTHING/UPDATE on both databases."""
    name = session.get_bind().dialect.name
    return sqlite.insert if name == "sqlite" else postgresql.insert


R = TypeVar("R", bound=SQLModel)  # a table class


class TenantStore:
    """A native adapter's store bound to one session and one tenant: there is no query path
    without it. Rows it writes are stamped (created_at, updated_at) with `clock`, the kernel's.
    A service's base store names its counter table (`sequences`: tenant, name, value) and the
    problems a stale or vanished record raise."""

    sequences: ClassVar[type[SQLModel]]
    gone: ClassVar[type[Exception]] = NotFound
    stale: ClassVar[type[Exception]] = PreconditionFailed

    def __init__(self, session: AsyncSession, tenant: str, clock: Clock = SYSTEM_CLOCK) -> None:
        if not tenant:
            raise PermissionError("a store needs the current tenant")
        self.session = session
        self.tenant = tenant
        self.clock = clock

    def select(self, table: type[R]) -> Select[R]:
        """Rows of `table` (a tenant table: TenantScopedFields' columns) of this tenant only."""
        t: Any = table
        stmt: Select[R] = select(table).where(t.tenant == self.tenant)
        return stmt

    async def row(self, table: type[R], row_id: uuid.UUID, *, lock: bool = False) -> R | None:
        t: Any = table
        stmt = self.select(table).where(t.id == row_id)
        if lock:
            stmt = stmt.with_for_update()
        found: R | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found

    async def insert_row(
        self, table: type[R], obj: Any, *, skip: frozenset[str] = frozenset(), **extra: Any
    ) -> R:
        now = self.clock.now()  # whatever the record in hand carried: the store stamps rows
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
            raise self.gone(f"{table_of(table).name} {obj.id} no longer exists")
        row: Any = found  # a tenant table: versioned, with updated_at
        if row.version != obj.version:
            raise self.stale("the resource was changed by a concurrent request")
        for name, value in {**row_values(obj, table, skip=skip), **extra}.items():
            setattr(row, name, value)
        row.updated_at = self.clock.now()
        await self.session.flush()  # VersionedMixin: UPDATE ... WHERE version = read version
        return found

    async def page_rows(
        self, stmt: Select[R], table: type[R], page: PageRequest
    ) -> tuple[list[R], str | None]:
        """One page of `stmt`'s rows in id order, and the next page's cursor."""
        t: Any = table
        rows, cursor = await keyset_page(self.session, stmt, t.id, page)
        return list(rows), cursor

    async def page(
        self,
        stmt: Select[R],
        table: type[R],
        page: PageRequest,
        cls: type[D],
        **override: Any,
    ) -> RecordPage[D]:
        rows, cursor = await self.page_rows(stmt, table, page)
        return RecordPage([to_domain(r, cls, **override) for r in rows], cursor)

    async def take_number(self, name: str, prefix: str, width: int = 6) -> str:
        """The tenant's next business number for `name` ("JNL-000042"). The counter row stays
        locked until the transaction ends, so numbers are gap-free and never reused."""
        first = await self.reserve_numbers(name, 1)
        return f"{prefix}-{first:0{width}d}"

    async def reserve_numbers(self, name: str, count: int) -> int:
        """Take `count` consecutive numbers of the tenant's `name` counter; returns the first."""
        insert = insert_for(self.session)
        t = table_of(self.sequences)
        stmt = insert(t).values(tenant=self.tenant, name=name, value=count)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.tenant, t.c.name], set_={"value": t.c.value + count}
        ).returning(t.c.value)
        last: int = (await self.session.execute(stmt)).scalar_one()
        return last - count + 1
