"""A flow across a service boundary, on real parts: PostgreSQL for each service's database, a
NATS server with JetStream, HR's relay, and finance's consumer. An org unit created in HR for a
brand-new department becomes a finance cost centre, so the department's first journal to it
posts without anyone creating the cost centre by hand (docs/finance.md's posting example)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_finance.app import create_app as create_finance
from sop_finance.settings import FinanceSettings
from sop_hr.app import create_app as create_hr
from sop_hr.settings import HRSettings
from sop_shared.clock import UK, FixedClock
from sop_shared.db import Database
from sop_shared.events import Relay
from sop_shared.migrations import upgrade_async
from sop_shared.testing.nats import own_server
from sop_shared.testing.platform import native_platform

ROOT = Path(__file__).resolve().parents[2]
HR_INI = ROOT / "services" / "hr" / "alembic.ini"
FINANCE_INI = ROOT / "services" / "finance" / "alembic.ini"
DOC = (ROOT / "docs" / "finance.md").read_text()
# The posting example's date (2026-08-28) is in an open year at this time.
NOW = datetime(2026, 8, 3, 9, 0, tzinfo=UK)

pytestmark = pytest.mark.xdist_group("flows")  # one NATS server and relay per worker


class Service:
    def __init__(self, client: httpx.AsyncClient, mint: Any, audience: str, tenant: str) -> None:
        self.client, self.mint, self.audience, self.tenant = client, mint, audience, tenant

    def headers(self, scopes: str, **extra: str) -> dict[str, str]:
        token = self.mint(tenant=self.tenant, scopes=scopes, audience=self.audience)
        return {"Authorization": f"Bearer {token}", **extra}

    async def provision(self) -> None:
        admin = self.mint.headers(tenant=None, scopes="platform:admin", audience=self.audience)
        r = await self.client.put(
            f"/_internal/tenants/{self.tenant}", json={"cluster": "matrix"}, headers=admin
        )
        assert r.status_code == 200, r.text


@pytest_asyncio.fixture(loop_scope="session")
async def platform_parts(
    make_postgres_database: Any, nats_server_binary: str, tmp_path: Path
) -> AsyncIterator[dict[str, Any]]:
    hr_url = await make_postgres_database(f"flow_hr_{tmp_path.name[-6:]}")
    finance_url = await make_postgres_database(f"flow_fin_{tmp_path.name[-6:]}")
    await upgrade_async(HR_INI, hr_url)
    await upgrade_async(FINANCE_INI, finance_url)
    nats = own_server(nats_server_binary, tmp_path / "nats")  # its own: durable names clash
    nats.start()
    try:
        yield {"hr": hr_url, "finance": finance_url, "nats": nats.url}
    finally:
        nats.stop()


async def test_an_org_unit_created_in_hr_becomes_a_cost_centre_finance_posts_to(
    platform_parts: dict[str, Any], mint: Any, tenant: str
) -> None:
    clock = FixedClock(NOW)
    platform = native_platform()
    common = {"env": "test", "log_json": False, "internal_jwks_file": str(mint.jwks_file)}
    hr_app = create_hr(
        HRSettings(database_url=platform_parts["hr"], **common), clock=clock, platform=platform
    )
    finance_app = create_finance(
        FinanceSettings(database_url=platform_parts["finance"], **common),
        clock=clock,
        platform=platform,
        nats_url=platform_parts["nats"],
    )
    relay_database = Database(platform_parts["hr"])
    relay = Relay(relay_database, platform_parts["nats"], service="hr", interval=0.02)
    stop = asyncio.Event()
    async with (
        hr_app.router.lifespan_context(hr_app),
        finance_app.router.lifespan_context(finance_app),  # starts finance's consumer
        httpx.AsyncClient(transport=httpx.ASGITransport(app=hr_app), base_url="http://hr") as h,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=finance_app), base_url="http://finance"
        ) as f,
    ):
        relaying = asyncio.create_task(relay.run(stop))
        try:
            hr = Service(h, mint, "sop-hr", tenant)
            finance = Service(f, mint, "sop-finance", tenant)
            await hr.provision()
            await finance.provision()

            unit = {"code": "CORP", "name": "Corporate services", "cost_centre": "CC01"}
            created = await h.post(
                "/hr/v1/org-units", json=unit, headers=hr.headers("hr:read hr:write")
            )
            assert created.status_code == 201, created.text
            started = time.monotonic()

            found: list[dict[str, Any]] = []
            while not found and time.monotonic() - started < 20:
                r = await f.get("/finance/v1/cost-centres", headers=finance.headers("finance:read"))
                assert r.status_code == 200, r.text
                found = [c for c in r.json()["items"] if c["code"] == "CC01"]
                if not found:
                    await asyncio.sleep(0.05)
            assert found, "HR's org unit never became a finance cost centre"
            assert found[0]["name"] == "Corporate services"

            # The department's first journal to it posts (the documented example, verbatim).
            block = DOC.split("```http", 1)[1].split("```", 1)[0]
            body = json.loads(block[block.index("{") :])
            posted = await f.post(
                "/finance/v1/journals",
                json=body,
                headers=finance.headers(
                    "finance:read finance:write", **{"Idempotency-Key": f"flow-{tenant}"}
                ),
            )
            assert posted.status_code == 201, posted.text
            assert posted.json()["status"] == "posted"

            # Who made the cost centre is on record: finance acting on HR's event.
            audit = await f.get("/finance/v1/audit-events", headers=finance.headers("finance:read"))
            made = [e for e in audit.json()["items"] if e["action"] == "cost_centre.created"]
            assert [e["actor"] for e in made] == ["system:events"]
        finally:
            stop.set()
            await relaying
            await relay_database.dispose()
