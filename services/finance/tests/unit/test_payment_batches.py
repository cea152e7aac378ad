"""Payment batches on the fakes: drafts, pages all or nothing, control totals, one submit that
writes the file and posts the journal, cancel, events and audit."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pydantic
import pytest
from finance_builders import BANK, NET_PAY, SALARIES, bank_account, books, tb_lines
from finance_fakes import OTHER_TENANT, WRITER, actions, as_, context, ledger_of, outbox_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_finance.context import FinanceContext
from sop_finance.journals import service as journals
from sop_finance.journals.schemas import JournalCreate, JournalLineIn, ReversalCreate
from sop_finance.payables import bacs
from sop_finance.payables.ports import BankAccount
from sop_finance.payment_batches import events, service
from sop_finance.payment_batches.ports import BatchFilter, BatchPayment, PaymentBatch
from sop_finance.payment_batches.schemas import PaymentBatchCreate, PaymentIn
from sop_finance.periods import service as periods
from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import PageRequest
from sop_finance.problems import (
    ControlTotals,
    DuplicateReference,
    InvalidState,
    JournalOwned,
    PeriodClosed,
    ProcessingDayPassed,
)
from sop_finance.reports import service as reports
from sop_shared.clock import UK, FixedClock
from sop_shared.errors import NotFound, ValidationFailed

AUGUST = PeriodRef.parse("2026-08")


def fields_of(exc: pytest.ExceptionInfo) -> list[str]:
    return [e.field for e in exc.value.errors or []]


def pay(n: int, amount: str = "100.00", **kw: Any) -> PaymentIn:
    values: dict[str, Any] = {
        "payee_reference": f"E{n:05d}",
        "name": f"Employee {n}",
        "sort_code": "200000",
        "account_number": f"{20000000 + n}",
        "account_name": f"EMPLOYEE {n}",
        "amount": Decimal(amount),
        "reference": f"NET PAY E{n:05d}",
        **kw,
    }
    return PaymentIn(**values)


def body(gbs: BankAccount, **kw: Any) -> PaymentBatchCreate:
    values: dict[str, Any] = {
        "bank_account_id": gbs.id,
        "payment_date": date(2026, 8, 28),
        "source": "payroll",
        "source_reference": "PAYRUN-2026-M05",
        "control_account_code": NET_PAY,
        "expected_count": 3,
        "expected_total": Decimal("600.00"),
        **kw,
    }
    return PaymentBatchCreate(**values)


async def setup(**kw: Any) -> tuple[FinanceContext, BankAccount, PaymentBatch]:
    fin = await books()
    gbs = await bank_account(fin)
    batch = await service.create_batch(fin, data=body(gbs, **kw))
    return fin, gbs, batch


THREE = [pay(1, "100.00"), pay(2, "200.00"), pay(3, "300.00")]


async def test_a_draft_is_numbered_dated_and_audited():
    fin, _, batch = await setup()
    assert (batch.number, batch.status) == ("PBT-000001", "draft")
    assert (batch.payment_date, batch.processing_day) == (date(2026, 8, 28), date(2026, 8, 26))
    assert (batch.payment_count, batch.total) == (0, Decimal("0.00"))
    assert actions(fin, batch.id) == ["payment_batch.created"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": "manual"}, "source"),
        ({"source": "reversal"}, "source"),
        ({"source": "payables"}, "source"),
        ({"control_account_code": "99999999"}, "control_account_code"),
        ({"control_account_code": "52000000"}, "control_account_code"),  # a header
        ({"control_account_code": SALARIES}, "control_account_code"),  # expense
        ({"control_account_code": BANK}, "control_account_code"),  # the bank's own
        ({"bank_account_id": uuid.uuid4()}, "bank_account_id"),
        ({"payment_date": date(2026, 8, 29)}, "payment_date"),  # a Saturday
        ({"payment_date": date(2026, 8, 13)}, "payment_date"),  # processed on the 11th
    ],
)
async def test_a_draft_is_refused_naming_the_field(change, field):
    fin = await books()
    gbs = await bank_account(fin)
    with pytest.raises(ValidationFailed) as exc:
        await service.create_batch(fin, data=body(gbs, **change))
    assert fields_of(exc) == [field]
    assert ledger_of(fin).payment_batches.rows(fin.tenant) == {}


async def test_one_live_batch_per_source_document():
    fin, gbs, batch = await setup()
    with pytest.raises(DuplicateReference) as exc:
        await service.create_batch(fin, data=body(gbs))
    assert exc.value.extensions["payment_batch_id"] == str(batch.id)
    # Another source may use the same reference; a cancelled batch frees it.
    await service.create_batch(fin, data=body(gbs, source="pensions"))
    await service.cancel_batch(fin, batch.id)
    again = await service.create_batch(fin, data=body(gbs))
    assert again.number == "PBT-000003"


async def test_pages_move_the_count_and_total_and_are_all_or_nothing():
    fin, _, batch = await setup()
    saved, added = await service.add_payments(fin, batch.id, payments=THREE[:2])
    assert (added, saved.payment_count, saved.total) == (2, 2, Decimal("300.00"))
    with pytest.raises(ValidationFailed) as exc:
        await service.add_payments(fin, batch.id, payments=[pay(9), pay(8), pay(9)])
    assert fields_of(exc) == ["payments.2.payee_reference"]
    with pytest.raises(DuplicateReference) as dup:
        await service.add_payments(fin, batch.id, payments=[pay(7), THREE[1]])
    assert dup.value.extensions["payee_references"] == ["E00002"]
    assert fields_of(dup) == ["payments.1.payee_reference"]
    held = await service.get_batch(fin, batch.id)
    assert (held.payment_count, held.total, held.version) == (2, Decimal("300.00"), 2)
    listed = await service.list_payments(fin, batch.id, page=PageRequest(limit=10))
    assert [(p.line_number, p.payee_reference) for p in listed.items] == [
        (1, "E00001"),
        (2, "E00002"),
    ]
    saved, _ = await service.add_payments(fin, batch.id, payments=THREE[2:])
    assert [p.line_number for p in await fin.backend.payment_batches.all_payments(batch.id)] == [
        1,
        2,
        3,
    ]
    assert actions(fin, batch.id) == [
        "payment_batch.created",
        "payment_batch.payments_added",
        "payment_batch.payments_added",
    ]


async def test_submit_refuses_totals_other_than_promised_and_changes_nothing():
    fin, _, batch = await setup()
    await service.add_payments(fin, batch.id, payments=[THREE[0], THREE[1], pay(4, "300.01")])
    before = await reports.trial_balance(fin, AUGUST)
    with pytest.raises(ControlTotals) as exc:
        await service.submit_batch(fin, batch.id)
    assert exc.value.extensions == {
        "expected_count": 3,
        "expected_total": "600.00",
        "payment_count": 3,
        "total": "600.01",
    }
    assert (await service.get_batch(fin, batch.id)).status == "draft"
    assert await reports.trial_balance(fin, AUGUST) == before
    assert outbox_of(fin).events == []
    with pytest.raises(InvalidState):
        await service.bacs_file(fin, batch.id)


async def test_submit_writes_the_file_posts_the_journal_and_announces_it():
    fin = await books()
    await journals.create_journal(
        fin,
        data=JournalCreate(
            description="Payroll August",
            posting_date=date(2026, 8, 27),
            source="payroll",
            source_reference="PAYRUN-2026-M05",
            post=True,
            lines=[
                JournalLineIn(account_code=SALARIES, cost_centre_code="CC01", debit=Decimal(600)),
                JournalLineIn(account_code=NET_PAY, credit=Decimal(600)),
            ],
        ),
    )
    gbs = await bank_account(fin)
    payroll = as_(fin, "svc-payroll", scopes=WRITER)
    batch = await service.create_batch(payroll, data=body(gbs))
    await service.add_payments(payroll, batch.id, payments=THREE)
    saved = await service.submit_batch(payroll, batch.id)
    assert (saved.status, saved.submitted_by) == ("submitted", "svc-payroll")
    assert saved.bacs_file_name == "PBT-000001.bacs"
    journal = await journals.get_journal(fin, saved.journal_id or uuid.uuid4())
    assert (journal.source, journal.source_reference) == ("payroll", "PBT-000001")
    assert [(ln.account_code, ln.debit, ln.credit) for ln in journal.lines] == [
        (NET_PAY, Decimal("600.00"), Decimal("0.00")),
        (BANK, Decimal("0.00"), Decimal("600.00")),
    ]
    lines = tb_lines(await reports.trial_balance(fin, AUGUST))
    assert NET_PAY not in lines and lines[BANK] == (Decimal("0.00"), Decimal("600.00"))
    _, text = await service.bacs_file(fin, batch.id)
    records = text.split("\r\n")
    credits = [r for r in records if len(r) == 100 and r[15:17] == "99"]
    assert [r[64:82].rstrip() for r in credits] == [p.reference for p in THREE]
    assert records[0][4:10] == "B00001"  # the volume serial
    (event,) = outbox_of(fin).of_type(events.SUBMITTED)
    assert event.data == {
        "id": str(batch.id),
        "number": "PBT-000001",
        "source": "payroll",
        "source_reference": "PAYRUN-2026-M05",
        "count": 3,
        "total": "600.00",
        "payment_date": "2026-08-28",
        "processing_day": "2026-08-26",
        "journal_id": str(journal.id),
    }
    assert actions(fin, batch.id)[-1] == "payment_batch.submitted"
    # Submitted for good: no second submit, no more pages, no cancel, no reversal on its own.
    with pytest.raises(InvalidState):
        await service.submit_batch(fin, batch.id)
    with pytest.raises(InvalidState):
        await service.add_payments(fin, batch.id, payments=[pay(9)])
    with pytest.raises(InvalidState):
        await service.cancel_batch(fin, batch.id)
    with pytest.raises(JournalOwned) as owned:
        await journals.reverse_journal(fin, journal.id, data=ReversalCreate())
    assert owned.value.extensions["payment_batch_id"] == str(batch.id)


async def test_a_submitted_batch_is_withdrawn_before_its_processing_day():
    fin, gbs, batch = await setup()
    await service.add_payments(fin, batch.id, payments=THREE)
    with pytest.raises(InvalidState) as draft:
        await service.withdraw_batch(fin, batch.id)
    assert draft.value.extensions["batch_status"] == "draft"
    before = await reports.trial_balance(fin, AUGUST)
    submitted = await service.submit_batch(fin, batch.id)
    payroll = as_(fin, "svc-payroll", scopes=WRITER)
    withdrawn = await service.withdraw_batch(payroll, batch.id, reason="pay run recalculated")
    assert (withdrawn.status, withdrawn.withdrawn_by) == ("withdrawn", "svc-payroll")
    assert withdrawn.withdrawal_reason == "pay run recalculated"
    assert withdrawn.journal_id == submitted.journal_id
    assert await reports.trial_balance(fin, AUGUST) == before
    posting = await journals.get_journal(fin, submitted.journal_id or uuid.uuid4())
    reversal = await journals.get_journal(fin, posting.reversed_by_journal_id or uuid.uuid4())
    assert [(ln.account_code, ln.debit, ln.credit) for ln in reversal.lines] == [
        (NET_PAY, Decimal("0.00"), Decimal("600.00")),
        (BANK, Decimal("600.00"), Decimal("0.00")),
    ]
    (event,) = outbox_of(fin).of_type(events.WITHDRAWN)
    assert event.data["reversal_journal_id"] == str(reversal.id)
    assert event.data["reason"] == "pay run recalculated"
    assert actions(fin, batch.id)[-1] == "payment_batch.withdrawn"
    # The file is kept but not served; the batch never changes again.
    assert ledger_of(fin).batch_files[batch.id]
    with pytest.raises(InvalidState):
        await service.bacs_file(fin, batch.id)
    for again in (service.withdraw_batch, service.submit_batch, service.cancel_batch):
        with pytest.raises(InvalidState):
            await again(fin, batch.id)
    # The pay run may be sent again.
    fresh = await service.create_batch(fin, data=body(gbs))
    assert fresh.id != batch.id and fresh.status == "draft"


async def test_a_batch_whose_processing_day_passed_is_not_withdrawn():
    fin, _, batch = await setup()
    await service.add_payments(fin, batch.id, payments=THREE)
    await service.submit_batch(fin, batch.id)
    late = as_(fin)
    assert isinstance(late.clock, FixedClock)
    late.clock.set(datetime(2026, 8, 26, 17, tzinfo=UK))  # its processing day: still in time
    on_the_day = await service.withdraw_batch(late, batch.id)
    assert on_the_day.status == "withdrawn"

    fin, _, batch = await setup()
    await service.add_payments(fin, batch.id, payments=THREE)
    await service.submit_batch(fin, batch.id)
    tb = await reports.trial_balance(fin, AUGUST)
    late = as_(fin)
    assert isinstance(late.clock, FixedClock)
    late.clock.set(datetime(2026, 8, 27, 9, tzinfo=UK))
    with pytest.raises(ProcessingDayPassed) as exc:
        await service.withdraw_batch(late, batch.id)
    assert exc.value.extensions["processing_day"] == "2026-08-26"
    assert (await service.get_batch(fin, batch.id)).status == "submitted"
    assert await reports.trial_balance(fin, AUGUST) == tb
    assert outbox_of(fin).of_type(events.WITHDRAWN) == []


async def test_a_stale_if_match_or_a_late_submit_is_refused():
    fin, _, batch = await setup()
    await service.add_payments(fin, batch.id, payments=THREE)

    def stale(version: int) -> None:
        raise InvalidState(f"at {version}")

    with pytest.raises(InvalidState, match="at 2"):
        await service.submit_batch(fin, batch.id, check_version=stale)
    late = as_(fin)
    assert isinstance(late.clock, FixedClock)
    late.clock.set(datetime(2026, 8, 27, 9, tzinfo=UK))  # the 26th, its processing day, passed
    with pytest.raises(InvalidState) as exc:
        await service.submit_batch(late, batch.id)
    assert exc.value.extensions["processing_day"] == "2026-08-26"
    assert (await service.get_batch(fin, batch.id)).status == "draft"


async def test_a_batch_pays_into_an_open_period_or_not_at_all():
    fin, _, batch = await setup()
    await service.add_payments(fin, batch.id, payments=THREE)
    august = await periods.get_period(fin, "2026-08")
    await periods.set_period_status(fin, august, "closed")
    with pytest.raises(PeriodClosed):
        await service.submit_batch(fin, batch.id)
    held = await service.get_batch(fin, batch.id)
    assert (held.status, held.journal_id, held.bacs_file_name) == ("draft", None, None)
    assert ledger_of(fin).batch_files == {} and outbox_of(fin).events == []
    assert ledger_of(fin).journals.rows(fin.tenant) == {}


async def test_a_draft_is_cancelled_and_posts_nothing():
    fin, _, batch = await setup()
    await service.add_payments(fin, batch.id, payments=THREE)
    before = await reports.trial_balance(fin, AUGUST)
    cancelled = await service.cancel_batch(fin, batch.id)
    assert cancelled.status == "cancelled" and cancelled.journal_id is None
    assert await reports.trial_balance(fin, AUGUST) == before
    with pytest.raises(InvalidState):
        await service.submit_batch(fin, batch.id)
    found = await service.list_batches(
        fin, flt=BatchFilter(status="cancelled"), page=PageRequest(limit=10)
    )
    assert [b.id for b in found.items] == [batch.id]


async def test_another_tenants_batches_are_invisible():
    fin, _, batch = await setup()
    await service.add_payments(fin, batch.id, payments=THREE)
    theirs = as_(fin, tenant=OTHER_TENANT)
    for call in (
        service.get_batch(theirs, batch.id),
        service.list_payments(theirs, batch.id, page=PageRequest(limit=10)),
        service.add_payments(theirs, batch.id, payments=[pay(9)]),
        service.submit_batch(theirs, batch.id),
        service.cancel_batch(theirs, batch.id),
        service.bacs_file(theirs, batch.id),
    ):
        with pytest.raises(NotFound):
            await call
    found = await service.list_batches(theirs, flt=BatchFilter(), page=PageRequest(limit=10))
    assert found.items == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("J Smith", "J SMITH"),
        ("Seán O'Brien", "SEAN O BRIEN"),
        ("Zoë Müller-Łukasz & Co", "ZOE MULLER-UKASZ &"),
        ("  a   b  ", "A B"),
    ],
)
def test_an_account_name_is_kept_as_the_bacs_file_carries_it(given, kept):
    assert pay(1, account_name=given).account_name == kept


def test_bank_details_are_shown_in_full_to_approvers_only():
    assert service.mask("12345678", 4) == "****5678"
    assert service.mask("200000", 2) == "****00"
    assert service.shows_bank_details(context()) is True
    assert service.shows_bank_details(context(scopes=WRITER)) is False


# Up to £20m each, so 40 of them stay within what the contra's 11 digits carry.
pennies = st.integers(min_value=1, max_value=2_000_000_000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(amounts=st.lists(pennies, min_size=1, max_size=40))
def test_the_contra_debits_the_sum_of_the_credits(amounts):
    """Property: whatever the payments, the Standard 18 contra and UTL1 carry their sum."""
    fin = context()
    account = BankAccount(
        name="GBS",
        sort_code="607080",
        account_number="10002000",
        account_name="DEPT OF EXAMPLES",
        service_user_number="123456",
        ledger_account_code=BANK,
    )
    batch = PaymentBatch(
        number="PBT-000042",
        bank_account_id=account.id,
        payment_date=date(2026, 8, 28),
        processing_day=date(2026, 8, 26),
        source="payroll",
        source_reference="R",
        control_account_code=NET_PAY,
        expected_count=len(amounts),
        expected_total=Decimal(sum(amounts)).scaleb(-2),
        created_by="t",
    )
    payments = [
        BatchPayment(
            payee_reference=f"E{i}",
            name=f"E{i}",
            sort_code="200000",
            account_number=f"{30000000 + i}",
            account_name=f"E{i}",
            amount=Decimal(p).scaleb(-2),
            reference=f"REF {i}",
            line_number=i + 1,
        )
        for i, p in enumerate(amounts)
    ]
    text = service.standard18_of(fin, batch, account, payments)
    records = [r for r in text.split("\r\n") if len(r) == 100]
    credits = [int(r[35:46]) for r in records if r[15:17] == "99"]
    (contra,) = [r for r in records if r[15:17] == "17"]
    utl1 = text.split("\r\n")[-2]
    assert credits == amounts
    assert int(contra[35:46]) == sum(amounts) == int(utl1[4:17]) == int(utl1[17:30])
    assert (int(utl1[30:37]), int(utl1[37:44])) == (1, len(amounts))
    assert contra[0:14] == "60708010002000"


def test_a_total_the_contra_cannot_carry_is_refused_on_entry():
    with pytest.raises(pydantic.ValidationError):
        PaymentBatchCreate(
            bank_account_id=uuid.uuid4(),
            payment_date=date(2026, 8, 28),
            source="payroll",
            source_reference="R",
            control_account_code=NET_PAY,
            expected_count=2,
            expected_total=Decimal(bacs.MAX_ITEM_PENCE + 1).scaleb(-2),
        )
    with pytest.raises(ValueError, match="contra"):
        bacs.standard18(
            origin=bacs.Originator("607080", "10002000", "DEPT", "123456"),
            credits=[bacs.Credit("200000", "12345678", "A", bacs.MAX_ITEM_PENCE, "R")] * 2,
            payment_date=date(2026, 8, 28),
            created=date(2026, 8, 14),
            serial="000001",
            calendar=context().calendar,
        )


@pytest.mark.parametrize(
    ("amounts", "contra"),
    [
        (["0.01"], 1),
        (["1234.56", "0.44"], 123500),
        (["999999999.98", "0.01"], 99999999999),  # what the contra's 11 digits carry
    ],
)
async def test_a_submitted_batchs_contra_is_its_total(amounts, contra):
    n = len(amounts)
    total = sum((Decimal(a) for a in amounts), Decimal("0.00"))
    fin, _, batch = await setup(expected_count=n, expected_total=total)
    await service.add_payments(
        fin, batch.id, payments=[pay(i, a) for i, a in enumerate(amounts, start=1)]
    )
    await service.submit_batch(fin, batch.id)
    _, text = await service.bacs_file(fin, batch.id)
    (record,) = [r for r in text.split("\r\n") if len(r) == 100 and r[15:17] == "17"]
    assert int(record[35:46]) == contra
