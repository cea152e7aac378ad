"""The simulators' storage: SQLite or PostgreSQL engines, transactions, and a shared row store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, event, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

__all__ = [
    "ROWID",
    "VERSION",
    "RowStore",
    "create_sim_engine",
    "ensure_schema",
    "read_connection",
    "write_transaction",
]


def create_sim_engine(url: str, *, schema: str | None = None, echo: bool = False) -> AsyncEngine:
    """An async engine for a simulator: a SQLite file (directory made) or PostgreSQL (asyncpg)."""
    sa_url = make_url(url)
    backend = sa_url.get_backend_name()
    if backend == "postgresql" and sa_url.drivername in ("postgresql", "postgres"):
        sa_url = sa_url.set(drivername="postgresql+asyncpg")
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        database = sa_url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = 30
    elif schema:
        connect_args["server_settings"] = {"search_path": schema}
    engine = create_async_engine(sa_url, echo=echo, connect_args=connect_args)
    if backend == "sqlite":
        _take_over_sqlite_transactions(engine)
    return engine


def _take_over_sqlite_transactions(engine: AsyncEngine) -> None:
    # The sqlite3 driver's legacy transaction mode ignores SAVEPOINT and delays BEGIN; the
    # simulators need real savepoints (upsert rows, batch parts), so SQLAlchemy emits BEGIN.
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # LIKE is case-sensitive in Oracle and PostgreSQL; make SQLite agree.
        cursor.execute("PRAGMA case_sensitive_like=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the lock up front, so two writers never deadlock upgrading read locks.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


async def ensure_schema(engine: AsyncEngine, schema: str | None) -> None:
    """Create the PostgreSQL schema named in the settings, if any."""
    if schema and engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


@asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that commits on success and rolls back on error."""
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = await conn.execution_options(sqlite_immediate=True)
        async with conn.begin():
            yield conn


@asynccontextmanager
async def read_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reads; its implicit transaction is rolled back at the end."""
    async with engine.connect() as conn:
        yield conn


ROWID = "_rowid"  # the simulators' surrogate key column
VERSION = "_version"  # bumped on every change; the basis of ETags


class RowStore:
    """Row operations both simulated suites share; a subclass maps its resources (Oracle) or
    entity sets (SAP) to tables with `table(key)`."""

    def table(self, key: Any) -> Table:
        raise NotImplementedError

    async def insert(self, conn: AsyncConnection, key: Any, row: dict[str, Any]) -> dict[str, Any]:
        table = self.table(key)
        values = {k: v for k, v in row.items() if k in table.c and k != ROWID}
        values.setdefault(VERSION, 1)
        result = await conn.execute(insert(table).values(**values).returning(table.c[ROWID]))
        stored = {c.name: values.get(c.name) for c in table.c}
        stored[ROWID] = result.scalar_one()
        return stored

    async def update(
        self, conn: AsyncConnection, key: Any, rowid: int, changes: dict[str, Any]
    ) -> None:
        table = self.table(key)
        values = {k: v for k, v in changes.items() if k in table.c and k != ROWID}
        if values:
            await conn.execute(update(table).where(table.c[ROWID] == rowid).values(**values))

    async def delete_rows(self, conn: AsyncConnection, key: Any, rowids: list[int]) -> None:
        if rowids:
            table = self.table(key)
            await conn.execute(delete(table).where(table.c[ROWID].in_(rowids)))

    async def fetch(
        self,
        conn: AsyncConnection,
        key: Any,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[dict[str, Any]]:
        table = self.table(key)
        stmt = select(table).where(*where).order_by(*order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        result = await conn.execute(stmt)
        return [dict(r._mapping) for r in result]

    async def count(
        self, conn: AsyncConnection, key: Any, where: Sequence[ColumnElement[bool]] = ()
    ) -> int:
        table = self.table(key)
        result = await conn.execute(select(func.count()).select_from(table).where(*where))
        return int(result.scalar_one())
