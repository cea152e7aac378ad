"""Adapters against the simulated suites in process (httpx's ASGI transport, each request
recorded so a test can show what was asked of the vendor), with HR's own database on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_hr.adapters.registry import ADAPTERS, AdapterContext
from sop_hr.ports import HRBackend
from sop_oracle_like.app import create_app as create_oracle
from sop_oracle_like.settings import OracleLikeSettings
from sop_sap_like.app import create_app as create_sap
from sop_sap_like.settings import SapLikeSettings
from sop_shared.db import Database
from sop_shared.migrations import upgrade_async
from sop_shared.platform_config import AdapterBinding
from sop_shared.resilience import BackendConnections

HR_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests to a simulator in process and keeps them for the test to look at."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    def sent(self, method: str, fragment: str = "") -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and fragment in str(r.url)]


@dataclass
class Vendor:
    """One simulated suite, a binding to it through the recorder, and a direct client."""

    adapter: str
    app: Any
    binding: AdapterBinding
    recorder: Recorder
    client: httpx.AsyncClient
    backends: BackendConnections


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def hr_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('hr-adapters') / 'hr.db'}"
    await upgrade_async(HR_INI, url)
    database = Database(url)
    yield database
    await database.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def oracle(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Vendor]:
    path = tmp_path_factory.mktemp("oracle") / "oracle.db"
    app = create_oracle(OracleLikeSettings(env="test", database_url=f"sqlite+aiosqlite:///{path}"))
    recorder = Recorder(app)
    binding = AdapterBinding(
        adapter="oracle_like",
        base_url="http://oracle.test",
        username="hcm.integration",
        password="sop-dev-password",
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://oracle.test/hcmRestApi/resources/11.13.18.05/",
        auth=("hcm.integration", "sop-dev-password"),
        headers={"REST-Framework-Version": "4"},
    ) as client:
        backends = BackendConnections(transports={"http://oracle.test": recorder})
        vendor = Vendor("oracle_like", app, binding, recorder, client, backends)
        yield vendor
    await vendor.backends.aclose()
    await app.state.engine.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def sap(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Vendor]:
    path = tmp_path_factory.mktemp("sap") / "sap.db"
    app = create_sap(SapLikeSettings(env="test", database_url=f"sqlite+aiosqlite:///{path}"))
    recorder = Recorder(app)
    binding = AdapterBinding(
        adapter="sap_like",
        base_url="http://sap.test",
        token="sop-dev-sap-token",
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sap.test/odata/v2/",
        headers={"Authorization": "Bearer sop-dev-sap-token", "Accept": "application/json"},
    ) as client:
        backends = BackendConnections(transports={"http://sap.test": recorder})
        vendor = Vendor("sap_like", app, binding, recorder, client, backends)
        yield vendor
    await vendor.backends.aclose()
    await app.state.engine.dispose()


@pytest.fixture
def open_records(hr_database: Database) -> Any:
    """`async with open_records(vendor) as records:` the adapter's ports for one unit of work
    (committed at the end, as a request's would be)."""

    @asynccontextmanager
    async def opened(vendor: Vendor) -> AsyncIterator[HRBackend]:
        async with hr_database.transaction() as session:
            context = AdapterContext(
                binding=vendor.binding, session=session, backends=vendor.backends
            )
            yield ADAPTERS[vendor.adapter](context)

    return opened
