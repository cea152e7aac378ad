"""Finance fixtures: migrated PostgreSQL (and SQLite) per worker, the app, a tenant per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_finance.app import create_app
from sop_finance.settings import FinanceSettings
from sop_shared.migrations import upgrade_async
from sop_shared.testing.platform import native_platform

# The test kit sits beside this file; importlib import mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from finance_testkit import THRESHOLD, Api, ledger

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def settings_for(url: str, mint: Any, **overrides: Any) -> FinanceSettings:
    values: dict[str, Any] = {
        "database_url": url,
        "env": "test",
        "log_json": False,
        "log_level": "WARNING",
        "internal_jwks_file": str(mint.jwks_file),
        "approval_threshold": THRESHOLD,
    }
    values.update(overrides)
    return FinanceSettings(**values)


@pytest.fixture
def make_settings(mint: Any) -> Any:
    """Settings for an app a test builds itself. (Test modules must not import `conftest`:
    under importlib mode another package's conftest may hold that name.)"""
    return lambda url, **overrides: settings_for(url, mint, **overrides)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def finance_pg_url(make_postgres_database) -> str:
    url = await make_postgres_database("finance")
    await upgrade_async(ALEMBIC_INI, url)
    return url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def finance_sqlite_url(tmp_path_factory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('finance') / 'finance.db'}"
    await upgrade_async(ALEMBIC_INI, url)
    return url


async def _client(url: str, mint: Any) -> AsyncIterator[httpx.AsyncClient]:
    # Every test cluster (matrix, synergy, unity, defence, overseas) binds finance to native.
    app = create_app(settings_for(url, mint), platform=native_platform())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance") as client:
        yield client
    await app.state.kernel.database.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pg_client(finance_pg_url, mint) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(finance_pg_url, mint):
        yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sqlite_client(finance_sqlite_url, mint) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(finance_sqlite_url, mint):
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def api(pg_client, mint, tenant) -> Api:
    """A provisioned tenant on PostgreSQL with cost centres CC01 and CC02."""
    return await ledger(pg_client, mint, tenant)


@pytest_asyncio.fixture(loop_scope="session")
async def other(pg_client, mint, other_tenant) -> Api:
    return await ledger(pg_client, mint, other_tenant)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_client(request) -> httpx.AsyncClient:
    name = "sqlite_client" if request.param == "sqlite" else "pg_client"
    return request.getfixturevalue(name)


@pytest_asyncio.fixture(loop_scope="session")
async def any_api(backend_client, mint, tenant) -> Api:
    """The same provisioned tenant on SQLite and on PostgreSQL (the smaller SQLite set)."""
    return await ledger(backend_client, mint, tenant)
