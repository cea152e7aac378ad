"""The service's contracts: OpenAPI, migrations, provisioning, adapter bindings, auth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from finance_testkit import Api
from sqlalchemy.ext.asyncio import create_async_engine

from sop_finance.adapters.native.tables import FinanceBase
from sop_finance.app import create_app
from sop_shared.db import async_url
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.testing.platform import native_platform

DOC = (Path(__file__).resolve().parents[3] / "docs" / "finance.md").read_text()


async def test_migrations_match_the_models(finance_pg_url):
    engine = create_async_engine(async_url(finance_pg_url))
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}),
                [FinanceBase.metadata, kernel_metadata],
            )
        )
    await engine.dispose()
    assert diff == []


async def test_openapi_documents_problems_scopes_and_required_keys(pg_client):
    spec = (await pg_client.get("/openapi.json")).json()
    ops = {(m.upper(), p): op for p, methods in spec["paths"].items() for m, op in methods.items()}
    for (method, path), op in ops.items():
        assert "401" in op["responses"] and "403" in op["responses"], (method, path)
        assert op["security"], (method, path)
    keyed = [
        ("POST", "/finance/v1/journals/{journal_id}/post"),
        ("POST", "/finance/v1/journals/{journal_id}/reverse"),
        ("POST", "/finance/v1/supplier-invoices/{invoice_id}/post"),
        ("POST", "/finance/v1/supplier-invoices/{invoice_id}/reverse"),
        ("POST", "/finance/v1/payment-runs/{run_id}/post"),
        ("POST", "/finance/v1/financial-years/{year}/close"),
        ("POST", "/finance/v1/journals"),
        ("POST", "/finance/v1/payment-batches"),
        ("POST", "/finance/v1/payment-batches/{batch_id}/payments"),
        ("POST", "/finance/v1/payment-batches/{batch_id}/submit"),
    ]
    for key in keyed:
        params = {p["name"] for p in ops[key].get("parameters", [])}
        assert "Idempotency-Key" in params and "428" in ops[key]["responses"], key
    money = spec["components"]["schemas"]["JournalLineOut"]["properties"]["debit"]
    assert money["type"] == "string"


async def test_unauthenticated_and_wrong_audience_are_refused(pg_client, mint, tenant):
    r = await pg_client.get("/finance/v1/journals")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    hr = mint.headers(tenant=tenant, audience="sop-hr")
    assert (await pg_client.get("/finance/v1/journals", headers=hr)).status_code == 401
    no_scope = mint.headers(tenant=tenant, audience="sop-finance", scopes="hr:read")
    assert (await pg_client.get("/finance/v1/journals", headers=no_scope)).status_code == 403


async def test_provisioning_needs_platform_admin(pg_client, mint, tenant):
    user = mint.headers(tenant=tenant, audience="sop-finance")
    r = await pg_client.put(
        f"/_internal/tenants/{tenant}", json={"cluster": "matrix"}, headers=user
    )
    assert r.status_code == 403


async def test_a_cluster_bound_to_an_adapter_not_provided_gets_503(
    finance_pg_url, mint, tenant, make_settings
):
    import httpx

    platform = native_platform(bindings={"unity": {"finance": {"adapter": "sap_like"}}})
    app = create_app(make_settings(finance_pg_url), platform=platform)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance") as client:
        headers = mint.headers(tenant=tenant, audience="sop-finance", cluster="unity")
        r = await client.get("/finance/v1/accounts", headers=headers)
        assert r.status_code == 503 and r.headers["retry-after"]
        assert r.json()["type"] == "urn:sop:problem:adapter-unavailable"
        native = Api(client, mint, tenant)  # cluster "matrix" binds finance to native
        assert (await native.get("/accounts")).status_code == 200
    await app.state.kernel.database.dispose()


async def test_a_cluster_the_platform_does_not_bind_gets_503_and_writes_nothing(api, mint):
    nowhere = mint.headers(
        tenant=api.tenant, scopes=api.scopes, audience="sop-finance", cluster="nowhere"
    )
    r = await api.client.get("/finance/v1/accounts", headers=nowhere)
    assert r.status_code == 503 and r.headers["retry-after"]
    assert r.json()["type"].endswith("cluster-not-bound")
    body = {"code": "CCNOWHERE", "name": "Never written"}
    r = await api.client.post("/finance/v1/cost-centres", json=body, headers=nowhere)
    assert r.status_code == 503 and r.headers["retry-after"]
    assert r.json()["type"].endswith("cluster-not-bound")
    journal = {
        "description": "never posted",
        "posting_date": "2026-08-15",
        "post": True,
        "lines": [
            {"account_code": "43100000", "debit": "1.00"},
            {"account_code": "71100000", "credit": "1.00"},
        ],
    }
    keyed = {**nowhere, "Idempotency-Key": "nowhere-1"}
    r = await api.client.post("/finance/v1/journals", json=journal, headers=keyed)
    assert r.status_code == 503 and r.json()["type"].endswith("cluster-not-bound")
    # The same tenant through a bound cluster sees nothing of it.
    assert (await api.get("/cost-centres", code="CCNOWHERE")).json()["items"] == []
    assert (await api.get("/journals")).json()["items"] == []
    events = (await api.get("/audit-events", limit=500)).json()["items"]
    assert events and not [
        e for e in events if e["resource_type"] == "journal" or "CCNOWHERE" in json.dumps(e)
    ]
    # Provisioning a department into such a cluster is refused as well.
    admin = mint.headers(tenant=None, scopes="platform:admin", audience="sop-finance")
    r = await api.client.put(
        "/_internal/tenants/t-nowhere-dept", json={"cluster": "nowhere"}, headers=admin
    )
    assert r.status_code == 503 and r.json()["type"].endswith("cluster-not-bound")


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
async def test_health(pg_client, path):
    assert (await pg_client.get(path)).status_code == 200


async def test_the_documented_posting_example_works_as_documented(api):
    """docs/finance.md's posting example is what payroll codes against: run it verbatim."""
    block = DOC.split("```http", 1)[1].split("```", 1)[0]
    body = json.loads(block[block.index("{") :])
    key = "payroll-run-01J9Z4-post"
    first = await api.post("/journals", body, key=key)
    assert first.status_code == 201, first.text
    posted = first.json()
    assert posted["status"] == "posted" and posted["period"] == "2026-08"
    assert first.headers["location"] == f"/finance/v1/journals/{posted['id']}"
    replay = await api.post("/journals", body, key=key)
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == posted
    dup = await api.post("/journals", body, key="a-later-retry-with-a-new-key")
    assert dup.status_code == 409 and dup.json()["journal_id"] == posted["id"]
    found = await api.get("/journals", source="payroll", source_reference=body["source_reference"])
    assert [j["id"] for j in found.json()["items"]] == [posted["id"]]
