"""The core ledger on the embedded SQLite default as well as on PostgreSQL."""

from __future__ import annotations

import pytest
from finance_testkit import BANK, IT, PAYABLES, SALARIES, cr, dr

pytestmark = pytest.mark.sqlite


async def test_post_report_and_reverse(any_api):
    api = any_api
    j = await api.post_journal(
        [dr(IT, "10.10", "CC01"), dr(SALARIES, "0.01", "CC02"), cr(BANK, "10.11")]
    )
    tb = await api.trial_balance(period="2026-08")
    assert tb["total_debit"] == tb["total_credit"] == "10.11"
    r = await api.post(f"/journals/{j['id']}/reverse", {}, key="rev")
    assert r.status_code == 201
    assert (await api.trial_balance(period="2026-08"))["lines"] == []


async def test_unbalanced_refused_and_replay_posts_once(any_api):
    api = any_api
    bad = await api.post_journal([dr(IT, "1.00", "CC01"), cr(BANK, "0.99")], expect=422)
    assert bad["type"] == "urn:sop:problem:journal-unbalanced"
    body = {
        "description": "p",
        "posting_date": "2026-08-01",
        "post": True,
        "lines": [dr(IT, "5.00", "CC01"), cr(BANK, "5.00")],
    }
    first = await api.post("/journals", body, key="same")
    second = await api.post("/journals", body, key="same")
    assert (
        second.headers["idempotent-replayed"] == "true"
        and second.json()["id"] == first.json()["id"]
    )
    assert (await api.post("/journals", {**body, "post": True})).status_code == 428
    assert (await api.trial_balance(period="2026-08"))["total_debit"] == "5.00"


async def test_closed_period_and_immutability(any_api):
    api = any_api
    j = await api.post_journal([dr(IT, "2.00", "CC01"), cr(BANK, "2.00")])
    r = await api.patch(f"/journals/{j['id']}", {"description": "x"}, if_match='"1"')
    assert r.status_code == 409 and r.json()["type"] == "urn:sop:problem:journal-posted"
    p = (await api.get("/periods/2026-08")).json()
    await api.patch("/periods/2026-08", {"status": "closed"}, if_match=f'"{p["version"]}"')
    late = await api.post_journal([dr(IT, "2.00", "CC01"), cr(BANK, "2.00")], expect=409)
    assert late["type"] == "urn:sop:problem:period-closed"


async def test_payment_run_writes_a_bacs_file(any_api):
    api = any_api
    s = (
        await api.post(
            "/suppliers",
            {
                "name": "Acme",
                "bank_sort_code": "200000",
                "bank_account_number": "87654321",
                "bank_account_name": "ACME",
            },
        )
    ).json()
    bank = (
        await api.post(
            "/bank-accounts",
            {
                "name": "GBS",
                "sort_code": "607080",
                "account_number": "10002000",
                "account_name": "DEPT",
                "service_user_number": "123456",
                "ledger_account_code": BANK,
            },
        )
    ).json()
    inv = (
        await api.post(
            "/supplier-invoices",
            {
                "supplier_id": s["id"],
                "supplier_invoice_number": "1",
                "invoice_date": "2026-08-03",
                "due_date": "2026-08-10",
                "lines": [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "12.34"}],
            },
        )
    ).json()
    assert (
        await api.as_("approver").post(f"/supplier-invoices/{inv['id']}/approve")
    ).status_code == 200
    assert (await api.post(f"/supplier-invoices/{inv['id']}/post", key="inv")).status_code == 200
    run = (
        await api.post(
            "/payment-runs", {"bank_account_id": bank["id"], "payment_date": "2026-08-10"}
        )
    ).json()
    assert (await api.post(f"/payment-runs/{run['id']}/post", key="run")).status_code == 200
    text = (await api.get(f"/payment-runs/{run['id']}/bacs-file")).text
    lines = text.splitlines()
    assert [len(ln) for ln in lines] == [80, 80, 80, 80, 100, 100, 80, 80, 80]
    assert lines[-1][4:17] == lines[-1][17:30] == "0000000001234"
    tb = {ln["account_code"]: ln for ln in (await api.trial_balance(period="2026-08"))["lines"]}
    assert PAYABLES not in tb and tb[BANK]["credit"] == "12.34"
