"""HR's Alembic migrations: up and down on PostgreSQL and SQLite, and in step with the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, pool
from sqlalchemy.ext.asyncio import create_async_engine

from sop_hr.adapters import crossref  # noqa: F401  (registers the tables)
from sop_hr.adapters.native import models  # noqa: F401
from sop_hr.db import Base
from sop_hr.switch import bindings  # noqa: F401
from sop_shared.db import async_url
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.migrations import downgrade_async, upgrade_async

HR_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
HR_TABLES = {"employees", "employment_terms", "org_units", "positions", "leave_types", "absences"}
HR_TABLES |= {"vendor_refs", "cluster_bindings"}  # cross-references and binding overrides
KERNEL_TABLES = {"idempotency_keys", "audit_events", "provisioned_tenants", "outbox", "inbox"}


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def differences(url: str) -> list:
    """What autogenerate would change to bring the database to the models (nothing, we hope)."""
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
    found = []

    combined = MetaData()
    for metadata in (Base.metadata, kernel_metadata):
        for table in metadata.tables.values():
            table.to_metadata(combined)

    def compare(conn) -> None:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found.extend(compare_metadata(context, combined))

    async with engine.connect() as conn:
        await conn.run_sync(compare)
    await engine.dispose()
    return found


async def check_up_and_down(url: str) -> None:
    await upgrade_async(HR_INI, url)
    assert await table_names(url) == HR_TABLES | KERNEL_TABLES
    assert await differences(url) == []
    await downgrade_async(HR_INI, url)
    assert await table_names(url) == set()
    await upgrade_async(HR_INI, url)
    assert await table_names(url) == HR_TABLES | KERNEL_TABLES


async def test_migrations_apply_and_roll_back_on_postgresql(make_postgres_database):
    await check_up_and_down(await make_postgres_database("hr_migrations"))


@pytest.mark.sqlite
async def test_migrations_apply_and_roll_back_on_sqlite(tmp_path):
    await check_up_and_down(f"sqlite+aiosqlite:///{tmp_path / 'hr.db'}")


def test_migration_files_are_named_by_date_and_slug():
    names = [p.name for p in (HR_INI.parent / "migrations" / "versions").glob("*.py")]
    assert names
    for name in names:
        year, month, day, number, *slug = name.removesuffix(".py").split("_")
        assert len(year) == 4 and len(month) == 2 and len(day) == 2 and number.isdigit() and slug
