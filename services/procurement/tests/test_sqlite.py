"""The same service on SQLite (`sop run`'s default database): a supplier, a requisition
through approval, an issued order with its numbers, money and times as on PostgreSQL, a
receipt against it, a contract it is linked to and the month's spend report."""

from __future__ import annotations

from procurement_testkit import contract, line, supplier


async def test_requisition_to_issued_order_on_sqlite(sqlite_api):
    api = sqlite_api
    await api.as_("admin").created(
        "/approval-limits", {"role": "director", "limit": "50000.00", "members": ["boss"]}
    )
    sup = await api.created("/suppliers", supplier())
    assert sup["created_at"].endswith("Z") or sup["created_at"].endswith("+00:00")
    draft = await api.created(
        "/requisitions",
        {"title": "Laptops", "lines": [line(quantity="1.5", unit_price="333.33")]},
    )
    assert draft["lines"][0]["quantity"] == "1.5" and draft["net_total"] == "500.00"
    submitted = await api.post(f"/requisitions/{draft['id']}/submit")
    assert submitted.status_code == 200, submitted.text
    approved = await api.as_("boss").post(f"/requisitions/{draft['id']}/approve")
    assert approved.status_code == 200, approved.text
    order = await api.created(
        "/purchase-orders", {"requisition_id": draft["id"], "supplier_id": sup["id"]}
    )
    issued = await api.post(f"/purchase-orders/{order['id']}/issue", key="i-1")
    assert issued.status_code == 200, issued.text
    assert issued.json()["number"] == "PO-000001" and issued.json()["committed"] == "500.00"
    assert issued.json()["lines"][0]["vat_rate"] == "20"
    listed = await api.get("/purchase-orders", status="issued")
    assert [o["id"] for o in listed.json()["items"]] == [order["id"]]

    line_id = issued.json()["lines"][0]["id"]
    receipt = await api.created(
        f"/purchase-orders/{order['id']}/receipts",
        {"lines": [{"order_line_id": line_id, "quantity": "0.5", "note": "first"}]},
        key="grn-1",
    )
    assert receipt["number"] == "GRN-000001" and receipt["lines"][0]["outstanding"] == "1"
    held = (await api.get(f"/purchase-orders/{order['id']}")).json()["lines"][0]
    assert (held["received"], held["outstanding"]) == ("0.5", "1")
    found = await api.created("/contracts", contract(sup["id"]))
    assert found["threshold"] == "135018.00"
    linked = await api.post(
        f"/contracts/{found['id']}/purchase-orders", {"purchase_order_id": order["id"]}
    )
    assert linked.json()["purchase_order_ids"] == [order["id"]]
    report = await api.get("/reports/spend-over-25k", month="2026-04")
    assert report.status_code == 200 and report.text.startswith("Department family,")
