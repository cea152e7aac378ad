"""Tenant isolation on every route: others' ids are 404 and their ledgers untouched."""

from __future__ import annotations

import re

from finance_testkit import BANK, IT, NET_PAY, cr, dr

ID_ROUTES = [
    ("GET", "/accounts/{account}"),
    ("PATCH", "/accounts/{account}"),
    ("GET", "/cost-centres/{cost_centre}"),
    ("PATCH", "/cost-centres/{cost_centre}"),
    ("GET", "/analysis-codes/{analysis_code}"),
    ("PATCH", "/analysis-codes/{analysis_code}"),
    ("GET", "/journals/{journal}"),
    ("PATCH", "/journals/{draft}"),
    ("DELETE", "/journals/{draft}"),
    ("POST", "/journals/{draft}/approve"),
    ("POST", "/journals/{draft}/post"),
    ("POST", "/journals/{journal}/reverse"),
    ("GET", "/budgets/{budget}"),
    ("PATCH", "/budgets/{budget}"),
    ("GET", "/commitments/{commitment}"),
    ("POST", "/commitments/{commitment}/release"),
    ("GET", "/suppliers/{supplier}"),
    ("PATCH", "/suppliers/{supplier}"),
    ("GET", "/bank-accounts/{bank_account}"),
    ("PATCH", "/bank-accounts/{bank_account}"),
    ("GET", "/supplier-invoices/{invoice}"),
    ("PATCH", "/supplier-invoices/{invoice}"),
    ("POST", "/supplier-invoices/{invoice}/approve"),
    ("POST", "/supplier-invoices/{invoice}/cancel"),
    ("POST", "/supplier-invoices/{invoice}/post"),
    ("POST", "/supplier-invoices/{invoice}/reverse"),
    ("GET", "/payment-runs/{run}"),
    ("POST", "/payment-runs/{run}/cancel"),
    ("POST", "/payment-runs/{run}/post"),
    ("GET", "/payment-runs/{run}/bacs-file"),
    ("GET", "/payment-batches/{batch}"),
    ("GET", "/payment-batches/{batch}/payments"),
    ("POST", "/payment-batches/{batch}/payments"),
    ("POST", "/payment-batches/{batch}/submit"),
    ("POST", "/payment-batches/{batch}/cancel"),
    ("POST", "/payment-batches/{batch}/withdraw"),
    ("GET", "/payment-batches/{batch}/bacs-file"),
]
PAYMENT = {
    "payee_reference": "E1",
    "name": "E",
    "sort_code": "300000",
    "account_number": "11223344",
    "account_name": "E",
    "amount": "2.00",
    "reference": "PAY",
}
# A valid body, so the answer is about the id and not about the request.
BODIES = {
    ("PATCH", "/budgets/{budget}"): {"amount": "1.00"},
    ("POST", "/payment-batches/{batch}/payments"): {"payments": [PAYMENT]},
}
LISTS = [
    "/accounts",
    "/cost-centres",
    "/analysis-codes",
    "/journals",
    "/budgets",
    "/commitments",
    "/suppliers",
    "/bank-accounts",
    "/supplier-invoices",
    "/payment-runs",
    "/payment-batches",
    "/audit-events",
]
# Routes keyed by the tenant's own calendar or reports: checked by effect below.
BY_EFFECT = {
    ("GET", "/financial-years"),
    ("POST", "/financial-years"),
    ("GET", "/financial-years/{year}"),
    ("POST", "/financial-years/{year}/close"),
    ("GET", "/periods"),
    ("GET", "/periods/{period}"),
    ("PATCH", "/periods/{period}"),
    ("GET", "/reports/trial-balance"),
    ("GET", "/reports/account-balances"),
    ("GET", "/reports/cost-centre-income-expenditure"),
    ("GET", "/budget-availability"),
}


async def populate(api) -> dict[str, str]:
    ids: dict[str, str] = {}
    r = await api.post("/accounts", {"code": "22290000", "name": "Mine", "type": "expense"})
    ids["account"] = r.json()["id"]
    ids["cost_centre"] = (await api.post("/cost-centres", {"code": "CCX", "name": "Mine"})).json()[
        "id"
    ]
    ids["analysis_code"] = (
        await api.post("/analysis-codes", {"dimension": "project", "code": "PRJ1", "name": "P"})
    ).json()["id"]
    ids["journal"] = (await api.post_journal([dr(IT, "10.00", "CCX"), cr(BANK, "10.00")]))["id"]
    ids["draft"] = (
        await api.post(
            "/journals",
            {
                "description": "d",
                "posting_date": "2026-08-01",
                "lines": [dr(IT, "1.00", "CCX"), cr(BANK, "1.00")],
            },
        )
    ).json()["id"]
    ids["budget"] = (
        await api.post(
            "/budgets",
            {"cost_centre_code": "CCX", "account_code": IT, "period": "2026-08", "amount": "5.00"},
        )
    ).json()["id"]
    ids["commitment"] = (
        await api.post(
            "/commitments",
            {
                "cost_centre_code": "CCX",
                "account_code": IT,
                "commitment_date": "2026-08-01",
                "amount": "5.00",
            },
        )
    ).json()["id"]
    ids["supplier"] = (
        await api.post(
            "/suppliers",
            {
                "name": "S",
                "bank_sort_code": "100000",
                "bank_account_number": "12345678",
                "bank_account_name": "S",
            },
        )
    ).json()["id"]
    ids["bank_account"] = (
        await api.post(
            "/bank-accounts",
            {
                "name": "B",
                "sort_code": "200000",
                "account_number": "87654321",
                "account_name": "DEPT",
                "service_user_number": "654321",
                "ledger_account_code": BANK,
            },
        )
    ).json()["id"]
    inv = (
        await api.post(
            "/supplier-invoices",
            {
                "supplier_id": ids["supplier"],
                "supplier_invoice_number": "1",
                "invoice_date": "2026-08-01",
                "due_date": "2026-08-03",
                "lines": [{"account_code": IT, "cost_centre_code": "CCX", "net_amount": "4.00"}],
            },
        )
    ).json()
    await api.as_("approver").post(f"/supplier-invoices/{inv['id']}/approve")
    assert (
        await api.post(f"/supplier-invoices/{inv['id']}/post", key="iso-inv")
    ).status_code == 200
    run = await api.post(
        "/payment-runs", {"bank_account_id": ids["bank_account"], "payment_date": "2026-08-03"}
    )
    ids["run"] = run.json()["id"]
    assert (await api.post(f"/payment-runs/{ids['run']}/post", key="iso-run")).status_code == 200
    second = (
        await api.post(
            "/supplier-invoices",
            {
                "supplier_id": ids["supplier"],
                "supplier_invoice_number": "2",
                "invoice_date": "2026-08-01",
                "due_date": "2026-08-03",
                "lines": [{"account_code": IT, "cost_centre_code": "CCX", "net_amount": "4.00"}],
            },
        )
    ).json()
    ids["invoice"] = second["id"]
    batch = await api.post(
        "/payment-batches",
        {
            "bank_account_id": ids["bank_account"],
            "payment_date": "2026-08-03",
            "source": "payroll",
            "source_reference": "PAYRUN-ISO",
            "control_account_code": NET_PAY,
            "expected_count": 1,
            "expected_total": "2.00",
        },
        key="iso-batch",
    )
    ids["batch"] = batch.json()["id"]
    page = {"payments": [PAYMENT]}
    r = await api.post(f"/payment-batches/{ids['batch']}/payments", page, key="iso-page")
    assert r.status_code == 200, r.text
    assert (
        await api.post(f"/payment-batches/{ids['batch']}/submit", key="iso-sub")
    ).status_code == 200
    return ids


async def test_every_route_is_isolated(api, other):
    ids = await populate(api)
    before = await api.trial_balance(period="2026-08")
    assert before["lines"]

    # Every route the service serves is covered here, so a new route cannot skip the check.
    spec = (await api.client.get("/openapi.json")).json()
    served = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path.removeprefix("/finance/v1")))
        for path, ops in spec["paths"].items()
        for method in ops
    }
    covered = {(m, re.sub(r"\{[^}]+\}", "{}", p)) for m, p in ID_ROUTES}
    covered |= {("GET", p) for p in LISTS} | {("POST", p) for p in LISTS if p != "/audit-events"}
    covered |= {(m, re.sub(r"\{[^}]+\}", "{}", p)) for m, p in BY_EFFECT}
    assert served <= covered, served - covered

    for method, template in ID_ROUTES:
        path = template.format(**ids)
        headers = other.headers(key=f"iso-{method}-{path}", if_match='"1"')
        body = BODIES.get((method, template), {})
        r = await other.client.request(method, f"/finance/v1{path}", headers=headers, json=body)
        assert r.status_code == 404, (method, path, r.status_code, r.text)

    mine = set(ids.values())
    for path in LISTS:
        r = await other.get(path, limit=500)
        assert r.status_code == 200, (path, r.text)
        seen = {item.get("id") for item in r.json()["items"]}
        seen |= {item.get("resource_id") for item in r.json()["items"]}
        assert not (seen & mine), path
    assert (await other.get("/accounts", code="22290000")).json()["items"] == []
    assert (await other.get("/cost-centres", code="CCX")).json()["items"] == []

    # Creating with the other tenant's ids fails as if they did not exist.
    r = await other.post(
        "/supplier-invoices",
        {
            "supplier_id": ids["supplier"],
            "supplier_invoice_number": "9",
            "invoice_date": "2026-08-01",
            "due_date": "2026-08-03",
            "lines": [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "1.00"}],
        },
    )
    assert r.status_code == 422
    r = await other.post(
        "/payment-runs", {"bank_account_id": ids["bank_account"], "payment_date": "2026-08-03"}
    )
    assert r.status_code == 422
    r = await other.post(
        "/payment-batches",
        {
            "bank_account_id": ids["bank_account"],
            "payment_date": "2026-08-03",
            "source": "payroll",
            "source_reference": "PAYRUN-ISO",
            "control_account_code": NET_PAY,
            "expected_count": 1,
            "expected_total": "2.00",
        },
        key="iso-other-batch",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "bank_account_id"
    r = await other.post_journal([dr(IT, "1.00", "CCX"), cr(BANK, "1.00")], expect=422)
    assert r["errors"][0]["field"] == "lines.0.cost_centre_code"

    # Reports and calendars are per tenant: the other tenant sees none of this ledger, and
    # closing its own period or year changes nothing here.
    assert (await other.trial_balance(period="2026-08"))["lines"] == []
    assert (await other.get("/reports/account-balances", period="2026-08")).json()["accounts"] == []
    ie = await other.get("/reports/cost-centre-income-expenditure", period="2026-08")
    assert ie.json()["cost_centres"] == []
    assert (
        await other.get("/budget-availability", cost_centre="CCX", account=IT)
    ).status_code == 422
    theirs = (await other.get("/periods/2026-08")).json()
    closed = await other.patch(
        "/periods/2026-08", {"status": "closed"}, if_match=f'"{theirs["version"]}"'
    )
    assert closed.status_code == 200
    assert (await other.post("/financial-years/2027-28/close", key="iso-close")).status_code == 200
    assert (await other.post("/financial-years", {"start_year": 2040})).status_code == 201
    assert (await api.get("/periods/2026-08")).json()["status"] == "open"
    assert (await api.get("/financial-years/2027-28")).json()["status"] == "open"
    assert "2040-41" not in {
        y["label"] for y in (await api.get("/financial-years")).json()["items"]
    }
    assert (await api.trial_balance(period="2026-08")) == before
