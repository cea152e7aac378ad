"""Payroll's Alembic migrations: up and down on PostgreSQL and SQLite, in step with the kernel's
tables, named by date and slug."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, pool
from sqlalchemy.ext.asyncio import create_async_engine

from sop_payroll.adapters.native.tables import metadata as payroll_metadata
from sop_shared.db import async_url
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.migrations import downgrade_async, upgrade_async

PAYROLL_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
KERNEL_TABLES = {"idempotency_keys", "audit_events", "provisioned_tenants", "outbox", "inbox"}
PAYROLL_TABLES = {
    "pay_groups",
    "pay_runs",
    "pay_run_items",
    "pay_run_chunks",
    "year_to_date",
    "pay_run_documents",
    "employee_rti_details",
    "pay_adjustments",
    "tax_code_notices",
}
ALL_TABLES = KERNEL_TABLES | PAYROLL_TABLES


def models() -> MetaData:
    """The kernel's tables and payroll's own, as the code declares them."""
    merged = MetaData()
    for table in [*kernel_metadata.tables.values(), *payroll_metadata.tables.values()]:
        table.to_metadata(merged)
    return merged


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def differences(url: str) -> list:
    """What autogenerate would change to bring the database to the models (nothing)."""
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
    found: list = []

    def compare(conn) -> None:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found.extend(compare_metadata(context, models()))

    async with engine.connect() as conn:
        await conn.run_sync(compare)
    await engine.dispose()
    return found


async def check_up_and_down(url: str) -> None:
    await upgrade_async(PAYROLL_INI, url)
    assert await table_names(url) == ALL_TABLES
    assert await differences(url) == []
    await downgrade_async(PAYROLL_INI, url)
    assert await table_names(url) == set()
    await upgrade_async(PAYROLL_INI, url)
    assert await table_names(url) == ALL_TABLES


async def test_migrations_apply_and_roll_back_on_postgresql(make_postgres_database):
    await check_up_and_down(await make_postgres_database("payroll_migrations"))


@pytest.mark.sqlite
async def test_migrations_apply_and_roll_back_on_sqlite(tmp_path):
    await check_up_and_down(f"sqlite+aiosqlite:///{tmp_path / 'payroll.db'}")


def test_migration_files_are_named_by_date_and_slug():
    names = [p.name for p in (PAYROLL_INI.parent / "migrations" / "versions").glob("*.py")]
    assert names
    for name in names:
        year, month, day, number, *slug = name.removesuffix(".py").split("_")
        assert len(year) == 4 and len(month) == 2 and len(day) == 2 and number.isdigit() and slug
