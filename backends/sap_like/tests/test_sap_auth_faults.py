"""Authentication, fault injection in the OData error style, and production lockdown."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from sop_sap_like.app import create_app
from sop_sap_like.settings import SapLikeSettings
from sop_simulation import faults

ROOT = "/odata/v2"


async def test_credentials(app: Any) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as anon:
        response = await anon.get(f"{ROOT}/PerPerson")
        assert response.status_code == 401
        assert response.json()["error"]["message"]["lang"] == "en"
        assert "www-authenticate" in response.headers
        assert (
            await anon.get(f"{ROOT}/PerPerson", auth=("sfapi@SOPDEV", "sop-dev-password"))
        ).status_code == 200
        assert (
            await anon.get(f"{ROOT}/PerPerson", auth=("sfapi", "sop-dev-password"))
        ).status_code == 200
        assert (await anon.get(f"{ROOT}/PerPerson", auth=("sfapi", "wrong"))).status_code == 401
        assert (
            await anon.get(f"{ROOT}/PerPerson", headers={"Authorization": "Bearer nope"})
        ).status_code == 401
        assert (await anon.get("/healthz")).status_code == 200


async def test_latency(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        delays.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(faults.asyncio, "sleep", recording_sleep)
    await client.put("/_sim/faults", json={"latency_ms": 250})
    assert (await client.get(f"{ROOT}/PerPerson")).status_code == 200
    assert delays == [0.25]


async def test_error_rate_one_fails_every_call(client: httpx.AsyncClient) -> None:
    await client.put("/_sim/faults", json={"error_rate": 1.0})
    for _ in range(10):
        response = await client.get(f"{ROOT}/PerPerson")
        assert response.status_code in (500, 503)
        error = response.json()["error"]
        assert error["code"] in ("COE_GENERAL_SERVER_FAILURE", "COE_SERVICE_UNAVAILABLE")
        if response.status_code == 503:
            assert response.headers["retry-after"] == "1"
    assert (await client.get("/_sim/faults")).json()["error_rate"] == 1.0


async def test_outage_drops_calls_until_lifted(client: httpx.AsyncClient) -> None:
    await client.put("/_sim/faults", json={"outage": True})
    with pytest.raises(httpx.TransportError):
        await client.get(f"{ROOT}/PerPerson")
    await client.put("/_sim/faults", json={"outage": False})
    assert (await client.get(f"{ROOT}/PerPerson")).status_code == 200


async def test_faults_from_settings(tmp_path: Path) -> None:
    settings = SapLikeSettings(
        env="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/f.db", fault_outage=True
    )
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        with pytest.raises(httpx.TransportError):
            await c.get(f"{ROOT}/PerPerson")
        assert (await c.get("/_sim/faults")).json()["outage"] is True
    await app.state.engine.dispose()


async def test_reset_keeps_setup_data(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.hire()
    assert (await client.post("/_sim/reset")).status_code == 204
    assert (await sf.get("PerPerson"))["results"] == []
    assert (await sf.get("TimeType"))["results"]


async def test_production_has_no_sim_endpoints() -> None:
    settings = SapLikeSettings(
        env="production",
        database_url="postgresql://sim:pw@127.0.0.1:1/none",
        password="s3cret",
        bearer_tokens="t0ken",
    )
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/_sim/faults")).status_code == 404
    with pytest.raises(ValueError, match="bearer_tokens"):
        SapLikeSettings(
            env="production",
            database_url="postgresql://sim:pw@db/x",
            password="s3cret",
            bearer_tokens="sop-dev-sap-token",
        )
