"""Tables generated from the entity metadata, a sequence for generated ids, and row queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import TypeEngine

from sop_sap_like.edm import (
    BOOLEAN,
    DATETIME,
    DATETIMEOFFSET,
    DECIMAL,
    INT32,
    INT64,
    EntitySet,
    Prop,
    Row,
)

ROWID = "_rowid"
VERSION = "_version"

_BIGINT_PK = BigInteger().with_variant(Integer(), "sqlite")


def _column_type(prop: Prop) -> TypeEngine[Any]:
    return {
        INT32: Integer(),
        INT64: BigInteger(),
        DECIMAL: Numeric(24, 6, asdecimal=True),
        BOOLEAN: Boolean(),
        DATETIME: Date(),
        DATETIMEOFFSET: DateTime(),
    }.get(prop.type, String(prop.max_length) if prop.max_length else String())


class Store:
    """One table per entity set, plus a table of named sequences."""

    def __init__(self, entity_sets: Sequence[EntitySet]) -> None:
        self.metadata = MetaData()
        self._tables: dict[str, Table] = {}
        for es in entity_sets:
            columns = [
                Column(ROWID, _BIGINT_PK, primary_key=True, autoincrement=True),
                Column(VERSION, Integer(), nullable=False, default=1),
                *(Column(p.name, _column_type(p)) for p in es.props),
            ]
            table = Table(es.table_name, self.metadata, *columns)
            Index(f"ix_{es.table_name}_key", *(table.c[k.name] for k in es.keys))
            self._tables[es.name] = table
        self.sequences = Table(
            "sf_sequences",
            self.metadata,
            Column("name", String(64), primary_key=True),
            Column("value", BigInteger(), nullable=False),
        )

    def table(self, es: EntitySet) -> Table:
        return self._tables[es.name]

    async def create_all(self, engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.run_sync(self.metadata.create_all)

    async def reset(self, engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            for table in reversed(self.metadata.sorted_tables):
                await conn.execute(delete(table))

    async def next_value(self, conn: AsyncConnection, name: str, start: int) -> int:
        seq = self.sequences
        result = await conn.execute(
            update(seq)
            .where(seq.c.name == name)
            .values(value=seq.c.value + 1)
            .returning(seq.c.value)
        )
        value = result.scalar_one_or_none()
        if value is None:
            await conn.execute(insert(seq).values(name=name, value=start))
            value = start
        return int(value)

    async def insert(self, conn: AsyncConnection, es: EntitySet, row: Row) -> Row:
        table = self.table(es)
        values = {k: v for k, v in row.items() if k in table.c and k != ROWID}
        values.setdefault(VERSION, 1)
        result = await conn.execute(insert(table).values(**values).returning(table.c[ROWID]))
        stored = {c.name: values.get(c.name) for c in table.c}
        stored[ROWID] = result.scalar_one()
        return stored

    async def update(self, conn: AsyncConnection, es: EntitySet, rowid: int, changes: Row) -> None:
        table = self.table(es)
        values = {k: v for k, v in changes.items() if k in table.c and k != ROWID}
        if values:
            await conn.execute(update(table).where(table.c[ROWID] == rowid).values(**values))

    async def delete_rows(self, conn: AsyncConnection, es: EntitySet, rowids: list[int]) -> None:
        if rowids:
            table = self.table(es)
            await conn.execute(delete(table).where(table.c[ROWID].in_(rowids)))

    async def fetch(
        self,
        conn: AsyncConnection,
        es: EntitySet,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Row]:
        table = self.table(es)
        stmt = select(table).where(*where).order_by(*order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        result = await conn.execute(stmt)
        return [dict(r._mapping) for r in result]

    async def count(
        self, conn: AsyncConnection, es: EntitySet, where: Sequence[ColumnElement[bool]] = ()
    ) -> int:
        table = self.table(es)
        result = await conn.execute(select(func.count()).select_from(table).where(*where))
        return int(result.scalar_one())
