"""Procurement end to end, through the real gateway with real finance: a requisition's budget
check is a call procurement makes to finance through the gateway with an exchanged token; an
approver within delegated authority approves it (the requester and an approver above their
limit are refused and nothing changes); the order it becomes commits its lines in finance, so
finance's budget availability drops; another tenant sees no trace of the order. With finance
down, a submit is a 503 and the draft stays as it was."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
import pytest_asyncio

from sop_shared.clock import UK

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ALL = (
    "procurement:read procurement:write procurement:approve "
    "finance:read finance:write finance:approve"
)
ACCOUNT = "22200000"  # IT and telecommunications, in finance's default chart


@pytest_asyncio.fixture(loop_scope="session")
async def client(procurement_stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=procurement_stack.url, timeout=30) as c:
        yield c


async def test_requisition_to_order_commits_the_budget_in_finance(procurement_stack, client):
    stack = procurement_stack
    tenant = await stack.onboard(client)

    def as_(who: str, scope: str = ALL) -> dict[str, str]:
        return stack.tenant_headers(tenant, scope, sub=who)

    async def post(path: str, body=None, who: str = "alice", key: bool = True) -> httpx.Response:
        headers = as_(who) | ({"Idempotency-Key": uuid.uuid4().hex} if key else {})
        return await client.post(path, json=body, headers=headers)

    # Finance: a cost centre and this month's budget on it.
    r = await post("/finance/v1/cost-centres", {"code": "CC01", "name": "Digital"}, "fd")
    assert r.status_code == 201, r.text
    month = datetime.now(UK).strftime("%Y-%m")
    r = await post(
        "/finance/v1/budgets",
        {"cost_centre_code": "CC01", "account_code": ACCOUNT, "period": month, "amount": "5000.00"},
        "fd",
    )
    assert r.status_code == 201, r.text

    # Delegated authority: Carol may approve up to 500.00, Bob up to 2,000.00.
    for role, limit, members in (("team_leader", "500.00", ["carol"]), ("g7", "2000.00", ["bob"])):
        r = await post(
            "/procurement/v1/approval-limits",
            {"role": role, "limit": limit, "members": members},
            "admin",
        )
        assert r.status_code == 201, r.text

    supplier = await post(
        "/procurement/v1/suppliers",
        {"legal_name": "Acme Widgets Ltd", "company_number": "SC123456"},
    )
    assert supplier.status_code == 201, supplier.text
    line = {
        "description": "Laptops",
        "cpv_code": "30213100-6",
        "quantity": "2",
        "unit_price": "500.00",
        "vat_rate": "20",
        "cost_centre_code": "CC01",
        "account_code": ACCOUNT,
    }
    draft = await post(
        "/procurement/v1/requisitions",
        {"title": "Laptops", "supplier_id": supplier.json()["id"], "lines": [line]},
    )
    assert draft.status_code == 201, draft.text
    requisition = f"/procurement/v1/requisitions/{draft.json()['id']}"

    submitted = await post(f"{requisition}/submit", key=False)
    assert submitted.status_code == 200, submitted.text
    check = submitted.json()["budget_check"]
    assert [(c["requested"], c["available"], c["over_budget"]) for c in check] == [
        ("1000.00", "5000.00", False)
    ]
    assert submitted.json()["approval_route"]["approvers"] == ["bob"]

    own = await post(f"{requisition}/approve", key=False)
    assert own.status_code == 403 and own.json()["type"] == "urn:sop:problem:self-approval"
    above = await post(f"{requisition}/approve", who="carol", key=False)
    assert above.status_code == 403, above.text
    assert above.json()["type"] == "urn:sop:problem:above-authority"
    assert above.json()["limit"] == "500.00"
    unchanged = (await client.get(requisition, headers=as_("alice"))).json()
    assert unchanged["status"] == "submitted"
    assert unchanged["version"] == submitted.json()["version"]

    approved = await post(f"{requisition}/approve", who="bob", key=False)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    order = await post(
        "/procurement/v1/purchase-orders", {"requisition_id": draft.json()["id"]}, "buyer"
    )
    assert order.status_code == 201, order.text
    assert order.json()["number"] == "PO-000001"
    path = f"/procurement/v1/purchase-orders/{order.json()['id']}"
    issued = await post(f"{path}/issue", who="buyer")
    assert issued.status_code == 200, issued.text
    assert issued.json()["committed"] == "1000.00"

    availability = await client.get(
        "/finance/v1/budget-availability",
        params={"cost_centre": "CC01", "account": ACCOUNT},
        headers=as_("fd"),
    )
    assert availability.status_code == 200, availability.text
    assert availability.json()["commitments"] == "1000.00"
    assert availability.json()["available"] == "4000.00"
    commitments = await client.get(
        "/finance/v1/commitments", params={"source_reference": "PO-000001"}, headers=as_("fd")
    )
    [commitment] = commitments.json()["items"]
    assert commitment["source"] == "procurement" and commitment["amount"] == "1000.00"
    assert commitment["created_by"] == "buyer"  # the person, procurement acting for them

    other = await stack.onboard(client)
    foreign = stack.tenant_headers(other, ALL, sub="mallory")
    assert (await client.get(path, headers=foreign)).status_code == 404
    assert (await client.get(path, headers=as_("alice"))).status_code == 200


async def test_finance_down_at_submit_is_a_503_and_the_draft_stays(procurement_stack, client):
    stack = procurement_stack
    tenant = await stack.onboard(client)
    headers = stack.tenant_headers(tenant, ALL, sub="alice")
    line = {
        "description": "Desk",
        "cpv_code": "39121100-7",
        "quantity": "1",
        "unit_price": "100.00",
        "vat_rate": "20",
        "cost_centre_code": "CC01",
        "account_code": ACCOUNT,
    }
    draft = await client.post(
        "/procurement/v1/requisitions", json={"title": "Desk", "lines": [line]}, headers=headers
    )
    assert draft.status_code == 201, draft.text
    path = f"/procurement/v1/requisitions/{draft.json()['id']}"
    stack.finance.stop()
    try:
        r = await client.post(f"{path}/submit", headers=headers)
    finally:
        stack.finance.start()
        await asyncio.to_thread(stack.finance.wait_healthy)
    assert r.status_code == 503, r.text
    assert r.json()["type"] == "urn:sop:problem:finance-unavailable"
    assert int(r.headers["retry-after"]) > 0
    after = (await client.get(path, headers=headers)).json()
    assert after["status"] == "draft" and after["version"] == draft.json()["version"]
