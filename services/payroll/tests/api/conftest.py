"""Payroll's API under test: the real app over httpx's ASGI transport, on a SQLite database
migrated with payroll's own Alembic migrations (PostgreSQL where a test asks for it), called
with internal tokens the kernel plugin mints (helpers in payroll_testkit.py)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_payroll.app import create_app
from sop_payroll.settings import PayrollSettings
from sop_shared.db import Database
from sop_shared.migrations import upgrade_async
from sop_shared.testing.platform import native_platform

# The test kit sits beside this file; importlib import mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from payroll_testkit import Caller

PAYROLL_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def payroll_settings(url: str, mint: Any) -> PayrollSettings:
    return PayrollSettings(
        database_url=url,
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(mint.jwks_file),
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def payroll_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('payroll') / 'payroll.db'}"
    await upgrade_async(PAYROLL_INI, url)
    return url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def payroll_postgresql_url(make_postgres_database) -> str:
    url = await make_postgres_database("payroll")
    await upgrade_async(PAYROLL_INI, url)
    return url


async def _client(url: str, mint: Any) -> AsyncIterator[httpx.AsyncClient]:
    database = Database(url)
    app = create_app(payroll_settings(url, mint), database=database, platform=native_platform())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://payroll") as client:
        yield client
    await database.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def payroll_client(payroll_sqlite_url: str, mint) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(payroll_sqlite_url, mint):
        yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def payroll_pg_client(payroll_postgresql_url: str, mint) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(payroll_postgresql_url, mint):
        yield client


@pytest.fixture
def payroll(payroll_client: httpx.AsyncClient, mint, tenant: str) -> Caller:
    """A payroll officer of a fresh tenant, on SQLite."""
    return Caller(payroll_client, mint, tenant)


@pytest.fixture
def payroll_pg(payroll_pg_client: httpx.AsyncClient, mint, tenant: str) -> Caller:
    """A payroll officer of a fresh tenant, on PostgreSQL."""
    return Caller(payroll_pg_client, mint, tenant)
