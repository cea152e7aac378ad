"""HR under test: the real app over httpx's ASGI transport, on PostgreSQL (every test) and
SQLite (tests marked `sqlite`), each database migrated once with HR's Alembic migrations."""

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
from sop_shared.db import Database
from sop_shared.migrations import upgrade_async

HR_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
HR_SCOPES = "hr:read hr:write hr:sensitive"
_numbers = itertools.count(1)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses the app runs on PostgreSQL; those marked `sqlite` on SQLite too."""
    if "backend" in metafunc.fixturenames:
        backends = ["postgresql"]
        if metafunc.definition.get_closest_marker("sqlite"):
            backends.append("sqlite")
        metafunc.parametrize("backend", backends, scope="session")


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
def platform_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A platform config of the tests' own, so a deploy/platform.yaml in the checkout cannot
    change which adapter they get."""
    path = tmp_path_factory.mktemp("platform") / "platform.yaml"
    path.write_text(
        "clusters:\n"
        "  matrix:\n    bindings:\n      hr: {adapter: native}\n"
        "  vendorland:\n    bindings:\n      hr: {adapter: workday_like, base_url: 'http://127.0.0.1:9'}\n"
        "  ledgeronly:\n    bindings:\n      finance: {adapter: native}\n"
    )
    return path


def hr_settings(url: str, mint: Any, platform_file: Path) -> HRSettings:
    return HRSettings(
        database_url=url,
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(mint.jwks_file),
        platform_config=str(platform_file),
    )


@pytest.fixture(scope="session")
def hr_url(backend: str, request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"hr_{backend}_url")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def hr_client(hr_url: str, mint, platform_file: Path) -> AsyncIterator[httpx.AsyncClient]:
    url = hr_url
    database = Database(url)
    app = create_app(hr_settings(url, mint, platform_file), database=database)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hr") as client:
        yield client
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


@pytest_asyncio.fixture(loop_scope="session")
async def hr(hr_client: httpx.AsyncClient, mint, tenant: str) -> Caller:
    """An HR officer of a freshly provisioned tenant, with every HR scope."""
    caller = Caller(hr_client, mint, tenant)
    await caller.provision()
    return caller


@pytest_asyncio.fixture(loop_scope="session")
async def other(hr_client: httpx.AsyncClient, mint, other_tenant: str) -> Caller:
    """An HR officer of another tenant."""
    caller = Caller(hr_client, mint, other_tenant)
    await caller.provision()
    return caller


@pytest.fixture
def make_terms():
    return terms_body


@pytest.fixture
def make_employee_body():
    return employee_body
