"""Fixtures: a fresh simulator (SQLite file or PostgreSQL schema), an in-process client, helpers."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from sop_oracle_like.app import create_app
from sop_oracle_like.settings import OracleLikeSettings
from sop_simulation import create_sim_engine

BASE = "/hcmRestApi/resources/11.13.18.05"
AUTH = ("hcm.integration", "sop-dev-password")


def _postgres_url() -> str | None:
    """SOP_TEST_DATABASE_URL, else the CI server on 127.0.0.1:5432, if it answers."""
    url = os.environ.get("SOP_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    parsed = make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), timeout=1):
            return url
    except OSError:
        return None


@pytest.fixture(scope="session")
async def postgres_schema() -> AsyncIterator[tuple[str, str] | None]:
    """One PostgreSQL schema for this test session (per xdist worker), dropped at the end."""
    url = _postgres_url()
    if url is None:
        yield None
        return
    schema = f"sim_test_{uuid.uuid4().hex[:12]}"
    yield url, schema
    engine = create_sim_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_schema: tuple[str, str] | None
) -> OracleLikeSettings:
    if request.param == "sqlite":
        return OracleLikeSettings(
            env="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/oracle.db"
        )
    if postgres_schema is None:
        pytest.skip("no PostgreSQL: set SOP_TEST_DATABASE_URL or run one on 127.0.0.1:5432")
    url, schema = postgres_schema
    return OracleLikeSettings(env="test", database_url=url, database_schema=schema)


@pytest.fixture
async def app(settings: OracleLikeSettings) -> AsyncIterator[Any]:
    application = create_app(settings)
    if settings.database_schema:
        # The session's schema is shared; each test starts from an empty simulator.
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://reset") as c:
            assert (await c.post("/_sim/reset")).status_code == 204
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://oracle.test",
        auth=AUTH,
        headers={"REST-Framework-Version": "4"},
    ) as c:
        yield c


class Hcm:
    """Shortcuts for setting up data through the simulator's own API."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def create_jobs(self, n: int, start: str = "2020-01-01") -> None:
        for i in range(n):
            response = await self.client.post(
                f"{BASE}/jobs",
                json={"JobCode": f"JOB{i:03d}", "Name": f"Job {i}", "EffectiveStartDate": start},
            )
            assert response.status_code == 201, response.text

    async def hire(
        self,
        last_name: str = "Lovelace",
        *,
        first_name: str = "Ada",
        start: str = "2021-04-01",
        assignment: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Create a worker with a name, an email and one assignment; returns the new item."""
        body = {
            "DateOfBirth": "1990-05-01",
            "names": [{"FirstName": first_name, "LastName": last_name}],
            "emails": [{"EmailType": "W1", "EmailAddress": f"{last_name.lower()}@example.gov.uk"}],
            "workRelationships": [
                {
                    "StartDate": start,
                    "assignments": [assignment or {"NormalHours": 37.5, "Frequency": "W"}],
                }
            ],
            **extra,
        }
        response = await self.client.post(f"{BASE}/workers", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    @staticmethod
    def self_href(item: dict[str, Any]) -> str:
        return next(link["href"] for link in item["links"] if link["rel"] == "self")

    def path(self, item: dict[str, Any]) -> str:
        """The path of an item's self link, for the in-process client."""
        return httpx.URL(self.self_href(item)).path

    def assignments_path(self, worker: dict[str, Any]) -> str:
        rel = worker["workRelationships"][0]["PeriodOfServiceId"]
        return f"{self.path(worker)}/child/workRelationships/{rel}/child/assignments"

    async def assignments(self, worker: dict[str, Any], **params: str) -> list[dict[str, Any]]:
        response = await self.client.get(self.assignments_path(worker), params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]


@pytest.fixture
def hcm(client: httpx.AsyncClient) -> Hcm:
    return Hcm(client)
