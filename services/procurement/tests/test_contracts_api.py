"""The contracts register over HTTP on PostgreSQL: thresholds from the tenant's authority
type, cursor pages with updated_since, If-Match, linked orders, scopes and tenancy."""

from __future__ import annotations

from procurement_testkit import contract, draft_order, line, supplier

URN = "urn:sop:problem:"


async def test_the_register_computes_thresholds_and_pages(api, other):
    sup = await api.created("/suppliers", supplier())
    reader = api.as_("reader", "procurement:read")
    denied = await reader.post("/contracts", contract(sup["id"]))
    assert denied.status_code == 403
    first = await api.created("/contracts", contract(sup["id"]))
    assert first["number"] == "CON-000001"
    assert (first["threshold"], first["above_threshold"]) == ("135018.00", True)
    assert first["authority_type"] == "central_government"
    assert first["procurement_commenced_on"] == "2026-04-01"

    policy = await api.get("/policy")
    r = await api.as_("admin").put(
        "/policy",
        {"over_budget": "refuse", "bank_change_hold_days": 5, "authority_type": "sub_central"},
        if_match=policy.headers["etag"],
    )
    assert r.status_code == 200 and r.json()["authority_type"] == "sub_central"
    second = await api.created(
        "/contracts", contract(sup["id"], contract_type="works", value="6000000.00")
    )
    assert (second["threshold"], second["above_threshold"]) == ("5193000.00", True)
    third = await api.created("/contracts", contract(sup["id"]))
    assert (third["threshold"], third["above_threshold"]) == ("207720.00", False)

    direct = await api.post("/contracts", contract(sup["id"], procedure="direct_award"))
    assert direct.status_code == 422
    assert direct.json()["errors"][0]["field"] == "direct_award_justification"
    old = await api.post("/contracts", contract(sup["id"], procurement_commenced_on="2024-01-01"))
    assert old.status_code == 422

    page = await reader.get("/contracts", limit=2)
    assert [c["number"] for c in page.json()["items"]] == ["CON-000001", "CON-000002"]
    rest = await reader.get("/contracts", limit=2, cursor=page.json()["next_cursor"])
    assert [c["number"] for c in rest.json()["items"]] == ["CON-000003"]
    assert (await reader.get("/contracts", updated_since="2026-04-02T00:00:00Z")).json()[
        "items"
    ] == []
    works = await reader.get("/contracts", procedure="competitive_flexible", status="active")
    assert len(works.json()["items"]) == 3

    got = await reader.get(f"/contracts/{first['id']}")
    stale = await api.patch(f"/contracts/{first['id']}", {"value": "1.00"}, if_match='"99"')
    assert stale.status_code == 412
    no_match = await api.patch(f"/contracts/{first['id']}", {"value": "1.00"}, if_match=None)
    assert no_match.status_code == 428
    changed = await api.patch(
        f"/contracts/{first['id']}", {"value": "100000.00"}, if_match=got.headers["etag"]
    )
    assert changed.status_code == 200 and changed.json()["above_threshold"] is False

    assert (await other.get(f"/contracts/{first['id']}")).status_code == 404
    assert (await other.get("/contracts")).json()["items"] == []


async def test_orders_are_linked_to_a_contract_with_their_supplier(api):
    order = await draft_order(api, line())
    found = await api.created("/contracts", contract(order["supplier_id"]))
    path = f"/contracts/{found['id']}/purchase-orders"
    missing = await api.post(path, {"purchase_order_id": found["id"]})
    assert missing.status_code == 422
    linked = await api.post(path, {"purchase_order_id": order["id"]})
    assert linked.status_code == 200, linked.text
    assert linked.json()["purchase_order_ids"] == [order["id"]]
    elsewhere = await api.created(
        "/suppliers",
        supplier(legal_name="Other Ltd", company_number="12345678", vat_number=None),
    )
    theirs = await api.created("/contracts", contract(elsewhere["id"]))
    refused = await api.post(
        f"/contracts/{theirs['id']}/purchase-orders", {"purchase_order_id": order["id"]}
    )
    assert refused.status_code == 409 and refused.json()["type"] == URN + "invalid-state"
