"""Tables generated from the resource metadata, the id sequence, and the row-level queries."""

from __future__ import annotations

import zlib
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

from sop_oracle_like.model import Attr, Resource, Row

ROWID = "_rowid"
PARENT = "_parent"
VERSION = "_version"
INTERNAL = (ROWID, PARENT, VERSION)

# Oracle Fusion ids come from one database sequence; 15 digits, like 300100180001242.
ID_SEQUENCE = "fusion_ids"
ID_START = 300_100_180_001_000
PERSON_NUMBER_SEQUENCE = "person_numbers"
PERSON_NUMBER_START = 100_001

_BIGINT_PK = BigInteger().with_variant(Integer(), "sqlite")


def _index_name(table: str, suffix: str) -> str:
    # PostgreSQL truncates identifiers at 63 characters; deep child tables need shortening.
    name = f"ix_{table}_{suffix}"
    if len(name) <= 63:
        return name
    return f"ix_{table[:40]}_{zlib.crc32(table.encode()):08x}_{suffix}"


def _column_type(attr: Attr) -> TypeEngine[Any]:
    if attr.kind == "integer":
        return BigInteger()
    if attr.kind == "number":
        return Numeric(24, 6, asdecimal=True)
    if attr.kind == "date":
        return Date()
    if attr.kind == "datetime":
        return DateTime()
    if attr.kind == "boolean":
        return Boolean()
    return String(attr.max_length) if attr.max_length else String()


class Store:
    """The simulator's tables: one per resource, plus the sequences."""

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.metadata = MetaData()
        self._tables: dict[Resource, Table] = {}
        for top in resources:
            for res in top.walk():
                self._tables[res] = self._build(res)
        self.sequences = Table(
            "ora_sequences",
            self.metadata,
            Column("name", String(64), primary_key=True),
            Column("value", BigInteger(), nullable=False),
        )

    def _build(self, res: Resource) -> Table:
        columns = [
            Column(ROWID, _BIGINT_PK, primary_key=True, autoincrement=True),
            Column(PARENT, BigInteger(), nullable=True),
            Column(VERSION, Integer(), nullable=False, default=1),
        ]
        columns += [Column(a.name, _column_type(a)) for a in res.all_attrs]
        table = Table(res.table_name, self.metadata, *columns)
        Index(_index_name(res.table_name, "id"), table.c[res.id_attr])
        Index(_index_name(res.table_name, "parent"), table.c[PARENT])
        return table

    def table(self, res: Resource) -> Table:
        return self._tables[res]

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

    async def next_id(self, conn: AsyncConnection) -> int:
        return await self.next_value(conn, ID_SEQUENCE, ID_START)

    async def insert(self, conn: AsyncConnection, res: Resource, row: Row) -> Row:
        table = self.table(res)
        values = {k: v for k, v in row.items() if k in table.c and k != ROWID}
        values.setdefault(VERSION, 1)
        result = await conn.execute(insert(table).values(**values).returning(table.c[ROWID]))
        stored = dict(values)
        stored[ROWID] = result.scalar_one()
        for column in table.c:
            stored.setdefault(column.name, None)
        return stored

    async def update(self, conn: AsyncConnection, res: Resource, rowid: int, changes: Row) -> None:
        table = self.table(res)
        values = {k: v for k, v in changes.items() if k in table.c and k != ROWID}
        if values:
            await conn.execute(update(table).where(table.c[ROWID] == rowid).values(**values))

    async def delete_rows(self, conn: AsyncConnection, res: Resource, rowids: list[int]) -> None:
        if rowids:
            table = self.table(res)
            await conn.execute(delete(table).where(table.c[ROWID].in_(rowids)))

    async def fetch(
        self,
        conn: AsyncConnection,
        res: Resource,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Row]:
        table = self.table(res)
        stmt = select(table).where(*where).order_by(*order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        result = await conn.execute(stmt)
        return [dict(r._mapping) for r in result]

    async def count(
        self, conn: AsyncConnection, res: Resource, where: Sequence[ColumnElement[bool]] = ()
    ) -> int:
        table = self.table(res)
        result = await conn.execute(select(func.count()).select_from(table).where(*where))
        return int(result.scalar_one())
