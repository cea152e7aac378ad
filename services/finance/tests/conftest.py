"""Finance fixtures: migrated PostgreSQL (and SQLite) per worker, the app, a tenant per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_finance.app import create_app
from sop_finance.settings import FinanceSettings
from sop_shared.clock import UK, FixedClock
from sop_shared.migrations import upgrade_async
from sop_shared.testing.platform import native_platform

# The test kit sits beside this file; importlib import mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from finance_testkit import THRESHOLD, Api, ledger

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"

# The kernel clock of the apps the tests share: 09:00 UK on Wednesday 1 April 2026, the first
# day of 2026-27 and no later than any business date the tests use. A payment run is refused
# once its Bacs processing day has passed, so on the machine's clock the suite would depend on
# the date it runs.
TODAY = datetime(2026, 4, 1, 9, tzinfo=UK)


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


@pytest.fixture(scope="session")
def shared_clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture
def clock(shared_clock: FixedClock) -> Iterator[FixedClock]:
    """The shared apps' clock, for a test to move (tests in a worker run one at a time); it
    stands at TODAY again afterwards."""
    yield shared_clock
    shared_clock.set(TODAY)


async def _client(url: str, mint: Any, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    # Every test cluster (matrix, synergy, unity, defence, overseas) binds finance to native.
    app = create_app(settings_for(url, mint), clock=clock, platform=native_platform())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance") as client:
        yield client
    await app.state.kernel.database.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pg_client(finance_pg_url, mint, shared_clock) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(finance_pg_url, mint, shared_clock):
        yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sqlite_client(finance_sqlite_url, mint, shared_clock) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(finance_sqlite_url, mint, shared_clock):
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
