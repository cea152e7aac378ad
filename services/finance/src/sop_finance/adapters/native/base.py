"""Plumbing the native stores share: tenant-scoped selects, mapping, versioned updates."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from sop_finance.adapters.native.tables import SequenceRow
from sop_finance.ports import PageRequest, RecordGone, RecordPage, StaleRecord
from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.pagination import keyset_page
from sop_shared.rows import insert_for, row_values, table_of, to_domain

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")  # a record
R = TypeVar("R", bound=SQLModel)  # a table class


class NativeStore:
    """A store bound to one session and one tenant: there is no query path without it. Rows it
    writes are stamped (created_at, updated_at) with `clock`, the kernel's."""

    def __init__(self, session: AsyncSession, tenant: str, clock: Clock = SYSTEM_CLOCK) -> None:
        if not tenant:
            raise PermissionError("a store needs the current tenant")
        self.session = session
        self.tenant = tenant
        self.clock = clock

    def select(self, table: type[R]) -> Select[R]:
        """Rows of `table` (a tenant table: TenantScopedFields' columns) of this tenant only."""
        t: Any = table
        return select(table).where(t.tenant == self.tenant)

    async def row(self, table: type[R], row_id: uuid.UUID, *, lock: bool = False) -> R | None:
        t: Any = table
        stmt = self.select(table).where(t.id == row_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def insert_row(self, table: type[R], obj: Any, **extra: Any) -> R:
        now = self.clock.now()  # whatever the record in hand carried: the store stamps rows
        row = table(
            id=obj.id,
            tenant=self.tenant,
            created_at=now,
            updated_at=now,
            **{**row_values(obj, table), **extra},
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
        row: Any = found  # a tenant table: versioned, with updated_at
        if row.version != obj.version:
            raise StaleRecord("the resource was changed by a concurrent request")
        for name, value in {**row_values(obj, table, skip=skip), **extra}.items():
            setattr(row, name, value)
        row.updated_at = self.clock.now()
        await self.session.flush()  # VersionedMixin: UPDATE ... WHERE version = read version
        return found

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

    async def page_rows(
        self, stmt: Select[R], table: type[R], page: PageRequest
    ) -> tuple[list[R], str | None]:
        """One page of `stmt`'s rows in id order, and the next page's cursor."""
        t: Any = table
        rows, cursor = await keyset_page(self.session, stmt, t.id, page)
        return list(rows), cursor

    async def next_number(self, name: str, prefix: str, width: int = 6) -> str:
        """The tenant's next business number for `name` ("JNL-000042"). The counter row stays
        locked until the transaction ends, so numbers are gap-free and never reused."""
        first = await self.reserve_numbers(name, 1)
        return f"{prefix}-{first:0{width}d}"

    async def reserve_numbers(self, name: str, count: int) -> int:
        """Take `count` consecutive numbers of the tenant's `name` counter; returns the first."""
        insert = insert_for(self.session)
        t = table_of(SequenceRow)
        stmt = insert(t).values(tenant=self.tenant, name=name, value=count)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.tenant, t.c.name], set_={"value": t.c.value + count}
        ).returning(t.c.value)
        last: int = (await self.session.execute(stmt)).scalar_one()
        return last - count + 1
