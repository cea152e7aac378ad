"""Tables generated from the entity metadata, a sequence for generated ids, and row queries."""

from __future__ import annotations

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

from sop_sap_like.edm import (
    BOOLEAN,
    DATETIME,
    DATETIMEOFFSET,
    DECIMAL,
    INT32,
    INT64,
    EntitySet,
    Prop,
)
from sop_simulation import ROWID as SIM_ROWID
from sop_simulation import VERSION as SIM_VERSION
from sop_simulation import RowStore

ROWID = SIM_ROWID
VERSION = SIM_VERSION

_BIGINT_PK = BigInteger().with_variant(Integer(), "sqlite")


def _column_type(prop: Prop) -> TypeEngine[Any]:
    types: dict[str, TypeEngine[Any]] = {
        INT32: Integer(),
        INT64: BigInteger(),
        DECIMAL: Numeric(24, 6, asdecimal=True),
        BOOLEAN: Boolean(),
        DATETIME: Date(),
        DATETIMEOFFSET: DateTime(),
    }
    return types.get(prop.type, String(prop.max_length) if prop.max_length else String())


class Store(RowStore):
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
