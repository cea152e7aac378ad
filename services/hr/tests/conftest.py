"""HR under test: the real app over httpx's ASGI transport, and HR's API tests run on every
adapter (DESIGN, "Conformance: one suite per port, parametrised over every adapter").

A test that talks to HR as a tenant (the `hr` and `other` fixtures) is parametrised by
`adapter`: native, oracle_like or sap_like. Its tenants are provisioned in the cluster bound
to that adapter (matrix, synergy, unity, as deploy/platform.yaml binds them), so the same test
function checks the same canonical behaviour whichever system of record holds the records.
The simulated suites run in process (httpx's ASGI transport, routed by base URL through
`BackendConnections`), each on its own SQLite database, made once per session and worker.

`backend` is HR's own database: PostgreSQL for every test, SQLite too for tests marked
`sqlite`, each migrated once with HR's Alembic migrations. The two parametrisations combine
as: native on PostgreSQL, native on SQLite (tests marked `sqlite`), and each vendor adapter on
PostgreSQL only. With a vendor adapter HR's own database holds only cross-references,
idempotency keys and audit events, which the native SQLite run already exercises, so a vendor
on SQLite would add run time and no new behaviour. Ids read `test_x[postgresql-oracle_like]`.

`@pytest.mark.native_only(reason=...)` keeps a test to the native adapter (it is about native
only, or cannot hold on a vendor); `@pytest.mark.conformance_gap(adapter, reason=...)` marks a
behaviour a vendor adapter does not yet match, as a strict xfail on that adapter."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_hr.app import create_app
from sop_hr.settings import HRSettings
from sop_oracle_like.app import create_app as create_oracle_like
from sop_oracle_like.settings import OracleLikeSettings
from sop_sap_like.app import create_app as create_sap_like
from sop_sap_like.settings import SapLikeSettings
from sop_shared.db import Database
from sop_shared.migrations import upgrade_async
from sop_shared.platform_config import PlatformConfigSource
from sop_shared.resilience import BackendConnections
from sop_shared.testing.platform import native_platform

HR_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
HR_SCOPES = "hr:read hr:write hr:sensitive"
_numbers = itertools.count(1)

ADAPTERS = ("native", "oracle_like", "sap_like")
VENDORS = ADAPTERS[1:]
# Each adapter is the binding of one cluster, as deploy/platform.yaml binds them.
CLUSTERS = {"native": "matrix", "oracle_like": "synergy", "sap_like": "unity"}
# Where HR reaches each simulated suite: base URLs that `BackendConnections` routes to the
# suite's app in process, with the credentials the suites accept.
VENDOR_BINDINGS: dict[str, dict[str, Any]] = {
    "oracle_like": {
        "adapter": "oracle_like",
        "base_url": "http://oracle-like.test",
        "username": "hcm.integration",
        "password": "sop-dev-password",
    },
    "sap_like": {
        "adapter": "sap_like",
        "base_url": "http://sap-like.test",
        "token": "sop-dev-sap-token",
    },
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "native_only(reason): an HR API test that runs on the native adapter only (it is about "
        "native, or cannot hold on a vendor); the reason is required",
    )
    config.addinivalue_line(
        "markers",
        "conformance_gap(adapter, reason): the adapter does not yet behave as native does; the "
        "test runs there as a strict xfail, so closing the gap fails it until the mark goes",
    )


def adapter_params(definition: pytest.Function, sqlite: bool) -> list[Any]:
    """(backend, adapter) pairs for a test of HR's API: native on PostgreSQL, and on SQLite
    when marked `sqlite`; each vendor on PostgreSQL, unless the test is `native_only`."""
    pairs = [("postgresql", "native")] + ([("sqlite", "native")] if sqlite else [])
    native_only = definition.get_closest_marker("native_only")
    if native_only is not None:
        if not (native_only.kwargs.get("reason") or native_only.args):
            raise pytest.UsageError(f"{definition.nodeid}: native_only needs a reason")
    else:
        pairs += [("postgresql", vendor) for vendor in VENDORS]
    gaps: dict[str, str] = {}
    for mark in definition.iter_markers("conformance_gap"):
        adapter, reason = (*mark.args, mark.kwargs.get("reason"))[:2]
        if adapter not in VENDORS or not reason:
            raise pytest.UsageError(
                f"{definition.nodeid}: conformance_gap needs a vendor adapter and a reason"
            )
        gaps[adapter] = reason
    return [
        pytest.param(
            backend,
            adapter,
            id=f"{backend}-{adapter}",
            marks=[pytest.mark.xfail(strict=True, reason=gaps[adapter])] if adapter in gaps else [],
        )
        for backend, adapter in pairs
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses the app runs on PostgreSQL, those marked `sqlite` on SQLite too;
    every test that uses a tenant of HR's (`hr`, `other`) runs on each adapter as well."""
    if "backend" not in metafunc.fixturenames:
        return
    sqlite = metafunc.definition.get_closest_marker("sqlite") is not None
    if "adapter" in metafunc.fixturenames:
        params = adapter_params(metafunc.definition, sqlite)
        metafunc.parametrize(("backend", "adapter"), params, scope="session")
    else:
        metafunc.parametrize(
            "backend", ["postgresql", *(["sqlite"] if sqlite else [])], scope="session"
        )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def hr_postgresql_url(make_postgres_database) -> str:
    url = await make_postgres_database("hr")
    await upgrade_async(HR_INI, url)
    return url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def hr_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('hr') / 'hr.db'}"
    await upgrade_async(HR_INI, url)
    return url


@pytest.fixture(scope="session")
def platform() -> PlatformConfigSource:
    """The tests' own platform config (in memory, so a deploy/platform.yaml in the checkout
    cannot change which adapter they get): matrix native, synergy and unity on the simulated
    suites, vendorland on an adapter HR lacks, ledgeronly binding finance only."""
    return native_platform(
        ["matrix"],
        services=["hr"],
        bindings={
            CLUSTERS["oracle_like"]: {"hr": VENDOR_BINDINGS["oracle_like"]},
            CLUSTERS["sap_like"]: {"hr": VENDOR_BINDINGS["sap_like"]},
            "vendorland": {"hr": {"adapter": "workday_like", "base_url": "http://127.0.0.1:9"}},
            "ledgeronly": {"finance": {"adapter": "native"}},
        },
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def vendor_suites(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Any]]:
    """The simulated suites' apps by base URL, in process, once per session and worker, each
    on a SQLite database of its own (its tables made on its first call)."""
    workdir = tmp_path_factory.mktemp("suites")
    apps = {
        VENDOR_BINDINGS["oracle_like"]["base_url"]: create_oracle_like(
            OracleLikeSettings(
                env="test", database_url=f"sqlite+aiosqlite:///{workdir / 'oracle_like.db'}"
            )
        ),
        VENDOR_BINDINGS["sap_like"]["base_url"]: create_sap_like(
            SapLikeSettings(
                env="test", database_url=f"sqlite+aiosqlite:///{workdir / 'sap_like.db'}"
            )
        ),
    }
    yield apps
    for app in apps.values():
        await app.state.engine.dispose()


def hr_settings(url: str, mint: Any) -> HRSettings:
    return HRSettings(
        database_url=url,
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(mint.jwks_file),
    )


@pytest.fixture(scope="session")
def hr_url(backend: str, request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"hr_{backend}_url")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def hr_client(
    hr_url: str, mint, platform: PlatformConfigSource, vendor_suites: dict[str, Any]
) -> AsyncIterator[httpx.AsyncClient]:
    """HR on its database, reaching the simulated suites in process."""
    database = Database(hr_url)
    backends = BackendConnections(
        transports={url: httpx.ASGITransport(app=app) for url, app in vendor_suites.items()}
    )
    app = create_app(
        hr_settings(hr_url, mint), database=database, platform=platform, backends=backends
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hr") as client:
        yield client
    await backends.aclose()
    await database.dispose()


class Caller:
    """A client of HR for one tenant, with its scopes and subject, and shortcuts that build
    the records a test needs."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        mint: Any,
        tenant: str,
        *,
        scopes: str = HR_SCOPES,
        subject: str = "hr-officer",
        cluster: str = "matrix",
    ) -> None:
        self.client, self.mint, self.tenant = client, mint, tenant
        self.scopes, self.subject, self.cluster = scopes, subject, cluster

    def as_(self, *, scopes: str | None = None, subject: str | None = None) -> Caller:
        """Another caller in the same tenant."""
        return Caller(
            self.client,
            self.mint,
            self.tenant,
            scopes=self.scopes if scopes is None else scopes,
            subject=subject or self.subject,
            cluster=self.cluster,
        )

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        token = self.mint(
            tenant=self.tenant,
            scopes=self.scopes,
            subject=self.subject,
            cluster=self.cluster,
            audience="sop-hr",
        )
        return {"Authorization": f"Bearer {token}", **(extra or {})}

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.headers(kw.pop("headers", None)), **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.post(path, headers=self.headers(kw.pop("headers", None)), **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.patch(path, headers=self.headers(kw.pop("headers", None)), **kw)

    async def provision(self) -> None:
        token = self.mint(tenant=None, scopes="platform:admin", audience="sop-hr")
        r = await self.client.put(
            f"/_internal/tenants/{self.tenant}",
            json={"cluster": self.cluster},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text

    async def org_unit(self, code: str | None = None, **fields: Any) -> dict[str, Any]:
        code = code or f"OU{next(_numbers)}"
        body = {"code": code, "name": f"Unit {code}", "cost_centre": f"CC{code}", **fields}
        r = await self.post("/hr/v1/org-units", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    async def position(self, org_unit_id: str, **fields: Any) -> dict[str, Any]:
        body = {
            "code": f"P{next(_numbers)}",
            "title": "Policy adviser",
            "grade": "HEO",
            "org_unit_id": org_unit_id,
            "budgeted_fte": "1",
            **fields,
        }
        r = await self.post("/hr/v1/positions", json=body)
        assert r.status_code == 201, r.text
        return r.json()

    async def employee(
        self, *, terms: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        """An employee; unless `terms` is given (`{}` for none), starting full time in a new
        org unit."""
        body = employee_body(**fields)
        if terms is None:
            unit = await self.org_unit()
            body["terms"] = terms_body(unit["id"])
        elif terms:
            body["terms"] = terms
        r = await self.post("/hr/v1/employees", json=body)
        assert r.status_code == 201, r.text
        return r.json()


def employee_body(**fields: Any) -> dict[str, Any]:
    return {
        "employee_number": f"E{uuid.uuid4().hex[:8].upper()}",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "home_region": "england",
        "start_date": "2024-01-01",
        **fields,
    }


def terms_body(unit_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "org_unit_id": unit_id,
        "grade": "HEO",
        "fte": "1",
        "annual_salary": "36000.00",
        "pay_frequency": "monthly",
        "contract_type": "permanent",
        **fields,
    }


@pytest.fixture(scope="session")
def adapter(request: pytest.FixtureRequest) -> str:
    """The system of record of the test's tenants: native, oracle_like or sap_like (set by
    `pytest_generate_tests`, with `backend`)."""
    return request.param


@pytest.fixture
def adapter_cluster(adapter: str) -> str:
    """The cluster bound to the test's adapter."""
    return CLUSTERS[adapter]


@pytest_asyncio.fixture(loop_scope="session")
async def hr(hr_client: httpx.AsyncClient, mint, tenant: str, adapter_cluster: str) -> Caller:
    """An HR officer of a freshly provisioned tenant, with every HR scope, in the cluster of
    the test's adapter."""
    caller = Caller(hr_client, mint, tenant, cluster=adapter_cluster)
    await caller.provision()
    return caller


@pytest_asyncio.fixture(loop_scope="session")
async def other(
    hr_client: httpx.AsyncClient, mint, other_tenant: str, adapter_cluster: str
) -> Caller:
    """An HR officer of another tenant in the same cluster (so the same system of record)."""
    caller = Caller(hr_client, mint, other_tenant, cluster=adapter_cluster)
    await caller.provision()
    return caller


@pytest.fixture
def make_terms():
    return terms_body


@pytest.fixture
def make_employee_body():
    return employee_body
