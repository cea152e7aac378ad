"""Transparency reports over HTTP on PostgreSQL: spend over £25,000 as CSV for a month, and
prompt payment from finance (faked per tenant); scopes, tenancy and query checks."""

from __future__ import annotations

from datetime import date, datetime

from procurement_testkit import draft_order, line

from sop_shared.clock import UK


async def test_spend_over_25k_is_a_csv_of_the_months_big_orders(api, other, clock):
    api.ledger.budget("CC01", "41100000", "100000.00")
    order = await draft_order(api, line(quantity="30", unit_price="1000.00"))
    clock.set(datetime(2026, 11, 12, 10, tzinfo=UK))
    issued = await api.post(f"/purchase-orders/{order['id']}/issue", key=f"i-{order['id']}")
    assert issued.status_code == 200, issued.text

    reader = api.as_("auditor", "procurement:read")
    r = await reader.get(
        "/reports/spend-over-25k", month="2026-11", department_family="Cabinet Office"
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "spend-over-25k-2026-11.csv" in r.headers["content-disposition"]
    rows = r.text.splitlines()
    assert rows[0].startswith("Department family,Entity,Date,Expense type,Expense area")
    assert rows[1:] == [
        f"Cabinet Office,{api.tenant},12/11/2026,41100000,CC01,Acme Widgets Ltd,"
        f"{order['number']},30000.00,Laptops"
    ]
    october = await reader.get("/reports/spend-over-25k", month="2026-10")
    assert october.text.splitlines()[1:] == []
    assert (await other.get("/reports/spend-over-25k", month="2026-11")).text.count("\n") == 1
    bad = await reader.get("/reports/spend-over-25k", month="2026-13")
    assert bad.status_code == 422
    nobody = api.as_("x", "procurement:approve")
    assert (await nobody.get("/reports/spend-over-25k", month="2026-11")).status_code == 403


async def test_prompt_payment_reads_finances_paid_invoices(api):
    api.ledger.pay("INV-1", date(2026, 10, 1), date(2026, 10, 3))
    api.ledger.pay("INV-2", date(2026, 10, 1), date(2026, 10, 20))
    api.ledger.pay("INV-3", date(2026, 9, 1), date(2026, 10, 20))
    reader = api.as_("auditor", "procurement:read")
    r = await reader.get("/reports/prompt-payment", **{"from": "2026-10-01", "to": "2026-12-31"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "from": "2026-10-01",
        "to": "2026-12-31",
        "invoices_paid": 3,
        "within_5_days": 1,
        "within_30_days": 2,
        "percent_within_5_days": "33.3",
        "percent_within_30_days": "66.7",
        "target_within_5_days": "80.0",
        "source": "finance",
    }
    backwards = await reader.get(
        "/reports/prompt-payment", **{"from": "2026-12-31", "to": "2026-10-01"}
    )
    assert backwards.status_code == 422
    assert (await reader.get("/reports/prompt-payment")).status_code == 422
    api.ledger.down = True
    try:
        away = await reader.get(
            "/reports/prompt-payment", **{"from": "2026-10-01", "to": "2026-12-31"}
        )
    finally:
        api.ledger.down = False
    assert away.status_code == 503 and away.headers["retry-after"] == "7"
