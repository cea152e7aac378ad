"""Authentication, the /_sim fault switches (latency, errors, outage) and production lockdown."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from sop_oracle_like.app import create_app
from sop_oracle_like.settings import OracleLikeSettings
from sop_simulation import SimulatedOutage, faults

BASE = "/hcmRestApi/resources/11.13.18.05"
ADF_ERROR = "application/vnd.oracle.adf.error+json"


async def test_no_or_wrong_credentials_are_401(app: Any) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as anon:
        response = await anon.get(f"{BASE}/workers")
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Basic")
        wrong = await anon.get(f"{BASE}/workers", auth=("hcm.integration", "nope"))
        assert wrong.status_code == 401
        bearer = await anon.get(
            f"{BASE}/workers", headers={"Authorization": "Bearer sop-dev-oracle-token"}
        )
        assert bearer.status_code == 200
        bad_bearer = await anon.get(f"{BASE}/workers", headers={"Authorization": "Bearer guess"})
        assert bad_bearer.status_code == 401


async def test_healthz_needs_no_credentials(app: Any) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as anon:
        assert (await anon.get("/healthz")).json() == {"status": "ok"}


async def test_faults_can_be_read_and_switched(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_sim/faults")).json() == {
        "latency_ms": 0,
        "error_rate": 0.0,
        "outage": False,
    }
    bad = await client.put("/_sim/faults", json={"error_rate": 2})
    assert bad.status_code == 422
    put = await client.put(
        "/_sim/faults", json={"latency_ms": 5, "error_rate": 0.0, "outage": False}
    )
    assert put.json()["latency_ms"] == 5


async def test_latency_delays_vendor_calls_only(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        delays.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(faults.asyncio, "sleep", recording_sleep)
    await client.put("/_sim/faults", json={"latency_ms": 1500})
    assert (await client.get(f"{BASE}/jobs")).status_code == 200
    assert (await client.get("/healthz")).status_code == 200
    assert delays == [1.5]


async def test_error_rate_one_fails_every_call_in_the_vendor_style(
    client: httpx.AsyncClient,
) -> None:
    await client.put("/_sim/faults", json={"error_rate": 1.0})
    statuses = set()
    for _ in range(12):
        response = await client.get(f"{BASE}/jobs", headers={"Accept": ADF_ERROR})
        statuses.add(response.status_code)
        assert response.headers["content-type"] == ADF_ERROR
        assert response.json()["status"] == str(response.status_code)
    assert statuses <= {500, 503}
    plain = await client.get(f"{BASE}/jobs")
    assert plain.headers["content-type"].startswith("text/plain")
    await client.put("/_sim/faults", json={"error_rate": 0.0})
    assert (await client.get(f"{BASE}/jobs")).status_code == 200


async def test_outage_drops_the_call_in_process(client: httpx.AsyncClient) -> None:
    await client.put("/_sim/faults", json={"outage": True})
    with pytest.raises(httpx.TransportError):
        await client.get(f"{BASE}/jobs")
    with pytest.raises(SimulatedOutage):
        await client.get(f"{BASE}/jobs")
    await client.put("/_sim/faults", json={"outage": False})
    assert (await client.get(f"{BASE}/jobs")).status_code == 200


async def test_outage_over_tcp_closes_the_connection_without_a_response(
    settings: OracleLikeSettings,
) -> None:
    app = create_app(settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(1000):  # uvicorn offers no event to await for "listening"
            if server.started:
                break
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", auth=("hcm.integration", "sop-dev-password")
        ) as c:
            assert (await c.get(f"{BASE}/jobs")).status_code == 200
            await c.put("/_sim/faults", json={"outage": True})
            with pytest.raises(httpx.RemoteProtocolError):
                await c.get(f"{BASE}/jobs")
            await c.put("/_sim/faults", json={"outage": False})
            assert (await c.get(f"{BASE}/jobs")).status_code == 200
    finally:
        server.should_exit = True
        await task
        await app.state.engine.dispose()


async def test_faults_from_environment_settings(tmp_path: Path) -> None:
    settings = OracleLikeSettings(
        env="test",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/f.db",
        fault_error_rate=1.0,
    )
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get(f"{BASE}/jobs")).status_code in (500, 503)
        assert (await c.get("/_sim/faults")).json()["error_rate"] == 1.0
    await app.state.engine.dispose()


async def test_reset_wipes_the_data(client: httpx.AsyncClient, hcm: Any) -> None:
    await hcm.hire()
    assert (await client.post("/_sim/reset")).status_code == 204
    assert (await client.get(f"{BASE}/workers")).json()["count"] == 0


def test_production_refuses_unsafe_defaults() -> None:
    with pytest.raises(ValueError, match="SQLite"):
        OracleLikeSettings(env="production", password="s3cret", bearer_tokens="t0ken")


async def test_production_has_no_sim_endpoints() -> None:
    settings = OracleLikeSettings(
        env="production",
        database_url="postgresql+asyncpg://sim:pw@127.0.0.1:1/none",
        password="s3cret",
        bearer_tokens="t0ken",
    )
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/_sim/faults")).status_code == 404
        assert (await c.get("/healthz")).status_code == 200
