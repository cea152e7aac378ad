"""Procurement over HTTP on PostgreSQL: suppliers, requisitions through approval, orders and
their commitments, problem types, ETags, idempotency, audit, events and tenant isolation.
Finance is the FinanceLedger port's in-memory fake here; tests/e2e calls the real one."""

from __future__ import annotations

import uuid

from procurement_testkit import line, supplier
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from sop_shared.db import async_url

URN = "urn:sop:problem:"


async def _limits(api, **roles):
    for role, (limit, members) in roles.items():
        await api.as_("admin").created(
            "/approval-limits", {"role": role, "limit": limit, "members": members}
        )


async def test_health_openapi_and_event_catalogue(pg_client):
    assert (await pg_client.get("/healthz")).json()["service"] == "procurement"
    doc = (await pg_client.get("/openapi.json")).json()
    assert "/procurement/v1/requisitions/{requisition_id}/approve" in doc["paths"]
    catalogue = (await pg_client.get("/events/asyncapi.json")).json()
    assert "uk.gov.sop.procurement.purchase_order.issued.v1" in str(catalogue)


async def test_suppliers_are_created_once_per_key_and_changed_with_if_match(api):
    r = await api.post("/suppliers", supplier(), key="sup-1")
    assert r.status_code == 201, r.text
    again = await api.post("/suppliers", supplier(), key="sup-1")
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == r.json()["id"]
    created = r.json()
    assert created["vat_number"] == "GB980780684"
    assert created["bank_details"] == {
        "sort_code": "123456",
        "account_number": "12345678",
        "account_name": "ACME WIDGETS",
    }
    dup = await api.post("/suppliers", supplier(vat_number=None), key="sup-2")
    assert dup.status_code == 409 and dup.json()["type"] == URN + "duplicate-supplier"

    bad = await api.post("/suppliers", supplier(vat_number="GB802311781", company_number=None))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "vat_number"

    path = f"/suppliers/{created['id']}"
    assert (await api.patch(path, {"sme": False}, if_match=None)).status_code == 428
    assert (await api.patch(path, {"sme": False}, if_match='"9"')).status_code == 412
    changed = await api.patch(path, {"status": "suspended"}, if_match=r.headers["etag"])
    assert changed.status_code == 200 and changed.json()["status"] == "suspended"
    listed = await api.get("/suppliers", status="suspended")
    assert [s["id"] for s in listed.json()["items"]] == [created["id"]]


async def test_bank_details_change_only_with_a_second_person_after_the_hold(api, clock):
    created = await api.created("/suppliers", supplier())
    path = f"/suppliers/{created['id']}"
    body = {"sort_code": "65-43-21", "account_number": "87654321", "account_name": "ACME LTD"}
    change = await api.as_("clerk").created(f"{path}/bank-detail-changes", body)
    approve = f"{path}/bank-detail-changes/{change['id']}/approve"
    self_approved = await api.as_("clerk").post(approve)
    assert self_approved.status_code == 403
    assert self_approved.json()["type"] == URN + "self-approval"
    no_scope = await api.as_("bob", "procurement:read procurement:write").post(approve)
    assert no_scope.status_code == 403
    approved = await api.as_("manager").post(approve)
    assert approved.status_code == 200, approved.text
    assert approved.json()["effective_from"] == "2026-04-10"  # Easter: 5 working days
    shown = (await api.get(path)).json()
    assert shown["bank_details"]["account_number"] == "12345678"
    assert shown["pending_bank_change"]["effective_from"] == "2026-04-10"
    assert shown["pending_bank_change"]["decided_by"] == "manager"

    clock.set(clock.now().replace(day=10))
    shown = (await api.get(path)).json()
    assert shown["bank_details"]["account_number"] == "87654321"
    assert shown["pending_bank_change"] is None

    history = (await api.get(f"{path}/bank-detail-changes")).json()
    assert [(c["status"], c["requested_by"], c["decided_by"]) for c in history] == [
        ("approved", "clerk", "manager")
    ]
    audit = (await api.get("/audit-events", resource_id=created["id"])).json()["items"]
    actions = [e["action"] for e in audit]
    assert "bank-change.request" in actions and "bank-change.approve" in actions
    approval = next(e for e in audit if e["action"] == "bank-change.approve")
    assert approval["actor"] == "manager" and approval["after"]["requested_by"] == "clerk"


async def _submitted(api, *lines):
    draft = await api.created(
        "/requisitions", {"title": "Laptops", "lines": list(lines) or [line()]}
    )
    r = await api.post(f"/requisitions/{draft['id']}/submit")
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_requisition_is_budget_checked_routed_and_approved_within_authority(api):
    await _limits(api, team_leader=("1000.00", ["tl"]), grade_7=("5000.00", ["g7"]))
    submitted = await _submitted(api)
    assert submitted["status"] == "submitted"
    assert submitted["total"] == "1200.00" and submitted["vat_total"] == "200.00"
    assert submitted["budget_check"] == [
        {
            "cost_centre_code": "CC01",
            "account_code": "41100000",
            "financial_year": "2026-27",
            "requested": "1000.00",
            "available": "5000.00",
            "over_budget": False,
        }
    ]
    assert submitted["approval_route"]["roles"] == ["grade_7"]
    assert submitted["approval_route"]["approvers"] == ["g7"]

    approve = f"/requisitions/{submitted['id']}/approve"
    own = await api.post(approve)
    assert own.status_code == 403 and own.json()["type"] == URN + "self-approval"
    above = await api.as_("tl").post(approve)
    assert above.status_code == 403 and above.json()["type"] == URN + "above-authority"
    assert above.json()["limit"] == "1000.00"
    assert (await api.get(f"/requisitions/{submitted['id']}")).json()["status"] == "submitted"
    ok = await api.as_("g7").post(approve, {"reason": "New starters"})
    assert ok.status_code == 200 and ok.json()["decided_by"] == "g7"


async def test_over_budget_is_409_and_finance_away_is_503_with_nothing_changed(api):
    draft = await api.created(
        "/requisitions",
        {"title": "Desks", "lines": [line(cost_centre_code="CC02", unit_price="75.00")]},
    )
    r = await api.post(f"/requisitions/{draft['id']}/submit")
    assert r.status_code == 409 and r.json()["type"] == URN + "over-budget"
    assert r.json()["budget_check"][0]["available"] == "100.00"
    api.ledger.down = True
    try:
        r = await api.post(f"/requisitions/{draft['id']}/submit")
    finally:
        api.ledger.down = False
    assert r.status_code == 503 and r.headers["retry-after"] == "7"
    after = await api.get(f"/requisitions/{draft['id']}")
    assert after.json()["status"] == "draft" and after.json()["version"] == draft["version"]


async def test_orders_commit_in_finance_and_are_invisible_to_other_tenants(api, other):
    await _limits(api, director=("50000.00", ["boss"]))
    sup = await api.created("/suppliers", supplier())
    submitted = await _submitted(api, line(), line(quantity="1", unit_price="100.00"))
    await api.as_("boss").post(f"/requisitions/{submitted['id']}/approve")
    no_key = await api.post("/purchase-orders", {"requisition_id": submitted["id"]})
    assert no_key.status_code == 428
    order = await api.created(
        "/purchase-orders", {"requisition_id": submitted["id"], "supplier_id": sup["id"]}
    )
    assert order["number"] == "PO-000001" and order["status"] == "draft"
    issued = await api.post(f"/purchase-orders/{order['id']}/issue", key="issue-1")
    assert issued.status_code == 200, issued.text
    assert [ln["committed"] for ln in issued.json()["lines"]] == ["1000.00", "100.00"]
    assert api.ledger.available("CC01", "41100000") == 3900
    replay = await api.post(f"/purchase-orders/{order['id']}/issue", key="issue-1")
    assert replay.headers.get("idempotent-replayed") == "true"
    assert len(api.ledger.held) == 2

    assert (await other.get(f"/purchase-orders/{order['id']}")).status_code == 404
    assert (await other.get("/purchase-orders")).json()["items"] == []

    cancelled = await api.post(f"/purchase-orders/{order['id']}/cancel", key="cancel-1")
    assert cancelled.status_code == 200 and cancelled.json()["committed"] == "0.00"
    assert api.ledger.available("CC01", "41100000") == 5000


async def test_state_changes_write_events_to_the_outbox(api, procurement_pg_url):
    sup = await api.created("/suppliers", supplier())
    engine = create_async_engine(async_url(procurement_pg_url))
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT type, data FROM outbox WHERE tenant = :t ORDER BY id"),
                    {"t": api.tenant},
                )
            ).all()
    finally:
        await engine.dispose()
    assert [r.type for r in rows] == ["uk.gov.sop.procurement.supplier.created.v1"]
    assert sup["id"] in str(rows[0].data) and "12345678" not in str(rows[0].data)


async def test_unknown_cpv_division_is_a_validation_error(api):
    r = await api.post(
        "/requisitions",
        {"title": "x", "lines": [line(cpv_code="99000000-1")]},
        key=str(uuid.uuid4()),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "lines.0.cpv_code"
