"""The simulators' shared library on its own: auth, settings, faults and the row store on SQLite."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import Column, Integer, MetaData, String, Table
from starlette.types import Scope

from sop_simulation import (
    ROWID,
    VERSION,
    FaultConfig,
    FaultInjectionMiddleware,
    FaultInjector,
    RowStore,
    SimulatedOutage,
    SimulatorSettings,
    authenticate,
    create_sim_engine,
    read_connection,
    sim_router,
    write_transaction,
)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_authenticate_accepts_basic_and_bearer_and_refuses_the_rest() -> None:
    settings = SimulatorSettings(env="test", bearer_tokens="one, two")
    assert authenticate("Bearer two", settings) == "sop.integration"
    assert authenticate(_basic("sop.integration", "sop-dev-password"), settings) == (
        "sop.integration"
    )
    # SuccessFactors-style logins name the company after an @.
    assert authenticate(_basic("sop.integration@ACME", "sop-dev-password"), settings) == (
        "sop.integration"
    )
    for refused in (
        None,
        "",
        "Bearer three",
        _basic("sop.integration", "wrong"),
        "Basic not-base64!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Digest x",
    ):
        assert authenticate(refused, settings) is None


def test_production_refuses_development_defaults() -> None:
    with pytest.raises(ValidationError) as caught:
        SimulatorSettings(env="production")
    message = str(caught.value)
    assert "SQLite" in message
    assert "password" in message
    assert "bearer_tokens" in message
    safe = SimulatorSettings(
        env="production",
        database_url="postgresql://sim@db/sim",
        password="a-real-secret",
        bearer_tokens="a-real-token",
    )
    assert not safe.sim_enabled


def test_fault_injector_rolls_vendor_errors_at_the_configured_rate() -> None:
    assert FaultInjector(FaultConfig()).roll_error_status() is None
    always = FaultInjector(FaultConfig(error_rate=1.0), rng=random.Random(7))
    assert {always.roll_error_status() for _ in range(50)} == {500, 503}


def _app(faults: FaultInjector) -> FaultInjectionMiddleware:
    app = FastAPI()

    async def reset() -> None:
        return None

    @app.get("/vendor")
    async def vendor() -> dict[str, str]:
        return {"ok": "yes"}

    app.include_router(sim_router(faults, reset))

    def render_error(status: int, _scope: Scope) -> tuple[bytes, str]:
        return f"error {status}".encode(), "text/plain"

    return FaultInjectionMiddleware(app, faults=faults, render_error=render_error)


async def test_middleware_injects_errors_and_outages_but_spares_sim_endpoints() -> None:
    faults = FaultInjector(rng=random.Random(1))
    transport = httpx.ASGITransport(app=_app(faults))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/vendor")).json() == {"ok": "yes"}
        switched = await client.put("/_sim/faults", json={"error_rate": 1.0})
        assert switched.json()["error_rate"] == 1.0
        failed = await client.get("/vendor")
        assert failed.status_code in (500, 503)
        assert failed.text == f"error {failed.status_code}"
        assert (failed.headers.get("retry-after") == "1") == (failed.status_code == 503)
        await client.put("/_sim/faults", json={"outage": True})
        with pytest.raises(SimulatedOutage):
            await client.get("/vendor")
        assert (await client.get("/_sim/faults")).json()["outage"] is True
        assert (await client.post("/_sim/reset")).status_code == 204


class _Store(RowStore):
    def __init__(self) -> None:
        self.metadata = MetaData()
        self.things = Table(
            "things",
            self.metadata,
            Column(ROWID, Integer, primary_key=True, autoincrement=True),
            Column(VERSION, Integer, nullable=False),
            Column("name", String),
        )

    def table(self, key: object) -> Table:
        assert key == "things"
        return self.things


async def test_row_store_on_sqlite(tmp_path: Path) -> None:
    # The engine makes the SQLite file's directory.
    engine = create_sim_engine(f"sqlite+aiosqlite:///{tmp_path}/nested/sim.db")
    store = _Store()
    try:
        async with write_transaction(engine) as conn:
            await conn.run_sync(store.metadata.create_all)
            first = await store.insert(conn, "things", {"name": "a", "unknown": 1, ROWID: 99})
            second = await store.insert(conn, "things", {"name": "b"})
            await store.update(conn, "things", second[ROWID], {"name": "B", VERSION: 2})
        assert first == {ROWID: 1, VERSION: 1, "name": "a"}
        async with read_connection(engine) as conn:
            rows = await store.fetch(conn, "things", order_by=[store.things.c.name], limit=5)
            assert [(r["name"], r[VERSION]) for r in rows] == [("B", 2), ("a", 1)]
            where = [store.things.c.name.like("a%")]
            assert await store.count(conn, "things", where) == 1
        async with write_transaction(engine) as conn:
            await store.delete_rows(conn, "things", [first[ROWID]])
        async with read_connection(engine) as conn:
            assert await store.count(conn, "things") == 1
            assert (await store.fetch(conn, "things", offset=1)) == []
    finally:
        await engine.dispose()
