"""`sop run`'s demo HR records: seeded through HR's API, once, and visible to the tenant."""

from __future__ import annotations

from pathlib import Path

import httpx

from sop_gateway.demo_records import PEOPLE, seed_hr
from sop_hr.app import create_app
from sop_hr.settings import HRSettings
from sop_shared.migrations import upgrade_async
from sop_shared.testing.platform import native_platform

ROOT = Path(__file__).resolve().parents[1]
HR_INI = ROOT / "services" / "hr" / "alembic.ini"


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


class ByHost(httpx.AsyncBaseTransport):
    """Each service's real app, chosen by the request's host (http://hr, http://finance, ...)."""

    def __init__(self, apps: dict[str, httpx.ASGITransport]) -> None:
        self.apps = apps

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.apps[request.url.host].handle_async_request(request)


async def test_demo_payroll_is_ready_to_run_once_seeded(tmp_path, mint, tenant):
    from sop_finance.app import create_app as finance_app
    from sop_finance.settings import FinanceSettings
    from sop_gateway.demo_records import seed_payroll
    from sop_payroll.app import create_app as payroll_app
    from sop_payroll.settings import PayrollSettings

    root = ROOT
    urls = {}
    apps = {}
    for name, create, settings_class in (
        ("hr", create_app, HRSettings),
        ("finance", finance_app, FinanceSettings),
        ("payroll", payroll_app, PayrollSettings),
    ):
        url = f"sqlite+aiosqlite:///{tmp_path / name}.db"
        await upgrade_async(root / "services" / name / "alembic.ini", url)
        settings = settings_class(
            database_url=url, env="test", log_json=False, internal_jwks_file=str(mint.jwks_file)
        )
        extra = {"work": object(), "hr": object(), "finance": object()} if name == "payroll" else {}
        apps[name] = httpx.ASGITransport(
            app=create(settings, platform=native_platform(), **extra), raise_app_exceptions=False
        )
        urls[name] = f"http://{name}"
    transport = ByHost(apps)
    async with httpx.AsyncClient(transport=transport) as client:
        for name in apps:
            admin = mint.headers(tenant=None, scopes="platform:admin", audience=f"sop-{name}")
            r = await client.put(
                f"http://{name}/_internal/tenants/{tenant}",
                json={"cluster": "matrix"},
                headers=admin,
            )
            assert r.status_code == 200, (name, r.text)
        assert await seed_hr(urls["hr"], mint.signer, {tenant: "matrix"}, transport=transport) == {
            tenant: "seeded"
        }
        first = await seed_payroll(urls, mint.signer, {tenant: "matrix"}, transport=transport)
        again = await seed_payroll(urls, mint.signer, {tenant: "matrix"}, transport=transport)
        assert first == {tenant: "seeded"} and again == {tenant: "present"}
        reader = mint.headers(tenant=tenant, scopes="payroll:read", audience="sop-payroll")
        groups = (await client.get("http://payroll/payroll/v1/pay-groups", headers=reader)).json()
        assert [g["code"] for g in groups["items"]] == ["MONTHLY"]
        assert (
            groups["items"][0]["bank_account_id"]
            and "alpha" in groups["items"][0]["pension_schemes"]
        )
        hr = mint.headers(tenant=tenant, scopes="hr:read hr:sensitive", audience="sop-hr")
        people = (await client.get("http://hr/hr/v1/employees", headers=hr)).json()["items"]
        assert len(people) == len(PEOPLE) and all(p["bank_details"] for p in people)
        for person in people:
            r = await client.get(
                f"http://payroll/payroll/v1/employees/{person['id']}/rti-details", headers=reader
            )
            assert r.status_code == 200, person["employee_number"]
