"""`sop run`'s demo HR records: seeded through HR's API, once, and visible to the tenant."""

from __future__ import annotations

from pathlib import Path

import httpx

from sop_gateway.demo_records import PEOPLE, seed_hr
from sop_hr.app import create_app
from sop_hr.settings import HRSettings
from sop_shared.migrations import upgrade_async
from sop_shared.testing.platform import native_platform

HR_INI = Path(__file__).resolve().parents[1] / "services" / "hr" / "alembic.ini"


async def test_demo_records_are_seeded_once_and_seen_by_their_tenant(tmp_path, mint, tenant):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hr.db'}"
    await upgrade_async(HR_INI, url)
    settings = HRSettings(
        database_url=url,
        env="test",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
    )
    app = create_app(settings, platform=native_platform())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hr") as client:
        admin = mint.headers(tenant=None, scopes="platform:admin", audience="sop-hr")
        provisioned = await client.put(
            f"/_internal/tenants/{tenant}", json={"cluster": "matrix"}, headers=admin
        )
        assert provisioned.status_code == 200

        first = await seed_hr("http://hr", mint.signer, {tenant: "matrix"}, transport=transport)
        again = await seed_hr("http://hr", mint.signer, {tenant: "matrix"}, transport=transport)
        assert first == {tenant: "seeded"}
        assert again == {tenant: "present"}

        reader = mint.headers(tenant=tenant, scopes="hr:read", audience="sop-hr")
        listed = (await client.get("/hr/v1/employees", headers=reader)).json()["items"]
        assert sorted(e["employee_number"] for e in listed) == [p.number for p in PEOPLE]
        assert all("national_insurance_number" not in e for e in listed)
        scot = next(e for e in listed if e["employee_number"] == "D0002")
        assert scot["home_region"] == "scotland"
        units = (await client.get("/hr/v1/org-units", headers=reader)).json()["items"]
        assert {u["code"] for u in units} == {"DEPT", "CORP", "OPS"}
    await app.state.kernel.database.dispose()
