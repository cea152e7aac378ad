"""Scope and tenancy on the receipts, contracts and reports routes: reading needs
procurement:read, changing procurement:write, and another tenant sees none of it (404)."""

from __future__ import annotations

from procurement_testkit import contract, draft_order, line


async def test_every_new_route_checks_scope_and_tenant(api, other):
    order = await draft_order(api, line())
    issued = await api.post(f"/purchase-orders/{order['id']}/issue", key=f"i-{order['id']}")
    assert issued.status_code == 200, issued.text
    receipt_body = {"lines": [{"order_line_id": order["lines"][0]["id"], "quantity": "1"}]}
    receipt = await api.created(f"/purchase-orders/{order['id']}/receipts", receipt_body)
    found = await api.created("/contracts", contract(order["supplier_id"]))
    period = {"from": "2026-04-01", "to": "2026-04-30"}

    reads = [
        ("/receipts", {}),
        (f"/receipts/{receipt['id']}", {}),
        (f"/purchase-orders/{order['id']}/receipts", {}),
        ("/contracts", {}),
        (f"/contracts/{found['id']}", {}),
        ("/reports/spend-over-25k", {"month": "2026-04"}),
        ("/reports/prompt-payment", period),
    ]
    approver = api.as_("approver", "procurement:approve")
    writer = api.as_("writer", "procurement:write")
    for path, params in reads:
        assert (await approver.get(path, **params)).status_code == 403, path
        assert (await writer.get(path, **params)).status_code == 403, path
        assert (await api.get(path, **params)).status_code == 200, path

    reader = api.as_("reader", "procurement:read")
    writes = [
        ("post", f"/purchase-orders/{order['id']}/receipts", receipt_body),
        ("post", "/contracts", contract(order["supplier_id"])),
        ("patch", f"/contracts/{found['id']}", {"title": "x"}),
        ("post", f"/contracts/{found['id']}/purchase-orders", {"purchase_order_id": order["id"]}),
    ]
    for method, path, body in writes:
        if method == "post":
            r = await reader.post(path, body, key="k")
        else:
            r = await reader.patch(path, body, if_match='"1"')
        assert r.status_code == 403, path

    for path in (
        f"/receipts/{receipt['id']}",
        f"/purchase-orders/{order['id']}/receipts",
        f"/contracts/{found['id']}",
    ):
        assert (await other.get(path)).status_code == 404, path
    theirs = other.as_("intruder")
    assert (
        await theirs.patch(f"/contracts/{found['id']}", {"title": "x"}, if_match='"1"')
    ).status_code == 404
    linked = await theirs.post(
        f"/contracts/{found['id']}/purchase-orders", {"purchase_order_id": order["id"]}
    )
    assert linked.status_code == 404
    again = await theirs.post(f"/purchase-orders/{order['id']}/receipts", receipt_body, key="x")
    assert again.status_code == 404
    assert (await api.get(f"/contracts/{found['id']}")).json()["purchase_order_ids"] == []
