"""Who may calculate: an internal token for payroll naming a tenant and holding payroll:read.
And the kernel's Idempotency-Key handling, harmless on a calculation, on both databases."""

from __future__ import annotations

import pytest

from sop_payroll.calculations.examples import INCOME_TAX, NATIONAL_INSURANCE, PAYSLIP

ROUTES = [
    ("POST", "/payroll/v1/calculations/income-tax", INCOME_TAX),
    ("POST", "/payroll/v1/calculations/national-insurance", NATIONAL_INSURANCE),
    ("POST", "/payroll/v1/calculations/payslip", PAYSLIP),
    ("GET", "/payroll/v1/tax-years", None),
    ("GET", "/payroll/v1/tax-years/2025-26", None),
    ("GET", "/payroll/v1/audit-events", None),
]


async def send(caller, method: str, path: str, body, headers=None):
    if headers is None:
        headers = caller.headers()
    return await caller.client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_every_route_answers_with_payroll_read(payroll, method, path, body):
    r = await send(payroll, method, path, body)
    assert r.status_code == 200, r.text
    assert r.headers["x-request-id"]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_no_token_is_401(payroll, method, path, body):
    r = await send(payroll, method, path, body, headers={})
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["type"] == "urn:sop:problem:unauthorized"


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_a_token_for_another_service_or_forged_is_401(payroll, method, path, body):
    hr_token = payroll.as_(audience="sop-hr").headers()
    assert (await send(payroll, method, path, body, headers=hr_token)).status_code == 401
    forged = {"Authorization": payroll.headers()["Authorization"][:-4] + "AAAA"}
    assert (await send(payroll, method, path, body, headers=forged)).status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_without_payroll_read_is_403(payroll, method, path, body):
    caller = payroll.as_(scopes="payroll:run payroll:approve hr:read")
    r = await send(caller, method, path, body)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert "payroll:read" in r.json()["detail"]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_a_token_naming_no_tenant_is_403(payroll, method, path, body):
    r = await send(payroll.as_(tenant=None), method, path, body)
    assert r.status_code == 403


async def test_a_body_that_is_not_json_is_422(payroll):
    r = await payroll.client.post(
        "/payroll/v1/calculations/income-tax",
        content=b"{not json",
        headers=payroll.headers({"Content-Type": "application/json"}),
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_an_idempotency_key_replays_the_first_answer(database, payroll, payroll_pg, request):
    caller = payroll if database == "sqlite" else payroll_pg
    key = {"Idempotency-Key": f"calc-{request.node.name}-{caller.tenant}"}
    path = "/payroll/v1/calculations/payslip"
    first = await caller.post(path, json=PAYSLIP, headers=key)
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    again = await caller.post(path, json=PAYSLIP, headers=key)
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = await caller.post(path, json={**PAYSLIP, "period": 4}, headers=key)
    assert other.status_code == 422
    assert other.json()["errors"] == [
        {"field": "Idempotency-Key", "message": "reused with another request"}
    ]
    # Keys belong to their tenant: another department's same key is a fresh request.
    elsewhere = await caller.as_(tenant=f"x-{caller.tenant}").post(path, json=PAYSLIP, headers=key)
    assert elsewhere.status_code == 200 and "idempotent-replayed" not in elsewhere.headers


async def test_a_calculation_on_postgresql_answers_as_on_sqlite(payroll, payroll_pg):
    for what, body in [
        ("income-tax", INCOME_TAX),
        ("national-insurance", NATIONAL_INSURANCE),
        ("payslip", PAYSLIP),
    ]:
        assert await payroll.calculate(what, body) == await payroll_pg.calculate(what, body)
