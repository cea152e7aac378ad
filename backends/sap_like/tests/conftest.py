"""Fixtures: a fresh SuccessFactors-like simulator on its own SQLite file, a client, and helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from sop_sap_like.app import create_app
from sop_sap_like.settings import SapLikeSettings

ROOT = "/odata/v2"
TOKEN = "sop-dev-sap-token"


def sf_date(text: str) -> str:
    """`2021-04-01` as SuccessFactors JSON writes it: `/Date(1617235200000)/`."""
    moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    return f"/Date({int(moment.timestamp() * 1000)})/"


@pytest.fixture
def settings(tmp_path: Path) -> SapLikeSettings:
    return SapLikeSettings(env="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/sap.db")


@pytest.fixture
async def app(settings: SapLikeSettings) -> AsyncIterator[Any]:
    application = create_app(settings)
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
