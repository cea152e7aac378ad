"""Procurement fixtures: migrated PostgreSQL per worker, the app with an in-memory finance per
tenant (the FinanceLedger port's fake: the real call through the gateway is the e2e tier's),
and a tenant-bound API client."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

# The test kit sits beside this file and the fakes in unit/; importlib import mode does not
# put them on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "unit"))

from procurement_fakes import FakeLedger
from procurement_testkit import Api, tenant_of

from sop_procurement.app import create_app
from sop_procurement.settings import ProcurementSettings
from sop_shared.clock import UK, FixedClock
from sop_shared.migrations import upgrade_async
from sop_shared.testing.platform import native_platform

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"

# 09:00 UK on Wednesday 1 April 2026: the first day of 2026-27.
TODAY = datetime(2026, 4, 1, 9, tzinfo=UK)


class Ledgers:
    """One FakeLedger per tenant, chosen by the tenant of the request's token."""

    def __init__(self) -> None:
        self.by_tenant: dict[str, FakeLedger] = {}

    def of(self, tenant: str) -> FakeLedger:
        return self.by_tenant.setdefault(tenant, FakeLedger())

    def __call__(self, token: str | None) -> FakeLedger:
        return self.of(tenant_of(token) if token else "")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def procurement_pg_url(make_postgres_database) -> str:
    url = await make_postgres_database("procurement")
    await upgrade_async(ALEMBIC_INI, url)
    return url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def procurement_sqlite_url(tmp_path_factory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('procurement') / 'procurement.db'}"
    await upgrade_async(ALEMBIC_INI, url)
    return url


@pytest.fixture(scope="session")
def ledgers() -> Ledgers:
    return Ledgers()


@pytest.fixture(scope="session")
def shared_clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture
def clock(shared_clock: FixedClock) -> Iterator[FixedClock]:
    yield shared_clock
    shared_clock.set(TODAY)


async def _client(
    url: str, mint: Any, clock: FixedClock, ledgers: Ledgers
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ProcurementSettings(
        database_url=url,
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(mint.jwks_file),
    )
    app = create_app(settings, clock=clock, platform=native_platform(), ledger=ledgers)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://procurement") as client:
        yield client
    await app.state.kernel.database.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pg_client(
    procurement_pg_url, mint, shared_clock, ledgers
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(procurement_pg_url, mint, shared_clock, ledgers):
        yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sqlite_client(
    procurement_sqlite_url, mint, shared_clock, ledgers
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(procurement_sqlite_url, mint, shared_clock, ledgers):
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def sqlite_api(sqlite_client, mint, tenant, ledgers) -> Api:
    """The `api` tenant on SQLite (what `sop run` uses by default)."""
    api = Api(sqlite_client, mint, tenant)
    await api.provision()
    ledger = ledgers.of(tenant)
    ledger.budget("CC01", "41100000", "5000.00")
    api.ledger = ledger
    return api


@pytest_asyncio.fixture(loop_scope="session")
async def api(pg_client, mint, tenant, ledgers) -> Api:
    """A provisioned tenant whose finance (a fake) has budgets on CC01 and CC02."""
    api = Api(pg_client, mint, tenant)
    await api.provision()
    ledger = ledgers.of(tenant)
    ledger.budget("CC01", "41100000", "5000.00")
    ledger.budget("CC02", "41100000", "100.00")
    api.ledger = ledger
    return api


@pytest_asyncio.fixture(loop_scope="session")
async def other(pg_client, mint, other_tenant) -> Api:
    api = Api(pg_client, mint, other_tenant)
    await api.provision()
    return api
