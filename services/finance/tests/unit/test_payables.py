"""Payables: suppliers, invoices, two-person approval, payment runs, BACS days and file."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from finance_builders import (
    BANK,
    IT,
    PAYABLES,
    SUPPLIES,
    VAT,
    approve_and_post,
    approver,
    bank_account,
    books,
    commitment,
    invoice,
    invoice_body,
    line,
    payable,
    propose,
    supplier,
    tb_lines,
)
from finance_fakes import OTHER_TENANT, ZERO, actions, as_, audit_log, ledger_of

from sop_finance.journals import service as journals
from sop_finance.journals.schemas import ReversalCreate
from sop_finance.payables import service
from sop_finance.payables.schemas import (
    BankAccountUpdate,
    InvoiceLineIn,
    InvoiceUpdate,
    SupplierUpdate,
)
from sop_finance.periods import service as periods
from sop_finance.periods.ports import PeriodRef
from sop_finance.problems import (
    DuplicateReference,
    InvalidState,
    JournalOwned,
    PeriodClosed,
    SelfApproval,
)
from sop_finance.reports import service as reports
from sop_shared.clock import UK, FixedClock
from sop_shared.errors import NotFound, ValidationFailed


def fields_of(exc: pytest.ExceptionInfo) -> list[str]:
    return [e.field for e in exc.value.errors or []]


def julian(day: date) -> str:
    return f" {day:%y}{day.timetuple().tm_yday:03d}"


def bacs_records(text: str) -> dict:
    """The parts of a Standard 18 file a bank checks first: the processing day in UHL1, the
    credit records by destination account, the contra, and UTL1's totals."""
    lines = text.removesuffix("\r\n").split("\r\n")
    records = lines[4:-3]
    return {
        "labels": [ln[:4] for ln in lines[:4] + lines[-3:]],
        "processing_day": lines[3][4:10],
        "serial": lines[0][4:10],
        "credits": {r[6:14]: (r[0:6], int(r[35:46]), r[64:82].rstrip()) for r in records[:-1]},
        "contra": (records[-1][0:14], records[-1][15:17], int(records[-1][35:46])),
        "utl1": (int(lines[-1][4:17]), int(lines[-1][17:30]), int(lines[-1][37:44])),
    }


async def tb(fin, period: str):
    return tb_lines(await reports.trial_balance(fin, PeriodRef.parse(period)))


# --- suppliers and bank accounts ----------------------------------------------------------------


async def test_suppliers_are_numbered_and_bank_detail_changes_keep_before_and_after():
    fin = await books()
    acme = await supplier(fin)
    assert (acme.number, acme.bank_sort_code, acme.active) == ("SUP-000001", "200000", True)
    assert (await supplier(fin, "Bolt")).number == "SUP-000002"
    moved = await service.update_supplier(
        fin, acme, data=SupplierUpdate(bank_sort_code="30-00-01", bank_account_number="11112222")
    )
    assert (moved.bank_sort_code, moved.bank_account_number, moved.version) == (
        "300001",
        "11112222",
        2,
    )
    event = audit_log(fin).events[-1]
    assert event.action == "supplier.updated"
    assert ((event.before or {})["bank_sort_code"], (event.after or {})["bank_sort_code"]) == (
        "200000",
        "300001",
    )


async def test_a_bank_account_pays_from_a_postable_asset_account():
    fin = await books()
    for ledger_account in (IT, "43000000", "99999999"):  # expense; a header; unknown
        with pytest.raises(ValidationFailed) as refused:
            await bank_account(fin, ledger_account)
        assert fields_of(refused) == ["ledger_account_code"]
    gbs = await bank_account(fin)
    assert (gbs.ledger_account_code, gbs.sort_code, gbs.account_name) == (
        BANK,
        "607080",
        "DEPT OF EXAMPLES",
    )
    assert actions(fin, gbs.id) == ["bank_account.created"]


# --- invoices -----------------------------------------------------------------------------------


async def test_an_invoice_is_numbered_totalled_and_waits_for_approval():
    fin = await books()
    acme = await supplier(fin)
    inv = await invoice(
        fin, acme, "A-100", line(IT, "100.00", vat="20.00"), line(SUPPLIES, "50.50", "CC02")
    )
    assert (inv.number, inv.status, inv.total, inv.entered_by) == (
        "INV-000001",
        "received",
        Decimal("170.50"),
        "preparer",
    )
    assert [ln.line_number for ln in inv.lines] == [1, 2]
    assert await service.get_invoice(fin, inv.id) == inv
    assert actions(fin, inv.id) == ["supplier_invoice.received"]


async def test_an_invoice_needs_a_known_active_supplier():
    fin = await books()
    acme = await supplier(fin)
    await service.update_supplier(fin, acme, data=SupplierUpdate(active=False))
    ghost = await supplier(as_(fin, tenant=OTHER_TENANT))  # another tenant's
    for who in (acme, ghost):
        with pytest.raises(ValidationFailed) as refused:
            await invoice(fin, who)
        assert fields_of(refused) == ["supplier_id"]


async def test_a_supplier_invoice_number_is_entered_once_per_supplier():
    fin = await books()
    acme, bolt = await supplier(fin), await supplier(fin, "Bolt")
    first = await invoice(fin, acme, "X-1")
    with pytest.raises(DuplicateReference) as dup:
        await invoice(fin, acme, "X-1")
    assert dup.value.extensions == {"invoice_id": str(first.id)}
    assert (await invoice(fin, bolt, "X-1")).supplier_id == bolt.id


async def test_a_changed_supplier_invoice_number_is_checked_as_on_entry():
    fin = await books()
    acme, bolt = await supplier(fin), await supplier(fin, "Bolt")
    first = await invoice(fin, acme, "X-1")
    second = await invoice(fin, acme, "X-2")
    with pytest.raises(DuplicateReference) as on_entry:
        await invoice(fin, acme, "X-1")
    with pytest.raises(DuplicateReference) as on_change:
        await service.update_invoice(fin, second, data=InvoiceUpdate(supplier_invoice_number="X-1"))
    assert (on_change.value.detail, on_change.value.extensions) == (
        on_entry.value.detail,
        on_entry.value.extensions,
    )
    assert on_change.value.extensions == {"invoice_id": str(first.id)}
    assert on_change.value.detail == f"Acme Supplies Ltd invoice X-1 is already {first.number}"
    assert await service.get_invoice(fin, second.id) == second  # nothing changed
    kept = await service.update_invoice(
        fin, second, data=InvoiceUpdate(supplier_invoice_number="X-2", description="same number")
    )
    renumbered = await service.update_invoice(
        fin, kept, data=InvoiceUpdate(supplier_invoice_number="X-3")
    )
    assert renumbered.supplier_invoice_number == "X-3"
    theirs = await invoice(fin, bolt, "B-1")  # another supplier's X-1 is another invoice
    changed = await service.update_invoice(
        fin, theirs, data=InvoiceUpdate(supplier_invoice_number="X-1")
    )
    assert changed.supplier_invoice_number == "X-1"


async def test_an_invoice_is_checked_against_its_dates_the_chart_and_its_commitments():
    fin = await books()
    acme = await supplier(fin)
    cases: list[tuple[dict[str, Any], list[InvoiceLineIn], str]] = [
        ({"invoice_date": date(2026, 8, 20), "due": date(2026, 8, 1)}, [line()], "due_date"),
        ({}, [line(cc=None)], "lines.0.cost_centre_code"),
        ({}, [line(), line("99999999")], "lines.1.account_code"),
        ({}, [line(commitment_id=uuid.uuid4())], "lines.0.commitment_id"),
        ({"source": "procurement"}, [line()], "source_reference"),
    ]
    for extra, lines, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            await service.create_invoice(fin, data=invoice_body(acme, None, *lines, **extra))
        assert field in fields_of(refused), field
    assert ledger_of(fin).invoices.rows(fin.tenant) == {}


async def test_an_invoice_is_approved_by_someone_other_than_who_entered_it():
    fin = await books()
    inv = await invoice(fin, await supplier(fin))
    with pytest.raises(SelfApproval):
        await service.approve_invoice(fin, inv.id)
    editor = as_(fin, "editor")
    changed = await service.update_invoice(
        editor, inv, data=InvoiceUpdate(due_date=date(2026, 10, 1))
    )
    assert (changed.entered_by, changed.due_date, changed.lines) == (
        "editor",
        date(2026, 10, 1),
        inv.lines,
    )
    with pytest.raises(SelfApproval):
        await service.approve_invoice(editor, inv.id)
    approved = await service.approve_invoice(fin, inv.id)
    assert (approved.status, approved.approved_by, approved.approved_at) == (
        "approved",
        "preparer",
        fin.clock.now(),
    )
    with pytest.raises(InvalidState):
        await service.approve_invoice(approver(fin), inv.id)
    with pytest.raises(InvalidState):  # only received invoices change
        await service.update_invoice(fin, approved, data=InvoiceUpdate(description="x"))


async def test_posting_debits_the_lines_and_vat_and_credits_trade_payables():
    fin = await books()
    inv = await invoice(fin, await supplier(fin), "A-100", line(IT, "100.00", vat="20.00"))
    with pytest.raises(InvalidState, match="approved"):
        await service.post_invoice(fin, inv.id, posting_date=None)
    done = await approve_and_post(fin, inv)
    assert done.status == "posted" and done.journal_id is not None
    journal = await journals.get_journal(fin, done.journal_id)
    assert (journal.source, journal.source_reference, journal.period_code) == (
        "payables",
        inv.number,
        "2026-08",  # the invoice date's period
    )
    assert {(ln.account_code, ln.debit, ln.credit) for ln in journal.lines} == {
        (IT, Decimal("100.00"), ZERO),
        (VAT, Decimal("20.00"), ZERO),
        (PAYABLES, ZERO, Decimal("120.00")),
    }
    assert (await tb(fin, "2026-08"))[PAYABLES] == (ZERO, Decimal("120.00"))
    assert actions(fin, inv.id)[-1] == "supplier_invoice.posted"
    with pytest.raises(InvalidState):
        await service.post_invoice(fin, inv.id, posting_date=None)


async def test_an_invoice_posts_into_an_open_period_or_not_at_all():
    fin = await books()
    inv = await invoice(fin, await supplier(fin))
    await service.approve_invoice(approver(fin), inv.id)
    august = await periods.get_period(fin, "2026-08")
    await periods.set_period_status(fin, august, "closed")
    with pytest.raises(PeriodClosed):
        await service.post_invoice(fin, inv.id, posting_date=None)
    assert (await service.get_invoice(fin, inv.id)).status == "approved"
    posted = await service.post_invoice(fin, inv.id, posting_date=date(2026, 9, 1))
    assert posted.journal_id is not None
    assert (await journals.get_journal(fin, posted.journal_id)).period_code == "2026-09"


async def test_posting_releases_the_commitments_the_lines_name_by_their_net_amounts():
    fin = await books()
    acme = await supplier(fin)
    order = await commitment(fin, "500.00", on=date(2026, 8, 1))
    await payable(fin, acme, None, line(IT, "200.00", vat="40.00", commitment_id=order.id))
    after = await fin.backend.budgets.get_commitment(order.id)
    assert after is not None
    assert (after.released, after.outstanding, after.status) == (
        Decimal("200.00"),
        Decimal("300.00"),
        "open",
    )
    await payable(fin, acme, None, line(IT, "400.00", commitment_id=order.id))  # more than left
    closed = await fin.backend.budgets.get_commitment(order.id)
    assert closed is not None
    assert (closed.released, closed.status) == (Decimal("500.00"), "closed")
    await payable(fin, acme, None, line(IT, "1.00", commitment_id=order.id))  # nothing to release


async def test_only_an_invoice_not_yet_posted_may_be_cancelled():
    fin = await books()
    acme = await supplier(fin)
    received = await invoice(fin, acme)
    approved = await invoice(fin, acme)
    await service.approve_invoice(approver(fin), approved.id)
    for inv in (received, approved):
        assert (await service.cancel_invoice(fin, inv.id)).status == "cancelled"
    done = await payable(fin, acme)
    with pytest.raises(InvalidState, match="reversed"):
        await service.cancel_invoice(fin, done.id)
    with pytest.raises(NotFound):
        await service.cancel_invoice(fin, uuid.uuid4())


# --- payment runs -------------------------------------------------------------------------------


async def test_a_run_pays_each_supplier_once_for_everything_due():
    fin = await books()
    acme = await supplier(fin)
    bolt = await supplier(fin, "Bolt & Nut (UK) plc", "30-00-01", "11112222", "Bolt & Nut UK plc")
    gbs = await bank_account(fin)
    a1 = await payable(fin, acme, "A-100", line(IT, "100.00", vat="20.00"))
    a2 = await payable(fin, acme, "A-101", line(SUPPLIES, "50.50", "CC02"))
    b1 = await payable(fin, bolt, "b/7", line(SUPPLIES, "9.99"))
    later = await payable(fin, bolt, "b/8", line(SUPPLIES, "1.00"), due=date(2026, 12, 31))
    await invoice(fin, acme, "A-102")  # received, not posted: not payable
    run = await propose(fin, gbs, date(2026, 9, 10))
    assert (run.number, run.status, run.total, run.payment_date, run.due_by) == (
        "PAY-000001",
        "proposed",
        Decimal("180.49"),
        date(2026, 9, 10),
        date(2026, 9, 10),
    )
    payments = {p.supplier_name: p for p in run.payments}
    assert (payments["Acme Supplies Ltd"].amount, payments["Acme Supplies Ltd"].reference) == (
        Decimal("170.50"),
        "SOP 2 INVOICES",
    )
    assert payments["Acme Supplies Ltd"].invoice_ids == [a1.id, a2.id]
    bolt_pays = payments["Bolt & Nut (UK) plc"]
    assert (bolt_pays.reference, bolt_pays.sort_code, bolt_pays.invoice_ids) == (
        "B/7",
        "300001",
        [b1.id],
    )
    for inv in (a1, a2, b1):
        assert (await service.get_invoice(fin, inv.id)).payment_run_id == run.id
    assert (await service.get_invoice(fin, later.id)).payment_run_id is None
    assert actions(fin, run.id) == ["payment_run.proposed"]


async def test_a_run_uses_the_bank_details_as_they_stood_when_proposed():
    fin = await books()
    acme = await supplier(fin)
    gbs = await bank_account(fin)
    await payable(fin, acme)
    run = await propose(fin, gbs, date(2026, 9, 10))
    await service.update_supplier(fin, acme, data=SupplierUpdate(bank_account_number="99990000"))
    posted = await service.post_payment_run(fin, run.id)
    assert list(bacs_records(posted.bacs_file or "")["credits"]) == ["87654321"]


async def test_a_run_with_nothing_due_or_no_usable_bank_account_is_refused():
    fin = await books()
    gbs = await bank_account(fin)
    await payable(fin, await supplier(fin), due=date(2026, 9, 11))
    with pytest.raises(InvalidState, match="no posted invoices"):
        await propose(fin, gbs, date(2026, 9, 10))
    assert (await propose(fin, gbs, date(2026, 9, 10), due_by=date(2026, 9, 11))).total
    await service.update_bank_account(fin, gbs, data=BankAccountUpdate(active=False))
    for account in (gbs, dataclasses.replace(gbs, id=uuid.uuid4())):  # inactive; unknown
        with pytest.raises(ValidationFailed) as refused:
            await propose(fin, account, date(2026, 9, 10))
        assert fields_of(refused) == ["bank_account_id"]


@pytest.mark.parametrize("day", [date(2026, 9, 12), date(2026, 9, 13)])
async def test_a_weekend_payment_date_is_refused(day):
    fin = await books()
    gbs = await bank_account(fin)
    await payable(fin, await supplier(fin))
    with pytest.raises(ValidationFailed) as refused:
        await propose(fin, gbs, day)
    assert fields_of(refused) == ["payment_date"]
    assert ledger_of(fin).payment_runs.rows(fin.tenant) == {}


@pytest.mark.parametrize(
    ("asked", "pays", "processed"),
    [
        (date(2026, 9, 10), date(2026, 9, 10), date(2026, 9, 8)),  # Thursday: Tuesday
        (date(2026, 9, 14), date(2026, 9, 14), date(2026, 9, 10)),  # Monday: Thursday before
        # Tuesday after Easter: back over Easter Monday and Good Friday to Wednesday 1 April.
        (date(2026, 4, 7), date(2026, 4, 7), date(2026, 4, 1)),
        # Good Friday moves to the Tuesday after Easter Monday, never earlier.
        (date(2026, 4, 3), date(2026, 4, 7), date(2026, 4, 1)),
        # Christmas Day (Friday), then Boxing Day's substitute Monday 28th: Tuesday 29th.
        (date(2026, 12, 25), date(2026, 12, 29), date(2026, 12, 23)),
        # The summer bank holiday, Monday 31 August, moves to Tuesday; processed Thursday 27th.
        (date(2026, 8, 31), date(2026, 9, 1), date(2026, 8, 27)),
    ],
)
async def test_bank_holidays_move_the_payment_forward_and_processing_is_two_working_days_before(
    asked, pays, processed
):
    fin = await books(today=processed)  # the last day a run for the date may be proposed
    gbs = await bank_account(fin)
    await payable(fin, await supplier(fin), invoice_date=asked - timedelta(days=2), due=asked)
    run = await propose(fin, gbs, asked)
    assert (run.payment_date, run.due_by) == (pays, pays)
    done = await service.post_payment_run(fin, run.id)
    assert bacs_records(done.bacs_file or "")["processing_day"] == julian(processed)
    assert done.journal_id is not None
    posting = await journals.get_journal(fin, done.journal_id)
    assert posting.posting_date == pays


async def test_a_run_pays_what_falls_due_by_the_day_it_pays_after_a_bank_holiday():
    fin = await books()
    acme = await supplier(fin)
    gbs = await bank_account(fin)
    eve = await payable(fin, acme, due=date(2026, 12, 24))
    # Due after the Christmas Day asked for, but by the Tuesday the money arrives.
    holiday = await payable(fin, acme, due=date(2026, 12, 28))
    later = await payable(fin, acme, due=date(2026, 12, 30))
    run = await propose(fin, gbs, date(2026, 12, 25))
    assert (run.payment_date, run.due_by) == (date(2026, 12, 29), date(2026, 12, 29))
    assert [p.invoice_ids for p in run.payments] == [[eve.id, holiday.id]]
    await service.cancel_payment_run(fin, run.id)
    asked = await propose(fin, gbs, date(2026, 12, 25), due_by=date(2026, 12, 24))
    assert asked.due_by == date(2026, 12, 24)  # a due_by given is kept
    assert [p.invoice_ids for p in asked.payments] == [[eve.id]]
    assert (await service.get_invoice(fin, later.id)).payment_run_id is None


async def test_a_payment_date_whose_processing_day_has_passed_is_refused():
    clock = FixedClock(datetime(2026, 9, 9, 9, tzinfo=UK))  # a Wednesday
    fin = await books(clock=clock)
    gbs = await bank_account(fin)
    await payable(fin, await supplier(fin))
    # Thursday 10th is processed on Tuesday 8th: passed. Friday 11th on Wednesday 9th: today.
    with pytest.raises(ValidationFailed) as late:
        await propose(fin, gbs, date(2026, 9, 10))
    assert fields_of(late) == ["payment_date"]
    assert "processed on 2026-09-08, which has passed" in (late.value.detail or "")
    assert "the earliest payment date now is 2026-09-11" in (late.value.detail or "")
    assert ledger_of(fin).payment_runs.rows(fin.tenant) == {}
    run = await propose(fin, gbs, date(2026, 9, 11))
    # Proposed in time but posted the next day, the run's file would be late: refused.
    clock.advance(timedelta(days=1))
    with pytest.raises(InvalidState, match="cancel it and propose a new run") as stale:
        await service.post_payment_run(fin, run.id)
    assert stale.value.extensions == {"processing_day": "2026-09-09"}
    assert (await service.get_payment_run(fin, run.id)).status == "proposed"
    assert len(ledger_of(fin).journals.rows(fin.tenant)) == 1  # the invoice's posting only
    await service.cancel_payment_run(fin, run.id)
    assert (await propose(fin, gbs, date(2026, 9, 14))).payment_date == date(2026, 9, 14)


@pytest.mark.parametrize(
    "day",
    [
        date(2028, 1, 5),  # beyond the bank holiday calendar
        date(2023, 1, 4),  # its processing day would fall before the calendar begins
    ],
)
async def test_a_payment_date_the_calendar_cannot_vouch_for_is_refused(day):
    fin = await books()
    gbs = await bank_account(fin)
    with pytest.raises(ValidationFailed) as refused:
        await propose(fin, gbs, day)
    assert fields_of(refused) == ["payment_date"]


async def test_a_cancelled_proposal_frees_its_invoices_for_the_next_run():
    fin = await books()
    gbs = await bank_account(fin)
    inv = await payable(fin, await supplier(fin))
    run = await propose(fin, gbs, date(2026, 9, 14))
    cancelled = await service.cancel_payment_run(fin, run.id)
    assert cancelled.status == "cancelled" and cancelled.payments == run.payments
    assert (await service.get_invoice(fin, inv.id)).payment_run_id is None
    with pytest.raises(InvalidState):
        await service.post_payment_run(fin, run.id)
    with pytest.raises(InvalidState):
        await service.cancel_payment_run(fin, run.id)
    again = await propose(fin, gbs, date(2026, 9, 14))
    assert [p.invoice_ids for p in again.payments] == [[inv.id]]


async def test_posting_a_run_pays_the_invoices_moves_the_ledger_and_writes_the_file():
    fin = await books()
    acme = await supplier(fin)
    bolt = await supplier(fin, "Bolt", "30-00-01", "11112222")
    gbs = await bank_account(fin)
    invoices = [
        await payable(fin, acme, None, line(IT, "100.00", vat="20.00")),
        await payable(fin, acme, None, line(SUPPLIES, "50.50", "CC02")),
        await payable(fin, bolt, None, line(SUPPLIES, "9.99")),
    ]
    run = await propose(fin, gbs, date(2026, 9, 10))
    with pytest.raises(InvalidState, match="post it"):
        await service.bacs_file(fin, run.id)
    done = await service.post_payment_run(approver(fin), run.id)
    assert (done.status, done.posted_by, done.posted_at) == (
        "posted",
        "controller",
        fin.clock.now(),
    )
    assert done.journal_id is not None
    journal = await journals.get_journal(fin, done.journal_id)
    assert (journal.source, journal.source_reference, journal.period_code) == (
        "payables",
        run.number,
        "2026-09",
    )
    assert sorted((ln.account_code, ln.debit, ln.credit) for ln in journal.lines) == [
        (BANK, ZERO, Decimal("180.49")),
        (PAYABLES, Decimal("9.99"), ZERO),
        (PAYABLES, Decimal("170.50"), ZERO),
    ]
    for inv in invoices:
        assert (await service.get_invoice(fin, inv.id)).status == "paid"
    september = await tb(fin, "2026-09")
    assert PAYABLES not in september  # every posted invoice paid: nothing owed
    assert september[BANK] == (ZERO, Decimal("180.49"))
    same, text = await service.bacs_file(fin, run.id)
    assert same.id == run.id and text == done.bacs_file
    parts = bacs_records(text)
    assert parts["labels"] == ["VOL1", "HDR1", "HDR2", "UHL1", "EOF1", "EOF2", "UTL1"]
    assert parts["serial"] == "000001"  # from PAY-000001
    assert parts["credits"] == {
        "87654321": ("200000", 17050, "SOP 2 INVOICES"),
        "11112222": ("300001", 999, invoices[2].supplier_invoice_number),
    }
    assert parts["contra"] == ("60708010002000", "17", 18049)
    assert parts["utl1"] == (18049, 18049, 2)
    with pytest.raises(InvalidState):
        await service.post_payment_run(fin, run.id)
    event = audit_log(fin).events[-1]
    assert event.action == "payment_run.posted" and (event.after or {})["bacs_file"] is None


async def test_another_tenants_suppliers_invoices_and_runs_are_invisible():
    fin = await books()
    theirs = await books(tenant=OTHER_TENANT)
    acme = await supplier(fin)
    inv = await payable(fin, acme)
    run = await propose(fin, await bank_account(fin), date(2026, 9, 10))
    with pytest.raises(NotFound):
        await service.get_supplier(theirs, acme.id)
    with pytest.raises(NotFound):
        await service.get_invoice(theirs, inv.id)
    with pytest.raises(NotFound):
        await service.post_payment_run(theirs, run.id)
    with pytest.raises(InvalidState):  # nothing of theirs is due
        await propose(theirs, await bank_account(theirs), date(2026, 9, 10))


async def test_an_invoice_whose_posting_was_reversed_is_not_paid():
    fin = await books()
    gbs = await bank_account(fin)
    inv = await payable(fin, await supplier(fin))
    with pytest.raises(InvalidState, match="reversed"):
        await service.cancel_invoice(fin, inv.id)
    assert inv.journal_id is not None
    # The journals API will not reverse payables' posting behind the invoice's back...
    with pytest.raises(JournalOwned) as owned:
        await journals.reverse_journal(fin, inv.journal_id, data=ReversalCreate())
    assert owned.value.extensions == {
        "invoice_id": str(inv.id),
        "source": "payables",
        "source_reference": inv.number,
    }
    assert f"/supplier-invoices/{inv.id}/reverse" in (owned.value.detail or "")
    assert (await journals.get_journal(fin, inv.journal_id)).reversed_by_journal_id is None
    assert await service.get_invoice(fin, inv.id) == inv  # nothing was written
    # ...payables reverses it: the journal is mirrored and the invoice leaves payment.
    reversed_ = await service.reverse_invoice(fin, inv.id, posting_date=None)
    assert reversed_.status == "reversed" and reversed_.payment_run_id is None
    posting = await journals.get_journal(fin, inv.journal_id)
    assert posting.reversed_by_journal_id is not None
    mirror = await journals.get_journal(fin, posting.reversed_by_journal_id)
    assert (mirror.source, mirror.source_reference, mirror.period_code) == (
        "reversal",
        posting.number,
        "2026-08",
    )
    assert mirror.description == (
        f"Reversal of supplier invoice {inv.number} ({inv.supplier_invoice_number})"
    )
    assert PAYABLES not in await tb(fin, "2026-08") and IT not in await tb(fin, "2026-08")
    assert actions(fin, inv.id)[-1] == "supplier_invoice.reversed"
    with pytest.raises(InvalidState):
        await propose(fin, gbs, date(2026, 9, 10))
    with pytest.raises(InvalidState):
        await service.reverse_invoice(fin, inv.id, posting_date=None)
    with pytest.raises(InvalidState):
        await service.cancel_invoice(fin, inv.id)


async def test_an_invoice_is_reversed_only_while_posted_and_out_of_any_run():
    fin = await books()
    acme = await supplier(fin)
    gbs = await bank_account(fin)
    received = await invoice(fin, acme)
    with pytest.raises(InvalidState, match="cancelled"):
        await service.reverse_invoice(fin, received.id, posting_date=None)
    queued = await payable(fin, acme)
    run = await propose(fin, gbs, date(2026, 9, 10))
    with pytest.raises(InvalidState) as in_run:
        await service.reverse_invoice(fin, queued.id, posting_date=None)
    assert in_run.value.extensions == {"payment_run_id": str(run.id)}
    await service.post_payment_run(fin, run.id)
    with pytest.raises(InvalidState, match="paid"):
        await service.reverse_invoice(fin, queued.id, posting_date=None)
    assert queued.journal_id is not None
    with pytest.raises(JournalOwned, match="paid, so its posting stands"):
        await journals.reverse_journal(fin, queued.journal_id, data=ReversalCreate())
    with pytest.raises(NotFound):
        await service.reverse_invoice(fin, uuid.uuid4(), posting_date=None)


async def test_an_invoice_reversal_into_a_closed_period_changes_nothing_until_dated_later():
    fin = await books()
    inv = await payable(fin, await supplier(fin))
    august = await periods.get_period(fin, "2026-08")
    await periods.set_period_status(fin, august, "closed")
    journals_before = len(ledger_of(fin).journals.rows(fin.tenant))
    with pytest.raises(PeriodClosed):
        await service.reverse_invoice(fin, inv.id, posting_date=None)
    assert await service.get_invoice(fin, inv.id) == inv
    assert len(ledger_of(fin).journals.rows(fin.tenant)) == journals_before
    done = await service.reverse_invoice(fin, inv.id, posting_date=date(2026, 9, 1))
    assert done.status == "reversed"
    assert (await tb(fin, "2026-08"))[PAYABLES] == (ZERO, Decimal("10.00"))
    assert PAYABLES not in await tb(fin, "2026-09")


async def test_a_payment_runs_posting_is_not_reversed_through_the_journals_api():
    fin = await books()
    gbs = await bank_account(fin)
    await payable(fin, await supplier(fin))
    run = await service.post_payment_run(fin, (await propose(fin, gbs, date(2026, 9, 10))).id)
    assert run.journal_id is not None
    with pytest.raises(JournalOwned, match="BACS file") as owned:
        await journals.reverse_journal(fin, run.journal_id, data=ReversalCreate())
    assert owned.value.extensions == {"source": "payables", "source_reference": run.number}
    assert (await journals.get_journal(fin, run.journal_id)).reversed_by_journal_id is None
