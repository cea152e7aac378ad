"""Tables generated from the resource metadata, the id sequence, and the row-level queries."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    delete,
    insert,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import TypeEngine

from sop_oracle_like.model import Attr, Resource
from sop_simulation import ROWID as SIM_ROWID
from sop_simulation import VERSION as SIM_VERSION
from sop_simulation import RowStore

ROWID = SIM_ROWID
PARENT = "_parent"
VERSION = SIM_VERSION
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


class Store(RowStore):
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
