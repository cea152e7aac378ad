"""Payables end to end, down to a structurally checked BACS Standard 18 file."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from finance_testkit import BANK, IT, PAYABLES, SUPPLIES, VAT, WRITER, check_standard18

from sop_shared.clock import UK

KEY = 0


def key() -> str:
    global KEY
    KEY += 1
    return f"k-{KEY}"


async def supplier(api, name: str, sort_code: str, account: str, bank_name: str = "") -> dict:
    r = await api.post(
        "/suppliers",
        {
            "name": name,
            "bank_sort_code": sort_code,
            "bank_account_number": account,
            "bank_account_name": bank_name or name[:18],
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


async def bank_account(api) -> dict:
    r = await api.post(
        "/bank-accounts",
        {
            "name": "GBS main",
            "sort_code": "60-70-80",
            "account_number": "10002000",
            "account_name": "Dept of Examples",
            "service_user_number": "123456",
            "ledger_account_code": BANK,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


async def invoice(
    api,
    supplier_id: str,
    number: str,
    lines: list,
    *,
    due: str = "2026-09-10",
    invoice_date: str = "2026-08-20",
    **extra,
) -> dict:
    r = await api.post(
        "/supplier-invoices",
        {
            "supplier_id": supplier_id,
            "supplier_invoice_number": number,
            "invoice_date": invoice_date,
            "due_date": due,
            "lines": lines,
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


async def approve_and_post(api, inv: dict) -> dict:
    approved = await api.as_("approver").post(f"/supplier-invoices/{inv['id']}/approve")
    assert approved.status_code == 200, approved.text
    posted = await api.post(f"/supplier-invoices/{inv['id']}/post", key=key())
    assert posted.status_code == 200, posted.text
    return posted.json()


async def test_invoice_to_payment_run_to_bacs_file(api):
    acme = await supplier(api, "Acme Supplies Ltd", "200000", "87654321")
    bolt = await supplier(api, "Bolt & Nut (UK) plc", "30-00-01", "11112222", "Bolt & Nut UK plc")
    gbs = await bank_account(api)
    i1 = await invoice(
        api,
        acme["id"],
        "A-100",
        [
            {
                "account_code": IT,
                "cost_centre_code": "CC01",
                "net_amount": "100.00",
                "vat_amount": "20.00",
            },
        ],
    )
    i2 = await invoice(
        api,
        acme["id"],
        "A-101",
        [
            {"account_code": SUPPLIES, "cost_centre_code": "CC02", "net_amount": "50.50"},
        ],
    )
    i3 = await invoice(
        api,
        bolt["id"],
        "b/7",
        [
            {"account_code": SUPPLIES, "cost_centre_code": "CC01", "net_amount": "9.99"},
        ],
    )
    later = await invoice(
        api,
        bolt["id"],
        "b/8",
        [
            {"account_code": SUPPLIES, "cost_centre_code": "CC01", "net_amount": "1.00"},
        ],
        due="2026-12-31",
    )
    assert (
        i1["total"] == "120.00" and i1["status"] == "received" and i1["number"].startswith("INV-")
    )
    for inv in (i1, i2, i3, later):
        posted = await approve_and_post(api, inv)
        assert posted["status"] == "posted" and posted["journal_id"]
    journal_id = (await api.get(f"/supplier-invoices/{i1['id']}")).json()["journal_id"]
    journal = (await api.get(f"/journals/{journal_id}")).json()
    assert {(ln["account_code"], ln["debit"], ln["credit"]) for ln in journal["lines"]} == {
        (IT, "100.00", "0.00"),
        (VAT, "20.00", "0.00"),
        (PAYABLES, "0.00", "120.00"),
    }
    assert journal["source"] == "payables" and journal["source_reference"] == i1["number"]

    r = await api.post(
        "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": "2026-09-10"}
    )
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["status"] == "proposed" and run["total"] == "180.49"
    payments = {p["supplier_name"]: p for p in run["payments"]}
    assert payments["Acme Supplies Ltd"]["amount"] == "170.50"
    assert payments["Acme Supplies Ltd"]["reference"] == "SOP 2 INVOICES"
    assert payments["Bolt & Nut (UK) plc"]["reference"] == "B/7"
    assert later["id"] not in {i for p in run["payments"] for i in p["invoice_ids"]}
    # The file exists only once the run posts, and posting needs a key and an approver.
    assert (await api.get(f"/payment-runs/{run['id']}/bacs-file")).status_code == 409
    assert (await api.post(f"/payment-runs/{run['id']}/post")).status_code == 428
    assert (
        await api.as_("clerk", WRITER).post(f"/payment-runs/{run['id']}/post", key=key())
    ).status_code == 403
    posted = await api.post(f"/payment-runs/{run['id']}/post", key="pay-1")
    assert posted.status_code == 200, posted.text
    assert posted.json()["status"] == "posted" and posted.json()["bacs_file_url"]
    replay = await api.post(f"/payment-runs/{run['id']}/post", key="pay-1")
    assert replay.headers["idempotent-replayed"] == "true"
    assert (await api.post(f"/payment-runs/{run['id']}/post", key="pay-2")).status_code == 409

    f = await api.get(f"/payment-runs/{run['id']}/bacs-file")
    assert f.status_code == 200 and f.headers["content-type"].startswith("text/plain")
    checked = check_standard18(f.text)
    assert checked["total_pence"] == 18049
    by_account = {r[6:14]: r for r in checked["credits"]}
    assert by_account["87654321"][0:6] == "200000" and int(by_account["87654321"][35:46]) == 17050
    assert by_account["11112222"][0:6] == "300001"
    assert by_account["11112222"][82:100].rstrip() == "BOLT & NUT UK PLC"
    assert checked["contra"][0:6] == "607080" and checked["contra"][6:14] == "10002000"
    assert checked["uhl1"][4:10] == " 26251"  # processed 8 September for the 10th

    for inv in (i1, i2, i3):
        assert (await api.get(f"/supplier-invoices/{inv['id']}")).json()["status"] == "paid"
    assert (await api.get(f"/supplier-invoices/{later['id']}")).json()["status"] == "posted"
    tb = {
        ln["account_code"]: (ln["debit"], ln["credit"])
        for ln in (await api.trial_balance(period="2026-09"))["lines"]
    }
    assert tb[PAYABLES] == ("0.00", "1.00") and tb[BANK] == ("0.00", "180.49")
    again = await api.post(
        "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": "2026-09-10"}
    )
    assert again.status_code == 409  # nothing else is due


async def test_invoice_controls(api):
    acme = await supplier(api, "Acme", "200000", "87654321")
    lines = [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "10.00"}]
    inv = await invoice(api, acme["id"], "X-1", lines)
    dup = await api.post(
        "/supplier-invoices",
        {
            "supplier_id": acme["id"],
            "supplier_invoice_number": "X-1",
            "invoice_date": "2026-08-20",
            "due_date": "2026-09-10",
            "lines": lines,
        },
    )
    assert dup.status_code == 409 and dup.json()["invoice_id"] == inv["id"]
    early = await api.post(
        "/supplier-invoices",
        {
            "supplier_id": acme["id"],
            "supplier_invoice_number": "X-2",
            "invoice_date": "2026-08-20",
            "due_date": "2026-08-01",
            "lines": lines,
        },
    )
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "due_date"
    no_cc = await api.post(
        "/supplier-invoices",
        {
            "supplier_id": acme["id"],
            "supplier_invoice_number": "X-3",
            "invoice_date": "2026-08-20",
            "due_date": "2026-09-01",
            "lines": [{"account_code": IT, "net_amount": "1.00"}],
        },
    )
    assert no_cc.status_code == 422
    assert (await api.post(f"/supplier-invoices/{inv['id']}/post", key=key())).status_code == 409
    assert (
        (await api.post(f"/supplier-invoices/{inv['id']}/approve"))
        .json()["type"]
        .endswith("self-approval")
    )
    changed = await api.as_("editor").patch(
        f"/supplier-invoices/{inv['id']}", {"due_date": "2026-10-01"}, if_match='"1"'
    )
    assert changed.status_code == 200 and changed.json()["entered_by"] == "editor"
    assert (
        await api.as_("editor").post(f"/supplier-invoices/{inv['id']}/approve")
    ).status_code == 403
    await approve_and_post(api, changed.json())
    patched = await api.patch(
        f"/supplier-invoices/{inv['id']}", {"due_date": "2026-10-02"}, if_match='"4"'
    )
    assert patched.status_code == 409
    assert (await api.post(f"/supplier-invoices/{inv['id']}/cancel")).status_code == 409
    bad_bank = await api.post(
        "/suppliers",
        {
            "name": "X",
            "bank_sort_code": "12345",
            "bank_account_number": "1234567a",
            "bank_account_name": "é",
        },
    )
    assert {e["field"] for e in bad_bank.json()["errors"]} == {
        "bank_sort_code",
        "bank_account_number",
        "bank_account_name",
    }


async def test_a_changed_supplier_invoice_number_is_refused_like_a_duplicate_entry(api):
    acme = await supplier(api, "Acme", "200000", "87654321")
    lines = [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "10.00"}]
    first = await invoice(api, acme["id"], "D-1", lines)
    second = await invoice(api, acme["id"], "D-2", lines)
    on_entry = await api.post(
        "/supplier-invoices",
        {
            "supplier_id": acme["id"],
            "supplier_invoice_number": "D-1",
            "invoice_date": "2026-08-20",
            "due_date": "2026-09-10",
            "lines": lines,
        },
    )
    on_change = await api.patch(
        f"/supplier-invoices/{second['id']}", {"supplier_invoice_number": "D-1"}, if_match='"1"'
    )
    assert on_entry.status_code == on_change.status_code == 409, on_change.text
    for problem in (on_entry.json(), on_change.json()):
        assert problem["type"] == "urn:sop:problem:duplicate-reference"
        assert problem["invoice_id"] == first["id"]
        assert problem["detail"] == f"Acme invoice D-1 is already {first['number']}"
    assert (await api.get(f"/supplier-invoices/{second['id']}")).json() == second


async def test_an_invoices_posting_is_reversed_through_the_invoice_and_never_paid(api):
    """The journals API refuses to reverse an invoice's posting on its own (the invoice would
    stay posted and be paid); reversing the invoice mirrors the journal and keeps it out of
    every payment run, in one transaction."""
    acme = await supplier(api, "Acme", "200000", "87654321")
    gbs = await bank_account(api)
    lines = [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "40.00"}]
    inv = await approve_and_post(api, await invoice(api, acme["id"], "R-1", lines))
    journal_id = inv["journal_id"]

    refused = await api.post(f"/journals/{journal_id}/reverse", {}, key=key())
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:sop:problem:journal-owned"
    assert (problem["invoice_id"], problem["source"], problem["source_reference"]) == (
        inv["id"],
        "payables",
        inv["number"],
    )
    assert f"/supplier-invoices/{inv['id']}/reverse" in problem["detail"]
    assert (await api.get(f"/journals/{journal_id}")).json()["reversed_by_journal_id"] is None
    assert (await api.get(f"/supplier-invoices/{inv['id']}")).json() == inv
    assert (await api.post(f"/supplier-invoices/{inv['id']}/cancel")).status_code == 409

    assert (await api.post(f"/supplier-invoices/{inv['id']}/reverse")).status_code == 428
    r = await api.post(f"/supplier-invoices/{inv['id']}/reverse", key="reverse-r1")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "reversed" and r.json()["version"] == inv["version"] + 1
    replay = await api.post(f"/supplier-invoices/{inv['id']}/reverse", key="reverse-r1")
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == r.json()
    again = await api.post(f"/supplier-invoices/{inv['id']}/reverse", key="reverse-r1-again")
    assert again.status_code == 409
    posting = (await api.get(f"/journals/{journal_id}")).json()
    mirror = (await api.get(f"/journals/{posting['reversed_by_journal_id']}")).json()
    assert (mirror["source"], mirror["source_reference"]) == ("reversal", posting["number"])
    tb = await api.trial_balance(period="2026-08")
    assert PAYABLES not in {ln["account_code"] for ln in tb["lines"]}
    listed = (await api.get("/supplier-invoices", status="reversed")).json()["items"]
    assert [i["id"] for i in listed] == [inv["id"]]

    nothing = await api.post(
        "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": "2026-09-10"}
    )
    assert nothing.status_code == 409, nothing.text  # nothing is due: the invoice is not paid


async def test_posting_an_invoice_releases_its_commitment(api):
    acme = await supplier(api, "Acme", "200000", "87654321")
    c = (
        await api.post(
            "/commitments",
            {
                "cost_centre_code": "CC01",
                "account_code": IT,
                "commitment_date": "2026-08-01",
                "amount": "500.00",
                "source": "procurement",
                "source_reference": "PO-9",
            },
        )
    ).json()
    inv = await invoice(
        api,
        acme["id"],
        "PO9-1",
        [
            {
                "account_code": IT,
                "cost_centre_code": "CC01",
                "net_amount": "200.00",
                "commitment_id": c["id"],
            },
        ],
        source="procurement",
        source_reference="PO-9",
    )
    await approve_and_post(api, inv)
    after = (await api.get(f"/commitments/{c['id']}")).json()
    assert after["released"] == "200.00" and after["outstanding"] == "300.00"
    avail = (
        await api.get(
            "/budget-availability", cost_centre="CC01", account=IT, financial_year="2026-27"
        )
    ).json()
    assert avail["commitments"] == "300.00" and avail["actuals"] == "200.00"
    assert Decimal(avail["available"]) == Decimal("-500.00")


async def test_proposals_can_be_cancelled_and_weekends_refused(api):
    acme = await supplier(api, "Acme", "200000", "87654321")
    gbs = await bank_account(api)
    inv = await invoice(
        api,
        acme["id"],
        "W-1",
        [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "10.00"}],
    )
    await approve_and_post(api, inv)
    assert date(2026, 9, 12).weekday() == 5
    sat = await api.post(
        "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": "2026-09-12"}
    )
    assert sat.status_code == 422
    run = (
        await api.post(
            "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": "2026-09-14"}
        )
    ).json()
    assert (await api.get(f"/supplier-invoices/{inv['id']}")).json()["payment_run_id"] == run["id"]
    cancelled = await api.post(f"/payment-runs/{run['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert (await api.get(f"/supplier-invoices/{inv['id']}")).json()["payment_run_id"] is None
    assert (await api.post(f"/payment-runs/{run['id']}/post", key=key())).status_code == 409
    again = await api.post(
        "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": "2026-09-14"}
    )
    assert again.status_code == 201


async def test_concurrent_proposals_never_share_an_invoice(api):
    import asyncio

    acme = await supplier(api, "Acme", "200000", "87654321")
    gbs = await bank_account(api)
    for n in range(4):
        inv = await invoice(
            api,
            acme["id"],
            f"C-{n}",
            [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "10.00"}],
        )
        await approve_and_post(api, inv)
    body = {"bank_account_id": gbs["id"], "payment_date": "2026-09-14"}
    results = await asyncio.gather(*[api.post("/payment-runs", body) for _ in range(3)])
    runs = [r.json() for r in results if r.status_code == 201]
    assert {r.status_code for r in results} <= {201, 409} and runs
    taken = [i for run in runs for p in run["payments"] for i in p["invoice_ids"]]
    assert len(taken) == len(set(taken)) == 4


def processing_day_of(bacs_file: str) -> str:
    """UHL1's processing day as BACS writes it: " YYDDD"."""
    return check_standard18(bacs_file)["uhl1"][4:10]


async def pay(api, gbs: dict, payment_date: str) -> dict:
    r = await api.post(
        "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": payment_date}
    )
    assert r.status_code == 201, r.text
    run = r.json()
    posted = await api.post(f"/payment-runs/{run['id']}/post", key=key())
    assert posted.status_code == 200, posted.text
    text = (await api.get(f"/payment-runs/{run['id']}/bacs-file")).text
    return {"run": posted.json(), "processing_day": processing_day_of(text)}


async def test_bacs_days_skip_england_and_wales_bank_holidays(api):
    acme = await supplier(api, "Acme", "200000", "87654321")
    gbs = await bank_account(api)
    line = [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "10.00"}]

    # Paying on Tuesday 7 April 2026: two working days back is Wednesday 1 April, because
    # Easter Monday (6th) and Good Friday (3rd) are bank holidays. Counting weekends only
    # would have processed the file on Good Friday.
    await approve_and_post(
        api,
        await invoice(api, acme["id"], "E-1", line, due="2026-04-07", invoice_date="2026-04-01"),
    )
    easter = await pay(api, gbs, "2026-04-07")
    assert easter["run"]["payment_date"] == "2026-04-07"
    assert easter["processing_day"] == bacs_julian(date(2026, 4, 1))

    # Christmas Day is a Friday in 2026 and Boxing Day's substitute is Monday 28th: a run
    # asked for the 25th pays on Tuesday 29th, processed on Wednesday 23rd.
    await approve_and_post(
        api,
        await invoice(api, acme["id"], "X-1", line, due="2026-12-25", invoice_date="2026-12-01"),
    )
    christmas = await pay(api, gbs, "2026-12-25")
    assert christmas["run"]["payment_date"] == "2026-12-29"
    assert christmas["processing_day"] == bacs_julian(date(2026, 12, 23))
    journal = (await api.get(f"/journals/{christmas['run']['journal_id']}")).json()
    assert journal["posting_date"] == "2026-12-29" and journal["period"] == "2026-12"


async def test_a_run_pays_what_falls_due_by_the_day_it_pays_after_a_bank_holiday(api):
    acme = await supplier(api, "Acme", "200000", "87654321")
    gbs = await bank_account(api)
    line = [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "10.00"}]
    due = {}
    for day in ("2026-12-24", "2026-12-28", "2026-12-30"):
        inv = await invoice(api, acme["id"], f"H-{day}", line, due=day, invoice_date="2026-12-01")
        due[day] = (await approve_and_post(api, inv))["id"]
    r = await api.post(
        "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": "2026-12-25"}
    )
    assert r.status_code == 201, r.text
    run = r.json()
    # Christmas Day moves the payment to Tuesday 29th: what is due by then is paid.
    assert (run["payment_date"], run["due_by"]) == ("2026-12-29", "2026-12-29")
    assert [p["invoice_ids"] for p in run["payments"]] == [[due["2026-12-24"], due["2026-12-28"]]]


async def test_a_payment_date_whose_bacs_processing_day_has_passed_is_refused(api, clock):
    clock.set(datetime(2026, 9, 9, 9, tzinfo=UK))  # Wednesday 9 September 2026
    acme = await supplier(api, "Acme", "200000", "87654321")
    gbs = await bank_account(api)
    line = [{"account_code": IT, "cost_centre_code": "CC01", "net_amount": "10.00"}]
    inv = await approve_and_post(api, await invoice(api, acme["id"], "L-1", line))
    # Thursday 10th is processed on Tuesday 8th, which has passed.
    late = await api.post(
        "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": "2026-09-10"}
    )
    assert late.status_code == 422, late.text
    problem = late.json()
    assert [e["field"] for e in problem["errors"]] == ["payment_date"]
    assert "processed on 2026-09-08, which has passed" in problem["detail"]
    assert "the earliest payment date now is 2026-09-11" in problem["detail"]
    assert (await api.get(f"/supplier-invoices/{inv['id']}")).json()["payment_run_id"] is None
    # Friday 11th is processed today: in time.
    r = await api.post(
        "/payment-runs", {"bank_account_id": gbs["id"], "payment_date": "2026-09-11"}
    )
    assert r.status_code == 201, r.text
    run = r.json()
    # Posted a day later, its file would be late: refused, and the run waits to be cancelled.
    clock.set(datetime(2026, 9, 10, 9, tzinfo=UK))
    stale = await api.post(f"/payment-runs/{run['id']}/post", key=key())
    assert stale.status_code == 409, stale.text
    assert stale.json()["type"] == "urn:sop:problem:invalid-state"
    assert stale.json()["processing_day"] == "2026-09-09"
    assert (await api.get(f"/payment-runs/{run['id']}")).json()["status"] == "proposed"
    assert (await api.get(f"/supplier-invoices/{inv['id']}")).json()["status"] == "posted"


def bacs_julian(day: date) -> str:
    return f" {day:%y}{day.timetuple().tm_yday:03d}"
