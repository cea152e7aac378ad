"""Payroll's calculator end to end: the real gateway and payroll as processes on PostgreSQL
(the shared `stack`), a department onboarded through the platform API, and a token from the
gateway's development identity provider, calling http://127.0.0.1:<gateway>/payroll/v1/..."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

DEV_SECRET = "dev-secret"  # the development IdP's seeded client secret (sop_gateway.seed)
INCOME_TAX = {
    "tax_year": "2026-27",
    "pay_frequency": "monthly",
    "period": 3,
    "tax_code": "S1257L",
    "week1_month1": False,
    "taxable_pay": "1234.56",
    "previous_taxable_pay_to_date": "2469.12",
    "previous_tax_paid_to_date": "301.40",
}
NATIONAL_INSURANCE = {
    "tax_year": "2025-26",
    "pay_frequency": "weekly",
    "period": 1,
    "ni_category": "A",
    "gross_pay": "967.01",
}


async def dev_token(client: httpx.AsyncClient, client_id: str, scope: str) -> str:
    """An access token from the gateway's development IdP (client credentials)."""
    r = await client.post(
        "/idp/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(client_id, DEV_SECRET),
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@pytest_asyncio.fixture(loop_scope="session")
async def department(client: httpx.AsyncClient) -> str:
    """A department onboarded through the platform API (which provisions it in payroll); in
    development onboarding also gives it a client of the dev IdP, `<slug>-integrator`."""
    admin = await dev_token(client, "sop-admin", "platform:admin")
    slug = f"t-{uuid.uuid4().hex[:10]}"
    r = await client.post(
        "/platform/v1/tenants",
        json={"slug": slug, "name": f"Department {slug}", "cluster": "matrix"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert r.status_code == 201, r.text
    # The gateway routes POSTs by the scopes payroll's OpenAPI document declares (payroll:read
    # for a calculation); reading the merged document makes sure it has payroll's.
    spec = (await client.get("/openapi.json")).json()
    assert "/payroll/v1/calculations/income-tax" in spec["paths"]
    return slug


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_calculator_through_the_gateway_with_a_dev_idp_token(client, department):
    token = await dev_token(client, f"{department}-integrator", "payroll:read")
    r = await client.post(
        "/payroll/v1/calculations/income-tax", json=INCOME_TAX, headers=bearer(token)
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["tax_due"] == "-195.38" and answer["tax_due_to_date"] == "106.02"
    assert answer["taxable_pay_to_date"] == "3703.68" and answer["regime"] == "scotland"
    assert r.headers["x-request-id"]

    r = await client.post(
        "/payroll/v1/calculations/national-insurance",
        json=NATIONAL_INSURANCE,
        headers=bearer(token),
    )
    assert r.status_code == 200, r.text
    ni = r.json()
    assert (ni["employee_contribution"], ni["employer_contribution"]) == ("58.00", "130.65")

    r = await client.post(
        "/payroll/v1/calculations/payslip",
        json={
            "tax_year": "2025-26",
            "pay_frequency": "monthly",
            "period": 1,
            "tax_code": "1257L",
            "ni_category": "A",
            "pay_items": [{"kind": "basic", "amount": "3000.00"}],
        },
        headers=bearer(token),
    )
    assert r.status_code == 200, r.text
    slip = r.json()
    assert Decimal(slip["net_pay"]) == Decimal(slip["gross_pay"]) - Decimal(
        slip["total_deductions"]
    )

    r = await client.get("/payroll/v1/tax-years", headers=bearer(token))
    assert r.status_code == 200
    assert "2025-26" in [y["tax_year"] for y in r.json()["items"]]


async def test_the_gateway_and_payroll_refuse_what_they_should(client, department):
    r = await client.post("/payroll/v1/calculations/income-tax", json=INCOME_TAX)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"

    other_scope = await dev_token(client, f"{department}-integrator", "payroll:run hr:read")
    r = await client.post(
        "/payroll/v1/calculations/income-tax", json=INCOME_TAX, headers=bearer(other_scope)
    )
    assert r.status_code == 403

    token = await dev_token(client, f"{department}-integrator", "payroll:read")
    r = await client.post(
        "/payroll/v1/calculations/income-tax",
        json={**INCOME_TAX, "taxable_pay": 1234.56},
        headers=bearer(token),
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["taxable_pay"]
    r = await client.post(
        "/payroll/v1/calculations/income-tax",
        json={**INCOME_TAX, "tax_code": "1257Q"},
        headers=bearer(token),
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["tax_code"]


async def test_an_idempotency_key_through_the_gateway(client, department):
    token = await dev_token(client, f"{department}-integrator", "payroll:read")
    headers = {**bearer(token), "Idempotency-Key": f"calc-{uuid.uuid4().hex}"}
    first = await client.post(
        "/payroll/v1/calculations/national-insurance", json=NATIONAL_INSURANCE, headers=headers
    )
    again = await client.post(
        "/payroll/v1/calculations/national-insurance", json=NATIONAL_INSURANCE, headers=headers
    )
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
