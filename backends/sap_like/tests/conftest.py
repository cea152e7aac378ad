"""Fixtures: a fresh SuccessFactors-like simulator (SQLite file or PostgreSQL schema), helpers."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from sop_sap_like.app import create_app
from sop_sap_like.settings import SapLikeSettings
from sop_simulation import create_sim_engine

ROOT = "/odata/v2"
TOKEN = "sop-dev-sap-token"


def sf_date(day: str) -> str:
    """`2021-04-01` as SuccessFactors JSON writes it: `/Date(1617235200000)/`."""
    moment = datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)
    return f"/Date({int(moment.timestamp() * 1000)})/"


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
) -> SapLikeSettings:
    if request.param == "sqlite":
        return SapLikeSettings(env="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/sap.db")
    if postgres_schema is None:
        pytest.skip("no PostgreSQL: set SOP_TEST_DATABASE_URL or run one on 127.0.0.1:5432")
    url, schema = postgres_schema
    return SapLikeSettings(env="test", database_url=url, database_schema=schema)


@pytest.fixture
async def app(settings: SapLikeSettings) -> AsyncIterator[Any]:
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
        base_url="http://sf.test",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
    ) as c:
        yield c


class Sf:
    """Shortcuts for setting up Employee Central data through the simulator's own API."""

    date = staticmethod(sf_date)

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def upsert(self, *entities: dict[str, Any], **params: str) -> list[dict[str, Any]]:
        response = await self.client.post(f"{ROOT}/upsert", json=list(entities), params=params)
        assert response.status_code == 200, response.text
        return response.json()["d"]

    async def upsert_ok(self, *entities: dict[str, Any], **params: str) -> list[dict[str, Any]]:
        results = await self.upsert(*entities, **params)
        assert all(r["status"] == "OK" for r in results), results
        return results

    async def department(self, code: str = "D1", start: str = "2020-01-01", **extra: Any) -> None:
        await self.upsert_ok(
            {
                "__metadata": {"uri": "FODepartment"},
                "externalCode": code,
                "startDate": sf_date(start),
                "name": f"Department {code}",
                **extra,
            }
        )

    async def hire(
        self,
        person: str = "p1",
        user: str | None = None,
        *,
        first: str = "Ada",
        last: str = "Lovelace",
        start: str = "2021-04-01",
        **job: Any,
    ) -> str:
        """A person with personal info, an employment and a first job record; returns userId."""
        user = user or f"u{person[1:]}"
        await self.upsert_ok(
            {
                "__metadata": {"uri": "PerPerson"},
                "personIdExternal": person,
                "dateOfBirth": sf_date("1990-05-01"),
            },
            {
                "__metadata": {"uri": "PerPersonal"},
                "personIdExternal": person,
                "startDate": sf_date(start),
                "firstName": first,
                "lastName": last,
            },
            {
                "__metadata": {"uri": "EmpEmployment"},
                "personIdExternal": person,
                "userId": user,
                "startDate": sf_date(start),
            },
            {
                "__metadata": {"uri": "EmpJob"},
                "userId": user,
                "startDate": sf_date(start),
                "fte": "1.0",
                "standardHours": "37.5",
                **job,
            },
        )
        return user

    async def get(self, path: str, **params: str) -> dict[str, Any]:
        response = await self.client.get(f"{ROOT}/{path}", params=params)
        assert response.status_code == 200, response.text
        return response.json()["d"]


@pytest.fixture
def sf(client: httpx.AsyncClient) -> Sf:
    return Sf(client)
