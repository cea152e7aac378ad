"""Payment batches: payroll's net pay, sent in pages, paid by one BACS file and one journal."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from finance_testkit import BANK, NET_PAY, SALARIES, WRITER, Api, check_standard18, cr, dr
from sqlalchemy.ext.asyncio import create_async_engine

from sop_shared.clock import UK
from sop_shared.db import async_url

SUBMITTED = "uk.gov.sop.finance.payment_batch.submitted.v1"
WITHDRAWN = "uk.gov.sop.finance.payment_batch.withdrawn.v1"


class ActingApi(Api):
    """A caller whose token says a service acts for it (token exchange, ADR 0108): payroll
    finalising a run for the payroll officer who pressed the button."""

    def __init__(self, api: Api, subject: str, service: str) -> None:
        super().__init__(api.client, api.mint, api.tenant, subject=subject, scopes=WRITER)
        self.service = service

    def headers(self, key: str | None = None, if_match: str | None = None) -> dict[str, str]:
        token, _ = self.mint.signer.sign(
            audience="sop-finance",
            subject=self.subject,
            client_id=self.service,
            tenant=self.tenant,
            cluster="matrix",
            scopes=self.scopes,
            actors=[self.service],
        )
        h = {"Authorization": f"Bearer {token}"}
        if key is not None:
            h["Idempotency-Key"] = key
        if if_match is not None:
            h["If-Match"] = if_match
        return h


def key() -> str:
    return f"pb-{uuid.uuid4().hex}"


async def bank_account(api) -> dict:
    r = await api.post(
        "/bank-accounts",
        {
            "name": "GBS payroll",
            "sort_code": "60-70-80",
            "account_number": "10002000",
            "account_name": "Dept of Examples",
            "service_user_number": "123456",
            "ledger_account_code": BANK,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def payment(n: int, amount: str = "1000.00", **changes) -> dict:
    return {
        "payee_reference": f"E{n:05d}",
        "name": f"Employee {n}",
        "sort_code": f"20-{n % 100:02d}-00",
        "account_number": f"{10000000 + n}",
        "account_name": f"EMPLOYEE {n}",
        "amount": amount,
        "reference": f"SALARY AUG E{n:05d}",
        **changes,
    }


def batch_body(gbs: dict, **changes) -> dict:
    return {
        "bank_account_id": gbs["id"],
        "payment_date": "2026-08-28",
        "source": "payroll",
        "source_reference": f"PAYRUN-{uuid.uuid4().hex[:8]}",
        "description": "Net pay August 2026",
        "control_account_code": NET_PAY,
        "expected_count": 5,
        "expected_total": "5301.25",
        **changes,
    }


FIVE = [
    payment(1, "1000.00"),
    payment(2, "1200.50"),
    payment(3, "900.75"),
    payment(4, "1100.00"),
    payment(5, "1100.00"),
]  # 5301.25


async def create(api, gbs: dict, **changes) -> dict:
    r = await api.post("/payment-batches", batch_body(gbs, **changes), key=key())
    assert r.status_code == 201, r.text
    return r.json()


async def add(api, batch: dict, payments: list[dict], *, expect: int = 200, k: str | None = None):
    r = await api.post(
        f"/payment-batches/{batch['id']}/payments", {"payments": payments}, key=k or key()
    )
    assert r.status_code == expect, r.text
    return r


def balances(tb: dict) -> dict[str, tuple[str, str]]:
    return {ln["account_code"]: (ln["debit"], ln["credit"]) for ln in tb["lines"]}


async def test_net_pay_in_two_pages_is_paid_by_one_file_and_one_journal(api, finance_pg_url):
    gbs = await bank_account(api)
    # Payroll posts its pay run first: net pay sits in the net pay control account.
    await api.post_journal(
        [dr(SALARIES, "5301.25", "CC01"), cr(NET_PAY, "5301.25")],
        posting_date="2026-08-27",
        source="payroll",
        source_reference="PAYRUN-2026-M05",
    )
    payroll = ActingApi(api, "payroll-officer", "sop-payroll")
    r = await payroll.post(
        "/payment-batches", batch_body(gbs, source_reference="PAYRUN-2026-M05"), key=key()
    )
    assert r.status_code == 201, r.text
    batch = r.json()
    assert r.headers["location"] == f"/finance/v1/payment-batches/{batch['id']}"
    assert batch["status"] == "draft" and batch["number"].startswith("PBT-")
    assert (batch["payment_count"], batch["total"]) == (0, "0.00")
    # Friday 28 August 2026 is processed on Wednesday 26th.
    assert batch["processing_day"] == "2026-08-26"

    first = (await add(payroll, batch, FIVE[:3])).json()
    assert (first["added"], first["payment_count"], first["total"]) == (3, 3, "3101.25")
    second = (await add(payroll, batch, FIVE[3:])).json()
    assert (second["payment_count"], second["total"]) == (5, "5301.25")
    before = await api.trial_balance(period="2026-08")

    r = await payroll.post(f"/payment-batches/{batch['id']}/submit", key=key())
    assert r.status_code == 200, r.text
    submitted = r.json()
    assert submitted["status"] == "submitted" and submitted["submitted_by"] == "payroll-officer"
    assert submitted["bacs_file_name"] == f"{batch['number']}.bacs"
    assert r.headers["etag"] == f'"{submitted["version"]}"'

    # The file: a credit per payment with its own reference, the contra debits the paying
    # account, and UTL1's totals and counts equal the payments.
    f = await api.get(f"/payment-batches/{batch['id']}/bacs-file")
    assert f.status_code == 200 and f.headers["content-type"].startswith("text/plain")
    assert batch["number"] in f.headers["content-disposition"]
    checked = check_standard18(f.text)
    assert checked["total_pence"] == 530125
    assert len(checked["credits"]) == 5
    credits = {c[0:14]: c for c in checked["credits"]}
    for p in FIVE:
        record = credits[p["sort_code"].replace("-", "") + p["account_number"]]
        assert int(record[35:46]) == int(Decimal(p["amount"]) * 100)
        assert record[64:82].rstrip() == p["reference"]
        assert record[82:100].rstrip() == p["account_name"]
    assert checked["contra"][0:14] == "60708010002000"
    assert checked["uhl1"][4:10] == " 26238"  # 26 August 2026

    # The journal: Dr net pay control, Cr the bank's ledger account, on the payment date.
    journal = (await api.get(f"/journals/{submitted['journal_id']}")).json()
    assert (journal["source"], journal["source_reference"]) == ("payroll", batch["number"])
    assert journal["posting_date"] == "2026-08-28" and journal["status"] == "posted"
    assert [(ln["account_code"], ln["debit"], ln["credit"]) for ln in journal["lines"]] == [
        (NET_PAY, "5301.25", "0.00"),
        (BANK, "0.00", "5301.25"),
    ]
    after = await api.trial_balance(period="2026-08")
    assert balances(before)[NET_PAY] == ("0.00", "5301.25")
    assert NET_PAY not in balances(after)  # cleared: net pay control is back to nothing
    assert balances(after)[BANK] == ("0.00", "5301.25")
    assert after["total_debit"] == after["total_credit"]
    # Its posting stands for money sent: the journals API will not reverse it alone.
    rev = await api.post(f"/journals/{journal['id']}/reverse", key=key())
    assert rev.status_code == 409 and rev.json()["payment_batch_id"] == batch["id"]

    # Reads: the batch, the list by source document, the payments a page at a time.
    got = await api.get(f"/payment-batches/{batch['id']}")
    assert got.json() == submitted and got.headers["etag"] == f'"{submitted["version"]}"'
    found = await api.get(
        "/payment-batches", source="payroll", source_reference="PAYRUN-2026-M05", status="submitted"
    )
    assert [b["id"] for b in found.json()["items"]] == [batch["id"]]
    assert (await api.get("/payment-batches", status="draft")).json()["items"] == []
    page = await api.get(f"/payment-batches/{batch['id']}/payments", limit=3)
    assert page.headers["link"].endswith('rel="next"')
    rest = await api.get(
        f"/payment-batches/{batch['id']}/payments", limit=3, cursor=page.json()["next_cursor"]
    )
    listed = page.json()["items"] + rest.json()["items"]
    assert [p["line_number"] for p in listed] == [1, 2, 3, 4, 5]
    assert [p["payee_reference"] for p in listed] == [p["payee_reference"] for p in FIVE]
    # The approver sees bank details in full; payroll sees their last digits.
    assert (listed[1]["sort_code"], listed[1]["account_number"]) == ("200200", "10000002")
    masked = (await payroll.get(f"/payment-batches/{batch['id']}/payments")).json()["items"]
    assert (masked[1]["sort_code"], masked[1]["account_number"]) == ("****00", "****0002")
    assert masked[1]["masked"] is True and listed[1]["masked"] is False

    # Audit: every change, by whom; the event announces it without bank details.
    audit = (await api.get("/audit-events", resource_id=batch["id"])).json()["items"]
    assert [(e["action"], e["actor"], e["acting_service"]) for e in audit] == [
        ("payment_batch.created", "payroll-officer", "sop-payroll"),
        ("payment_batch.payments_added", "payroll-officer", "sop-payroll"),
        ("payment_batch.payments_added", "payroll-officer", "sop-payroll"),
        ("payment_batch.submitted", "payroll-officer", "sop-payroll"),
    ]
    # A page's event counts it; no bank details are repeated in the trail.
    assert audit[1]["after"]["added"] == 3 and audit[1]["after"]["lines"] == [1, 3]
    assert "10000001" not in str(audit)
    assert await outbox_data(finance_pg_url, api.tenant, SUBMITTED) == [
        {
            "id": batch["id"],
            "number": batch["number"],
            "source": "payroll",
            "source_reference": "PAYRUN-2026-M05",
            "count": 5,
            "total": "5301.25",
            "payment_date": "2026-08-28",
            "processing_day": "2026-08-26",
            "journal_id": submitted["journal_id"],
        }
    ]


async def test_every_keyed_call_needs_a_key_and_replays_without_acting_twice(api):
    gbs = await bank_account(api)
    body = batch_body(gbs)
    assert (await api.post("/payment-batches", body)).status_code == 428
    k = key()
    first = await api.post("/payment-batches", body, key=k)
    replay = await api.post("/payment-batches", body, key=k)
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    batch = first.json()
    found = await api.get("/payment-batches", source_reference=body["source_reference"])
    assert len(found.json()["items"]) == 1

    path = f"/payment-batches/{batch['id']}"
    assert (await api.post(f"{path}/payments", {"payments": FIVE})).status_code == 428
    k = key()
    added = await add(api, batch, FIVE, k=k)
    again = await add(api, batch, FIVE, k=k)
    assert again.headers["idempotent-replayed"] == "true" and again.json() == added.json()
    assert (await api.get(path)).json()["payment_count"] == 5

    assert (await api.post(f"{path}/submit")).status_code == 428
    k = key()
    submitted = await api.post(f"{path}/submit", key=k)
    assert submitted.status_code == 200, submitted.text
    replayed = await api.post(f"{path}/submit", key=k)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == submitted.json()
    journals = await api.get("/journals", source="payroll", source_reference=batch["number"])
    assert len(journals.json()["items"]) == 1
    # A submitted batch never changes: a new key is refused, not a second payment.
    twice = await api.post(f"{path}/submit", key=key())
    assert twice.status_code == 409 and twice.json()["type"] == "urn:sop:problem:invalid-state"
    late = await add(api, batch, [payment(9)], expect=409)
    assert late.json()["type"] == "urn:sop:problem:invalid-state"
    assert (await api.post(f"{path}/cancel")).status_code == 409
    assert (await api.get(path)).json() == submitted.json()


async def test_refusals_write_nothing(api):
    gbs = await bank_account(api)
    tb = await api.trial_balance(period="2026-08")

    async def refused(body: dict, status: int, field: str | None = None) -> dict:
        r = await api.post("/payment-batches", body, key=key())
        assert r.status_code == status, r.text
        if field is not None:
            assert field in [e["field"] for e in r.json()["errors"]], r.text
        return r.json()

    await refused(batch_body(gbs, source="manual"), 422, "source")
    await refused(batch_body(gbs, source="payables"), 422, "source")
    await refused(batch_body(gbs, source="Pay Roll"), 422, "source")
    await refused(batch_body(gbs, control_account_code="99999999"), 422, "control_account_code")
    await refused(batch_body(gbs, control_account_code="52000000"), 422, "control_account_code")
    await refused(batch_body(gbs, control_account_code=SALARIES), 422, "control_account_code")
    await refused(batch_body(gbs, control_account_code=BANK), 422, "control_account_code")
    await refused(batch_body(gbs, bank_account_id=str(uuid.uuid4())), 422, "bank_account_id")
    await refused(batch_body(gbs, payment_date="2026-08-29"), 422, "payment_date")  # Saturday
    await refused(batch_body(gbs, expected_total="0.00"), 422, "expected_total")
    await refused(batch_body(gbs, expected_total=5301.25), 422, "expected_total")
    await refused(batch_body(gbs, expected_count=0), 422, "expected_count")
    assert (await api.get("/payment-batches")).json()["items"] == []

    # One live batch per source document (409 naming it); a cancelled one frees the reference.
    batch = await create(api, gbs, source_reference="PAYRUN-DUP")
    dup = await refused(batch_body(gbs, source_reference="PAYRUN-DUP"), 409)
    assert dup["type"] == "urn:sop:problem:duplicate-reference"
    assert dup["payment_batch_id"] == batch["id"]
    path = f"/payment-batches/{batch['id']}"
    version = (await api.get(path)).json()["version"]

    # A page with one bad row adds nothing, and names the row.
    bad = [*FIVE[:2], *(payment(n) for n in range(10, 25)), payment(99, sort_code="12-34")]
    r = await add(api, batch, bad, expect=422)
    assert [e["field"] for e in r.json()["errors"]] == ["payments.17.sort_code"]
    for row, field in [
        (payment(1, amount="0.00"), "payments.0.amount"),
        (payment(1, amount=10.5), "payments.0.amount"),
        (payment(1, reference="A REFERENCE TOO LONG"), "payments.0.reference"),
        (payment(1, account_number="1234567"), "payments.0.account_number"),
        (payment(1, account_name="'£'"), "payments.0.account_name"),  # nothing BACS carries
        ({**payment(1), "iban": "GB00"}, "payments.0.iban"),
    ]:
        r = await add(api, batch, [row], expect=422)
        assert field in [e["field"] for e in r.json()["errors"]], r.text
    r = await add(api, batch, [payment(1), payment(2), payment(1)], expect=422)
    assert [e["field"] for e in r.json()["errors"]] == ["payments.2.payee_reference"]
    r = await add(api, batch, [payment(n) for n in range(5_001)], expect=422)
    assert [e["field"] for e in r.json()["errors"]] == ["payments"]
    assert (await api.get(path)).json()["version"] == version

    await add(api, batch, FIVE[:3])
    r = await add(api, batch, [payment(7), FIVE[2], FIVE[0]], expect=409)
    problem = r.json()
    assert problem["type"] == "urn:sop:problem:duplicate-reference"
    assert problem["payee_references"] == ["E00003", "E00001"]
    assert [e["field"] for e in problem["errors"]] == [
        "payments.1.payee_reference",
        "payments.2.payee_reference",
    ]
    held = (await api.get(path)).json()
    assert (held["payment_count"], held["total"]) == (3, "3101.25")

    # Control totals: both figures given, nothing posted, no file.
    r = await api.post(f"{path}/submit", key=key())
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["type"] == "urn:sop:problem:control-totals"
    assert (problem["expected_count"], problem["expected_total"]) == (5, "5301.25")
    assert (problem["payment_count"], problem["total"]) == (3, "3101.25")
    await add(api, batch, [*FIVE[3:4], payment(6, "1100.01")])
    r = await api.post(f"{path}/submit", key=key())
    assert r.status_code == 409 and r.json()["total"] == "5301.26", r.text
    assert (await api.get(f"{path}/bacs-file")).status_code == 409
    assert (await api.get(path)).json()["status"] == "draft"
    # A stale If-Match is refused before anything is written.
    headers = api.headers(key=key(), if_match='"1"')
    r = await api.client.post(f"/finance/v1{path}/submit", headers=headers)
    assert r.status_code == 412, r.text

    cancelled = await api.post(f"{path}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (
        (await add(api, batch, [payment(8)], expect=409)).json()["type"].endswith("invalid-state")
    )
    assert (await api.post(f"{path}/submit", key=key())).status_code == 409
    assert (await api.post(f"{path}/cancel")).status_code == 409
    assert (await api.get(path)).json()["payment_count"] == 5
    assert await api.trial_balance(period="2026-08") == tb
    assert (await api.get("/journals", source="payroll")).json()["items"] == []
    again = await create(api, gbs, source_reference="PAYRUN-DUP")
    assert again["id"] != batch["id"]


async def test_other_tenants_see_404_and_scopes_are_enforced(api, other):
    gbs = await bank_account(api)
    batch = await create(api, gbs)
    await add(api, batch, FIVE)
    path = f"/payment-batches/{batch['id']}"
    for method, route, body in [
        ("GET", path, None),
        ("GET", f"{path}/payments", None),
        ("GET", f"{path}/bacs-file", None),
        ("POST", f"{path}/payments", {"payments": [payment(1)]}),
        ("POST", f"{path}/submit", None),
        ("POST", f"{path}/cancel", None),
    ]:
        r = await other.client.request(
            method, f"/finance/v1{route}", json=body, headers=other.headers(key=key())
        )
        assert r.status_code == 404, (method, route, r.text)
    assert (await other.get("/payment-batches")).json()["items"] == []
    # Their own bank account id is unknown here: refused as if it did not exist.
    r = await other.post("/payment-batches", batch_body(gbs), key=key())
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "bank_account_id"

    reader = api.as_("reader", "finance:read")
    assert (await reader.get(path)).status_code == 200
    for route, body in [
        ("/payment-batches", batch_body(gbs)),
        (f"{path}/payments", {"payments": [payment(9)]}),
        (f"{path}/submit", None),
        (f"{path}/cancel", None),
    ]:
        r = await reader.post(route, body, key=key())
        assert r.status_code == 403, (route, r.text)
    nothing = api.as_("nobody", "hr:read")
    assert (await nothing.get(path)).status_code == 403
    assert (await nothing.get(f"{path}/bacs-file")).status_code == 403
    assert (await api.get(path)).json()["status"] == "draft"
    assert (await api.get(path)).json()["payment_count"] == 5


async def test_a_payment_date_whose_processing_day_has_passed_is_refused(api, clock):
    clock.set(datetime(2026, 9, 9, 9, tzinfo=UK))  # Wednesday 9 September 2026
    gbs = await bank_account(api)
    # Thursday 10th is processed on Tuesday 8th, which has passed.
    r = await api.post("/payment-batches", batch_body(gbs, payment_date="2026-09-10"), key=key())
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["payment_date"]
    assert "the earliest payment date now is 2026-09-11" in r.json()["detail"]
    assert (await api.get("/payment-batches")).json()["items"] == []
    # Friday 11th is processed today: in time; a bank holiday moves to the next working day.
    batch = await create(api, gbs, payment_date="2026-09-11")
    assert batch["processing_day"] == "2026-09-09"
    christmas = await create(api, gbs, payment_date="2026-12-25")
    assert (christmas["payment_date"], christmas["processing_day"]) == ("2026-12-29", "2026-12-23")
    await add(api, batch, FIVE)
    # Submitted a day later, its file would be late: refused, the batch waits to be cancelled.
    clock.set(datetime(2026, 9, 10, 9, tzinfo=UK))
    r = await api.post(f"/payment-batches/{batch['id']}/submit", key=key())
    assert r.status_code == 409, r.text
    assert r.json()["processing_day"] == "2026-09-09"
    assert (await api.get(f"/payment-batches/{batch['id']}")).json()["status"] == "draft"


async def test_the_submitted_and_withdrawn_events_are_in_finances_catalogue(pg_client):
    doc = (await pg_client.get("/events/asyncapi.json")).json()
    for event, schema in [
        (SUBMITTED, "PaymentBatchSubmitted"),
        (WITHDRAWN, "PaymentBatchWithdrawn"),
    ]:
        channel = doc["channels"][event]
        assert channel["address"] == f"sop.finance.{{tenant}}.{event}"
        data = doc["components"]["schemas"][schema]["properties"]
        assert {"id", "source", "source_reference", "count", "total", "payment_date"} <= set(data)
        assert not {"sort_code", "account_number", "account_name"} & set(data)


async def outbox_data(finance_pg_url: str, tenant: str, type_: str) -> list[dict]:
    engine = create_async_engine(async_url(finance_pg_url))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.text("SELECT data FROM outbox WHERE tenant = :t AND type = :type"),
                {"t": tenant, "type": type_},
            )
        ).all()
    await engine.dispose()
    return [r.data for r in rows]


async def test_a_pay_run_reversed_before_payment_withdraws_its_batch(api, finance_pg_url):
    gbs = await bank_account(api)
    await api.post_journal(
        [dr(SALARIES, "5301.25", "CC01"), cr(NET_PAY, "5301.25")],
        posting_date="2026-08-27",
        source="payroll",
        source_reference="PAYRUN-W1",
    )
    payroll = ActingApi(api, "payroll-officer", "sop-payroll")
    batch = await create(payroll, gbs, source_reference="PAYRUN-W1")
    await add(payroll, batch, FIVE)
    before = await api.trial_balance(period="2026-08")
    assert balances(before)[NET_PAY] == ("0.00", "5301.25") and BANK not in balances(before)
    path = f"/payment-batches/{batch['id']}"
    submitted = (await payroll.post(f"{path}/submit", key=key())).json()
    assert balances(await api.trial_balance(period="2026-08"))[BANK] == ("0.00", "5301.25")

    k = key()
    headers = payroll.headers(key=k, if_match=f'"{submitted["version"]}"')
    reason = {"reason": "pay run recalculated"}
    r = await api.client.post(f"/finance/v1{path}/withdraw", json=reason, headers=headers)
    assert r.status_code == 200, r.text
    withdrawn = r.json()
    assert withdrawn["status"] == "withdrawn"
    assert (withdrawn["withdrawn_by"], withdrawn["withdrawal_reason"]) == (
        "payroll-officer",
        "pay run recalculated",
    )
    assert withdrawn["withdrawn_at"] is not None
    assert withdrawn["journal_id"] == submitted["journal_id"]
    assert withdrawn["bacs_file_url"] is None
    assert r.headers["etag"] == f'"{withdrawn["version"]}"'

    # The ledger is as before the submit: net pay control owes the pay again, the bank is clear.
    assert await api.trial_balance(period="2026-08") == before
    posting = (await api.get(f"/journals/{submitted['journal_id']}")).json()
    reversal = (await api.get(f"/journals/{posting['reversed_by_journal_id']}")).json()
    assert reversal["posting_date"] == "2026-08-28" and reversal["status"] == "posted"
    assert [(ln["account_code"], ln["debit"], ln["credit"]) for ln in reversal["lines"]] == [
        (NET_PAY, "0.00", "5301.25"),
        (BANK, "5301.25", "0.00"),
    ]
    # The file is kept but must not be sent.
    f = await api.get(f"{path}/bacs-file")
    assert f.status_code == 409 and f.json()["type"] == "urn:sop:problem:invalid-state"
    assert f.json()["batch_status"] == "withdrawn"

    # The same key replays; a new one is refused, and nothing changes again.
    replay = await api.client.post(f"/finance/v1{path}/withdraw", json=reason, headers=headers)
    assert replay.status_code == 200 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == withdrawn
    for action in ("withdraw", "submit"):
        again = await payroll.post(f"{path}/{action}", key=key())
        assert again.status_code == 409 and again.json()["batch_status"] == "withdrawn", again.text
    assert (await payroll.post(f"{path}/cancel")).status_code == 409
    assert (await add(payroll, batch, [payment(9)], expect=409)).json()[
        "batch_status"
    ] == "withdrawn"
    for journal in (posting, reversal):  # neither the posting nor its reversal is reversed
        rev = await api.post(f"/journals/{journal['id']}/reverse", key=key())
        assert rev.status_code == 409, rev.text
    assert (await api.get(path)).json() == withdrawn
    assert await api.trial_balance(period="2026-08") == before

    audit = (await api.get("/audit-events", resource_id=batch["id"])).json()["items"]
    assert (audit[-1]["action"], audit[-1]["actor"]) == (
        "payment_batch.withdrawn",
        "payroll-officer",
    )
    assert audit[-1]["after"]["withdrawal_reason"] == "pay run recalculated"
    (event,) = await outbox_data(finance_pg_url, api.tenant, WITHDRAWN)
    at = event.pop("withdrawn_at")
    assert datetime.fromisoformat(at) == datetime.fromisoformat(withdrawn["withdrawn_at"])
    assert event == {
        "id": batch["id"],
        "number": batch["number"],
        "source": "payroll",
        "source_reference": "PAYRUN-W1",
        "count": 5,
        "total": "5301.25",
        "payment_date": "2026-08-28",
        "processing_day": "2026-08-26",
        "journal_id": submitted["journal_id"],
        "reversal_journal_id": reversal["id"],
        "withdrawn_by": "payroll-officer",
        "reason": "pay run recalculated",
    }

    # The recalculated pay run is sent again under the same reference, and paid.
    again = await create(payroll, gbs, source_reference="PAYRUN-W1")
    await add(payroll, again, FIVE)
    r = await payroll.post(f"/payment-batches/{again['id']}/submit", key=key())
    assert r.status_code == 200, r.text
    assert (await api.get(f"/payment-batches/{again['id']}/bacs-file")).status_code == 200
    listed = await api.get("/payment-batches", source_reference="PAYRUN-W1")
    assert sorted(b["status"] for b in listed.json()["items"]) == ["submitted", "withdrawn"]


async def test_a_withdrawal_refused_changes_nothing(api, other, clock):
    gbs = await bank_account(api)
    draft = await create(api, gbs)
    await add(api, draft, FIVE)
    r = await api.post(f"/payment-batches/{draft['id']}/withdraw", key=key())
    assert r.status_code == 409 and r.json()["batch_status"] == "draft", r.text
    assert r.json()["status"] == 409  # the problem's own member, not the batch's state
    assert r.json()["type"] == "urn:sop:problem:invalid-state"
    assert (await api.get(f"/payment-batches/{draft['id']}")).json()["status"] == "draft"
    assert (await api.post(f"/payment-batches/{draft['id']}/cancel")).status_code == 200
    r = await api.post(f"/payment-batches/{draft['id']}/withdraw", key=key())
    assert r.status_code == 409 and r.json()["batch_status"] == "cancelled", r.text

    batch = await create(api, gbs)
    await add(api, batch, FIVE)
    path = f"/payment-batches/{batch['id']}"
    submitted = (await api.post(f"{path}/submit", key=key())).json()
    tb = await api.trial_balance(period="2026-08")
    # Its journal is the batch's: the journals API sends the caller to the batch.
    r = await api.post(f"/journals/{submitted['journal_id']}/reverse", key=key())
    assert r.status_code == 409 and r.json()["type"] == "urn:sop:problem:journal-owned"
    assert r.json()["payment_batch_id"] == batch["id"]
    assert f"{path}/withdraw" in r.json()["detail"]

    async def unchanged() -> None:
        assert (await api.get(path)).json() == submitted
        assert await api.trial_balance(period="2026-08") == tb
        assert (await api.get(f"{path}/bacs-file")).status_code == 200

    assert (await api.post(f"{path}/withdraw")).status_code == 428
    stale = api.headers(key=key(), if_match='"1"')
    r = await api.client.post(f"/finance/v1{path}/withdraw", headers=stale)
    assert r.status_code == 412, r.text
    reader = api.as_("reader", "finance:read")
    assert (await reader.post(f"{path}/withdraw", key=key())).status_code == 403
    r = await other.post(f"{path}/withdraw", key=key())
    assert r.status_code == 404, r.text
    r = await api.post(f"{path}/withdraw", {"reason": "x" * 501}, key=key())
    assert r.status_code == 422, r.text
    await unchanged()

    # Its processing day (Wednesday 26 August) is still in time; the day after, the file is
    # with the bank and the payment stands.
    clock.set(datetime(2026, 8, 27, 9, tzinfo=UK))
    r = await api.post(f"{path}/withdraw", key=key())
    assert r.status_code == 409, r.text
    assert r.json()["type"] == "urn:sop:problem:processing-day-passed"
    assert r.json()["processing_day"] == "2026-08-26"
    await unchanged()
    clock.set(datetime(2026, 8, 26, 15, tzinfo=UK))
    r = await api.post(f"{path}/withdraw", key=key())
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text


async def test_concurrent_pages_all_count_and_concurrent_submits_pay_once(api):
    gbs = await bank_account(api)
    pages = [[payment(n * 10 + i, "10.00") for i in range(10)] for n in range(1, 5)]
    batch = await create(api, gbs, expected_count=40, expected_total="400.00")
    results = await asyncio.gather(*(add(api, batch, page) for page in pages))
    assert sorted(r.json()["payment_count"] for r in results) == [10, 20, 30, 40]
    path = f"/payment-batches/{batch['id']}"
    listed = (await api.get(f"{path}/payments", limit=100)).json()["items"]
    assert sorted(p["line_number"] for p in listed) == list(range(1, 41))
    submits = await asyncio.gather(*(api.post(f"{path}/submit", key=key()) for _ in range(3)))
    assert sorted(r.status_code for r in submits) == [200, 409, 409], [r.text for r in submits]
    journals = await api.get("/journals", source="payroll", source_reference=batch["number"])
    assert len(journals.json()["items"]) == 1
    assert balances(await api.trial_balance(period="2026-08"))[BANK] == ("0.00", "400.00")


@pytest.mark.sqlite
async def test_a_batch_is_paid_on_sqlite_as_on_postgresql(any_api):
    api = any_api
    gbs = await bank_account(api)
    batch = await create(api, gbs, source_reference="PAYRUN-LITE")
    await add(api, batch, FIVE[:2])
    await add(api, batch, FIVE[2:])
    assert (await add(api, batch, FIVE[:1], expect=409)).json()["payee_references"] == ["E00001"]
    body = batch_body(gbs, source_reference="PAYRUN-LITE")
    dup = await api.post("/payment-batches", body, key=key())
    assert dup.status_code == 409 and dup.json()["payment_batch_id"] == batch["id"]
    r = await api.post(f"/payment-batches/{batch['id']}/submit", key=key())
    assert r.status_code == 200, r.text
    checked = check_standard18((await api.get(f"/payment-batches/{batch['id']}/bacs-file")).text)
    assert checked["total_pence"] == 530125 and len(checked["credits"]) == 5
    assert balances(await api.trial_balance(period="2026-08"))[NET_PAY] == ("5301.25", "0.00")
    # Withdrawn, the ledger is put back and the reference is free (the partial unique index).
    r = await api.post(f"/payment-batches/{batch['id']}/withdraw", key=key())
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text
    assert NET_PAY not in balances(await api.trial_balance(period="2026-08"))
    assert (await api.get(f"/payment-batches/{batch['id']}/bacs-file")).status_code == 409
    again = await create(api, gbs, source_reference="PAYRUN-LITE")
    assert again["id"] != batch["id"]
