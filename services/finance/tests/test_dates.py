"""Business dates entering finance run from 1900-01-01 to 2999-12-31: anything else is a 422
naming the field (a year before 1000 once built period "999-05" and crashed with a 500)."""

from __future__ import annotations

import uuid

import pytest
from finance_testkit import BANK, IT, cr, dr

PROBLEM = "application/problem+json"
OUT_OF_RANGE = ["0999-05-01", "1899-12-31", "3000-01-01", "0001-01-01"]


def refused(r, field: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == "urn:sop:problem:validation-failed"
    assert field in [e["field"] for e in body["errors"]], body


@pytest.mark.parametrize("day", OUT_OF_RANGE)
async def test_a_journal_posting_date_outside_1900_2999_is_refused(api, day):
    body = {
        "description": "far away",
        "posting_date": day,
        "lines": [dr(IT, "1.00", "CC01"), cr(BANK, "1.00")],
    }
    refused(await api.post("/journals", body), "posting_date")
    refused(await api.post("/journals", {**body, "post": True}, key=f"far-{day}"), "posting_date")
    refused(await api.get("/journals", posting_date_from=day), "posting_date_from")
    refused(await api.get("/journals", posting_date_to=day), "posting_date_to")


@pytest.mark.parametrize("day", OUT_OF_RANGE)
async def test_payables_dates_outside_1900_2999_are_refused(api, day):
    invoice = {
        "supplier_id": str(uuid.uuid4()),
        "supplier_invoice_number": "INV-1",
        "invoice_date": "2026-08-01",
        "due_date": "2026-08-31",
        "lines": [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "1.00"}],
    }
    refused(await api.post("/supplier-invoices", {**invoice, "invoice_date": day}), "invoice_date")
    refused(await api.post("/supplier-invoices", {**invoice, "due_date": day}), "due_date")
    refused(await api.get("/supplier-invoices", due_by=day), "due_by")
    run = {"bank_account_id": str(uuid.uuid4()), "payment_date": day}
    refused(await api.post("/payment-runs", run, key=f"run-{day}"), "payment_date")
    run = {"bank_account_id": str(uuid.uuid4()), "payment_date": "2026-08-28", "due_by": day}
    refused(await api.post("/payment-runs", run, key=f"due-{day}"), "due_by")


@pytest.mark.parametrize("day", OUT_OF_RANGE)
async def test_budget_and_report_dates_outside_1900_2999_are_refused(api, day):
    commitment = {
        "cost_centre_code": "CC01",
        "account_code": IT,
        "commitment_date": day,
        "amount": "1.00",
    }
    refused(await api.post("/commitments", commitment), "commitment_date")
    refused(await api.get("/reports/trial-balance", as_of=day), "as_of")


@pytest.mark.parametrize("period", ["0999-05", "1899-05", "3000-01", "0999-00-ADJ"])
async def test_a_period_outside_1900_2999_is_refused_not_a_crash(api, period):
    budget = {"cost_centre_code": "CC01", "account_code": IT, "period": period, "amount": "1.00"}
    r = await api.post("/budgets", budget)
    refused(r, "period")
    assert (await api.get("/reports/trial-balance", period=period)).status_code == 422
    assert (await api.get("/journals", period=period)).status_code in (200, 422)
