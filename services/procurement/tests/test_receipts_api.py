"""Receipts over HTTP on PostgreSQL: recorded against an issued order with a key, each order
line's position, the tenant's tolerance through the policy, problem types, scopes, tenancy,
pages and the outbox."""

from __future__ import annotations

from procurement_testkit import draft_order, line
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from sop_shared.db import async_url

URN = "urn:sop:problem:"


async def _issue(api, order):
    r = await api.post(f"/purchase-orders/{order['id']}/issue", key=f"issue-{order['id']}")
    assert r.status_code == 200, r.text
    return r.json()


async def test_receipts_and_returns_move_each_lines_position(api, other, procurement_pg_url):
    order = await draft_order(api, line(quantity="10", unit_price="20.00"))
    path = f"/purchase-orders/{order['id']}/receipts"
    first = order["lines"][0]["id"]
    draft = await api.post(path, {"lines": [{"order_line_id": first, "quantity": "1"}]}, key="d")
    assert draft.status_code == 409 and draft.json()["type"] == URN + "invalid-state"
    await _issue(api, order)

    no_key = await api.post(path, {"lines": [{"order_line_id": first, "quantity": "4"}]})
    assert no_key.status_code == 428
    reader = api.as_("reader", "procurement:read")
    denied = await reader.post(
        path, {"lines": [{"order_line_id": first, "quantity": "4"}]}, key="r"
    )
    assert denied.status_code == 403

    body = {"lines": [{"order_line_id": first, "quantity": "4", "note": "pallet 1 of 3"}]}
    r = await api.as_("stores").post(path, body, key="grn-1")
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert r.headers["location"] == f"/procurement/v1/receipts/{receipt['id']}"
    assert receipt["number"] == "GRN-000001" and receipt["recorded_by"] == "stores"
    assert receipt["lines"][0] | {"order_line_id": None} == {
        "order_line_id": None,
        "line_number": 1,
        "quantity": "4",
        "received_on": "2026-04-01",
        "note": "pallet 1 of 3",
        "reason": None,
        "ordered": "10",
        "received": "4",
        "returned": "0",
        "outstanding": "6",
    }
    replay = await api.as_("stores").post(path, body, key="grn-1")
    assert replay.headers.get("idempotent-replayed") == "true"

    over = await api.post(path, {"lines": [{"order_line_id": first, "quantity": "7"}]}, key="o")
    assert over.status_code == 409 and over.json()["type"] == URN + "over-receipt"
    assert over.json()["most"] == "10"
    back = {"order_line_id": first, "quantity": "-1.5"}
    unexplained = await api.post(path, {"lines": [back]}, key="b0")
    assert unexplained.status_code == 422
    assert unexplained.json()["errors"][0]["field"] == "lines.0.reason"
    too_many = await api.post(
        path, {"lines": [{**back, "quantity": "-5", "reason": "x"}]}, key="b1"
    )
    assert too_many.status_code == 409 and too_many.json()["type"] == URN + "over-return"
    returned = await api.post(path, {"lines": [{**back, "reason": "wrong size"}]}, key="b2")
    assert returned.status_code == 201, returned.text
    zero = await api.post(path, {"lines": [{"order_line_id": first, "quantity": "0"}]}, key="z")
    assert zero.status_code == 422

    got = (await reader.get(f"/purchase-orders/{order['id']}")).json()["lines"][0]
    assert (got["ordered"], got["received"], got["returned"], got["outstanding"]) == (
        "10",
        "4",
        "1.5",
        "7.5",
    )
    page = await reader.get(path, limit=1)
    assert [x["number"] for x in page.json()["items"]] == ["GRN-000001"]
    assert page.json()["next_cursor"] and "next" in page.headers["link"]
    listed = await reader.get("/receipts", order_id=order["id"])
    assert [x["number"] for x in listed.json()["items"]] == ["GRN-000001", "GRN-000002"]
    later = await reader.get("/receipts", updated_since="2026-04-02T00:00:00Z")
    assert later.json()["items"] == []
    one = await reader.get(f"/receipts/{receipt['id']}")
    assert one.status_code == 200 and one.headers["etag"]

    assert (await other.get(f"/receipts/{receipt['id']}")).status_code == 404
    assert (await other.get("/receipts")).json()["items"] == []
    foreign = await other.post(path, body, key="f")
    assert foreign.status_code == 404

    engine = create_async_engine(async_url(procurement_pg_url))
    try:
        async with engine.connect() as conn:
            types = (
                await conn.execute(
                    text("SELECT type FROM outbox WHERE tenant = :t AND type LIKE '%receipt%'"),
                    {"t": api.tenant},
                )
            ).scalars()
            assert list(types) == ["uk.gov.sop.procurement.receipt.recorded.v1"] * 2
    finally:
        await engine.dispose()


async def test_the_policy_sets_the_over_receipt_tolerance(api):
    order = await _issue(api, await draft_order(api, line(quantity="20", unit_price="10.00")))
    path = f"/purchase-orders/{order['id']}/receipts"
    first = order["lines"][0]["id"]
    policy = await api.get("/policy")
    assert policy.json()["over_receipt_tolerance"] == "0"
    admin = api.as_("admin")
    r = await admin.put(
        "/policy",
        {"over_budget": "refuse", "bank_change_hold_days": 5, "over_receipt_tolerance": "5"},
        if_match=policy.headers["etag"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["over_receipt_tolerance"] == "5"
    ok = await api.post(path, {"lines": [{"order_line_id": first, "quantity": "21"}]}, key="t1")
    assert ok.status_code == 201 and ok.json()["lines"][0]["outstanding"] == "0"
    over = await api.post(path, {"lines": [{"order_line_id": first, "quantity": "0.1"}]}, key="t2")
    assert over.status_code == 409 and over.json()["tolerance"] == "5"
    bad = await admin.put(
        "/policy",
        {"over_budget": "refuse", "bank_change_hold_days": 5, "over_receipt_tolerance": "101"},
        if_match=r.headers["etag"],
    )
    assert bad.status_code == 422
