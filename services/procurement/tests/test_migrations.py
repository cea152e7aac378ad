"""Procurement's Alembic migrations: up and down on PostgreSQL and SQLite, and in step with
the native adapter's tables (receipts, contracts and the columns later migrations add)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, pool
from sqlalchemy.ext.asyncio import create_async_engine

from sop_procurement.adapters.native.tables import ProcurementBase
from sop_shared.db import async_url
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.migrations import downgrade_async, upgrade_async

INI = Path(__file__).resolve().parents[1] / "alembic.ini"


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _differences(url: str) -> list:
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
    combined = MetaData()
    for metadata in (ProcurementBase.metadata, kernel_metadata):
        for table in metadata.tables.values():
            table.to_metadata(combined)
    found: list = []

    def compare(conn) -> None:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found.extend(compare_metadata(context, combined))

    async with engine.connect() as conn:
        await conn.run_sync(compare)
    await engine.dispose()
    return found


async def _up_and_down(url: str) -> None:
    await upgrade_async(INI, url)
    tables = await _tables(url)
    assert {"receipts", "contracts", "purchase_orders", "suppliers"} <= tables
    assert await _differences(url) == []
    await downgrade_async(INI, url)
    assert await _tables(url) == set()
    await upgrade_async(INI, url)
    assert await _tables(url) == tables


async def test_migrations_apply_and_roll_back_on_postgresql(make_postgres_database):
    await _up_and_down(await make_postgres_database("procurement_migrations"))


async def test_migrations_apply_and_roll_back_on_sqlite(tmp_path):
    await _up_and_down(f"sqlite+aiosqlite:///{tmp_path / 'procurement.db'}")
