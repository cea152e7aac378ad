"""Lost updates: many clients change one record at once with the same If-Match. Exactly one
wins (200), every other is told the record changed (412), and the audit trail records one
change, whichever system of record holds the records and whichever database HR keeps its own
rows in (PostgreSQL, and the embedded SQLite `make run` uses).

The conftest's `adapter` fixture runs vendor adapters on PostgreSQL only; this race is about
HR's own database under a vendor (the cross-references carry the canonical version), so the
tests here build HR themselves on each (database, adapter) pair, from conftest's fixtures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_hr.app import create_app
from sop_hr.settings import HRSettings
from sop_shared.db import Database
from sop_shared.platform_config import PlatformConfigSource
from sop_shared.resilience import BackendConnections

# The clusters conftest's platform binds to each adapter (as deploy/platform.yaml does).
CLUSTERS = {"native": "matrix", "oracle_like": "synergy", "sap_like": "unity"}
RACERS = 20
PAIRS = [
    (database, adapter)
    for database in ("postgresql", "sqlite")
    for adapter in ("native", "oracle_like", "sap_like")
]


class Officer:
    """An HR officer of one tenant, with every HR scope."""

    def __init__(self, client: httpx.AsyncClient, mint: Any, tenant: str, cluster: str) -> None:
        self.client, self.mint, self.tenant, self.cluster = client, mint, tenant, cluster

    def headers(self, **extra: str) -> dict[str, str]:
        token = self.mint(
            tenant=self.tenant,
            scopes="hr:read hr:write hr:sensitive",
            subject="hr-officer",
            cluster=self.cluster,
            audience="sop-hr",
        )
        return {"Authorization": f"Bearer {token}", **extra}

    async def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = self.headers(**kw.pop("headers", {}))
        return await self.client.request(method, path, headers=headers, **kw)


@pytest.fixture(params=PAIRS, ids=[f"{d}-{a}" for d, a in PAIRS])
def hr_database_and_adapter(request: pytest.FixtureRequest) -> tuple[str, str]:
    """HR's migrated database (conftest's `hr_postgresql_url` or `hr_sqlite_url`) and the
    adapter of the test's tenant."""
    database_name, adapter = request.param
    return request.getfixturevalue(f"hr_{database_name}_url"), adapter


@pytest_asyncio.fixture(loop_scope="session")
async def officer(
    hr_database_and_adapter: tuple[str, str],
    mint: Any,
    tenant: str,
    platform: PlatformConfigSource,
    vendor_suites: dict[str, Any],
) -> AsyncIterator[Officer]:
    url, adapter = hr_database_and_adapter
    database = Database(url)
    backends = BackendConnections(
        transports={base: httpx.ASGITransport(app=app) for base, app in vendor_suites.items()}
    )
    settings = HRSettings(
        database_url=url,
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(mint.jwks_file),
    )
    app = create_app(settings, database=database, platform=platform, backends=backends)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hr") as client:
        officer = Officer(client, mint, tenant, CLUSTERS[adapter])
        admin = mint(tenant=None, scopes="platform:admin", audience="sop-hr")
        r = await client.put(
            f"/_internal/tenants/{tenant}",
            json={"cluster": officer.cluster},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert r.status_code == 200, r.text
        yield officer
    await backends.aclose()
    await database.dispose()


async def race(officer: Officer, path: str, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    return list(
        await asyncio.gather(
            *(
                officer.request("PATCH", path, json=body, headers={"If-Match": '"1"'})
                for body in bodies
            )
        )
    )


async def audited(officer: Officer, resource_type: str, resource_id: str) -> list[str]:
    r = await officer.request(
        "GET", f"/hr/v1/audit-events?resource_type={resource_type}&resource_id={resource_id}"
    )
    assert r.status_code == 200, r.text
    return [event["action"] for event in r.json()["items"]]


async def test_one_of_twenty_concurrent_patches_of_an_employee_wins(officer: Officer) -> None:
    created = await officer.request(
        "POST",
        "/hr/v1/employees",
        json={
            "employee_number": f"R{officer.tenant[-8:].upper()}",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "home_region": "england",
            "start_date": "2024-01-01",
        },
    )
    assert created.status_code == 201, created.text
    path = f"/hr/v1/employees/{created.json()['id']}"

    answers = await race(officer, path, [{"last_name": f"Racer{i}"} for i in range(RACERS)])

    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [412] * (RACERS - 1), [r.text for r in answers]
    winner = next(r for r in answers if r.status_code == 200)
    assert winner.headers["etag"] == '"2"'
    stored = await officer.request("GET", path)
    assert stored.json()["last_name"] == winner.json()["last_name"]
    assert stored.headers["etag"] == '"2"'
    assert await audited(officer, "employee", created.json()["id"]) == [
        "employee.created",
        "employee.updated",
    ]


async def test_one_of_twenty_concurrent_patches_of_an_org_unit_wins(officer: Officer) -> None:
    code = f"U{officer.tenant[-8:].upper()}"
    created = await officer.request(
        "POST",
        "/hr/v1/org-units",
        json={"code": code, "name": "Unit", "cost_centre": f"CC{code}"},
    )
    assert created.status_code == 201, created.text
    path = f"/hr/v1/org-units/{created.json()['id']}"

    answers = await race(officer, path, [{"name": f"Unit {i}"} for i in range(RACERS)])

    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [412] * (RACERS - 1), [r.text for r in answers]
    winner = next(r for r in answers if r.status_code == 200)
    stored = await officer.request("GET", path)
    assert stored.json()["name"] == winner.json()["name"]
    assert stored.headers["etag"] == '"2"'
    actions = await audited(officer, "org_unit", created.json()["id"])
    assert actions.count("org_unit.updated") == 1, actions
