"""Payment batch rules: another system (payroll's net pay) hands finance a batch of BACS credits
in pages; finance checks them against the totals the sender promised and, on submit, writes the
Standard 18 file and posts the clearing journal in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from sop_finance.accounts.ports import OPERATING
from sop_finance.context import FINANCE_APPROVE, FinanceContext
from sop_finance.journals import service as journals
from sop_finance.journals.ports import MANUAL, RESERVED_SOURCES, Journal, JournalLine
from sop_finance.payables import bacs
from sop_finance.payables.ports import BankAccount
from sop_finance.payables.service import bacs_payment_date
from sop_finance.payment_batches import events
from sop_finance.payment_batches.ports import (
    ZERO,
    BatchFilter,
    BatchPayment,
    PaymentBatch,
)
from sop_finance.payment_batches.schemas import (
    MAX_BATCH_TOTAL,
    MAX_PAYMENTS,
    PaymentBatchCreate,
    PaymentIn,
)
from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import PageRequest, RecordPage
from sop_finance.problems import (
    ControlTotals,
    DuplicateReference,
    InvalidState,
    ProcessingDayPassed,
)
from sop_shared.errors import NotFound, ValidationFailed

BATCH = "payment_batch"  # the audit trail's resource type


async def list_batches(
    fin: FinanceContext, *, flt: BatchFilter, page: PageRequest
) -> RecordPage[PaymentBatch]:
    return await fin.backend.payment_batches.list_batches(flt, page)


async def get_batch(
    fin: FinanceContext, batch_id: uuid.UUID, *, lock: bool = False
) -> PaymentBatch:
    found = await fin.backend.payment_batches.get_batch(batch_id, lock=lock)
    if found is None:
        raise NotFound(f"no payment batch {batch_id}")
    return found


async def create_batch(fin: FinanceContext, *, data: PaymentBatchCreate) -> PaymentBatch:
    """A draft batch: the paying account, the day the money arrives, the source document and
    the control totals the payments must add up to before it can be submitted."""
    if data.source == MANUAL or data.source in RESERVED_SOURCES:
        raise ValidationFailed(
            f"source {data.source!r} cannot send a payment batch: name the sending system "
            "(payroll, ...)",
            errors=[("source", "must name the sending system, not manual or a finance source")],
        )
    await _refuse_duplicate(fin, data.source, data.source_reference)
    account = await _paying_account(fin, data.bank_account_id)
    await _check_control_account(fin, data.control_account_code, account)
    payment_date = bacs_payment_date(fin, data.payment_date)
    batch = await fin.backend.payment_batches.add_batch(
        PaymentBatch(
            bank_account_id=account.id,
            payment_date=payment_date,
            processing_day=bacs.processing_day(payment_date, fin.calendar),
            source=data.source,
            source_reference=data.source_reference,
            description=data.description,
            control_account_code=data.control_account_code,
            expected_count=data.expected_count,
            expected_total=data.expected_total,
            created_by=fin.actor,
        )
    )
    await fin.audit.record("payment_batch.created", BATCH, batch.id, after=batch)
    return batch


async def _refuse_duplicate(fin: FinanceContext, source: str, reference: str) -> None:
    """One live batch per source document: a pay run's net pay is paid once, whatever key a
    retry carries (409 duplicate-reference naming the batch). A cancelled or withdrawn batch
    frees its reference, so the sender can send the document again."""
    existing = await fin.backend.payment_batches.find_live_batch(source, reference)
    if existing is not None:
        raise DuplicateReference(
            f"{source} document {reference!r} is already payment batch {existing.number} "
            f"({existing.status})",
            payment_batch_id=str(existing.id),
            errors=[("source_reference", f"already payment batch {existing.number}")],
        )


async def _paying_account(fin: FinanceContext, bank_account_id: uuid.UUID) -> BankAccount:
    account = await fin.backend.payables.get_bank_account(bank_account_id)
    if account is None or not account.active:
        raise ValidationFailed(
            "no active bank account to pay from",
            errors=[("bank_account_id", "unknown or inactive bank account")],
        )
    return account


async def _check_control_account(fin: FinanceContext, code: str, account: BankAccount) -> None:
    """The account the payments clear: in the chart, postable, active, on the balance sheet
    (its line carries no cost centre) and not the bank's own ledger account."""
    found = (await fin.backend.accounts.accounts_by_code([code])).get(code)
    problem = None
    if found is None:
        problem = f"no account {code}"
    elif not found.postable:
        problem = f"{code} is a header account: name a posting account beneath it"
    elif not found.active:
        problem = f"account {code} is inactive"
    elif found.type in OPERATING:
        problem = f"{code} is an {found.type} account: payments clear a balance-sheet account"
    elif code == account.ledger_account_code:
        problem = f"{code} is the paying bank account's own ledger account"
    if problem is not None:
        raise ValidationFailed(problem, errors=[("control_account_code", problem)])


# --- payments -----------------------------------------------------------------------------------


async def add_payments(
    fin: FinanceContext, batch_id: uuid.UUID, *, payments: list[PaymentIn]
) -> tuple[PaymentBatch, int]:
    """A page of payments, all or nothing: every row valid (the schema), each payee once in the
    batch (422 naming the rows repeated within the page, 409 duplicate-reference naming those
    the batch already holds), and only while the batch is a draft. Amounts are kept to the penny
    (integer pence in the native store); the batch's count and total move with the page."""
    store = fin.backend.payment_batches
    batch = await get_batch(fin, batch_id, lock=True)
    if batch.status != "draft":
        raise InvalidState(
            f"payment batch {batch.number} is {batch.status}; payments are added to drafts only",
            batch_status=batch.status,
        )
    first_seen: dict[str, int] = {}
    repeated: list[tuple[str, str]] = []
    for i, payment in enumerate(payments):
        ref = payment.payee_reference
        if ref in first_seen:
            repeated.append(
                (f"payments.{i}.payee_reference", f"{ref} is also payments.{first_seen[ref]}")
            )
        else:
            first_seen[ref] = i
    if repeated:
        raise ValidationFailed(
            f"{len(repeated)} payee reference(s) repeated within the page", errors=repeated
        )
    taken = await store.taken_payee_references(batch.id, first_seen.keys())
    if taken:
        ordered = sorted(taken, key=lambda ref: first_seen[ref])
        raise DuplicateReference(
            f"payment batch {batch.number} already holds a payment for "
            + ", ".join(ordered[:10])
            + (f" and {len(ordered) - 10} more" if len(ordered) > 10 else ""),
            payment_batch_id=str(batch.id),
            payee_references=ordered,
            errors=[
                (f"payments.{first_seen[ref]}.payee_reference", f"{ref} is already in the batch")
                for ref in ordered
            ],
        )
    if batch.payment_count + len(payments) > MAX_PAYMENTS:
        raise ValidationFailed(
            f"a batch holds at most {MAX_PAYMENTS} payments",
            errors=[("payments", f"the batch would exceed {MAX_PAYMENTS} payments")],
        )
    added = [
        BatchPayment(**payment.values(), line_number=batch.payment_count + i)
        for i, payment in enumerate(payments, start=1)
    ]
    page_total = sum((p.amount for p in added), ZERO)
    if batch.total + page_total > MAX_BATCH_TOTAL:
        raise ValidationFailed(
            f"the batch total would exceed {MAX_BATCH_TOTAL}, more than a BACS file carries",
            errors=[("payments", f"the batch total would exceed {MAX_BATCH_TOTAL}")],
        )
    await store.add_payments(batch.id, added)
    saved = await store.update_batch(
        replace(
            batch,
            payment_count=batch.payment_count + len(added),
            total=batch.total + page_total,
        )
    )
    # The page's summary, not its bank details: the payments themselves are the record.
    await fin.audit.record(
        "payment_batch.payments_added",
        BATCH,
        saved.id,
        before=_totals(batch),
        after={
            **_totals(saved),
            "added": len(added),
            "added_total": str(page_total),
            "lines": [added[0].line_number, added[-1].line_number],
        },
    )
    return saved, len(added)


async def list_payments(
    fin: FinanceContext, batch_id: uuid.UUID, *, page: PageRequest
) -> RecordPage[BatchPayment]:
    batch = await get_batch(fin, batch_id)
    return await fin.backend.payment_batches.list_payments(batch.id, page)


def shows_bank_details(fin: FinanceContext) -> bool:
    """Who reads payees' bank details in full: `finance:approve` (who keeps the paying accounts
    and releases payments). Everyone else sees the last digits, enough to answer a query."""
    return fin.holds(FINANCE_APPROVE)


def mask(digits: str, shown: int) -> str:
    return "*" * (len(digits) - shown) + digits[-shown:]


# --- submit, cancel and withdraw ---------------------------------------------------------------


async def submit_batch(
    fin: FinanceContext,
    batch_id: uuid.UUID,
    *,
    check_version: Callable[[int], None] | None = None,
) -> PaymentBatch:
    """Pay the batch: its payments must be exactly what the sender promised (409 control-totals,
    naming both figures, otherwise). Then, in the request's one transaction, write the BACS
    Standard 18 file (a credit per payment with its own reference, the contra debiting the
    paying account), post the journal debiting the control account and crediting the bank's
    ledger account with the total (dated the payment date; `source` the batch's, and
    `source_reference` the batch's number), and mark the batch submitted for good.
    `check_version` (the caller's If-Match, when sent) sees the version of the locked batch."""
    batch = await get_batch(fin, batch_id, lock=True)
    if check_version is not None:
        check_version(batch.version)
    if batch.status != "draft":
        raise InvalidState(
            f"payment batch {batch.number} is {batch.status}; only a draft is submitted",
            batch_status=batch.status,
        )
    payments = await fin.backend.payment_batches.all_payments(batch.id)
    count, total = len(payments), sum((p.amount for p in payments), ZERO)
    if (count, total) != (batch.expected_count, batch.expected_total):
        raise ControlTotals(
            f"payment batch {batch.number} holds {count} payments totalling {total}; its "
            f"sender promised {batch.expected_count} totalling {batch.expected_total}",
            expected_count=batch.expected_count,
            expected_total=str(batch.expected_total),
            payment_count=count,
            total=str(total),
        )
    processing = bacs.processing_day(batch.payment_date, fin.calendar)
    if processing < fin.clock.today():  # created in time, submitted too late for its date
        raise InvalidState(
            f"payment batch {batch.number} pays on {batch.payment_date}, whose Bacs processing "
            f"day {processing} has passed: cancel it and send a new batch",
            processing_day=processing.isoformat(),
        )
    account = await fin.backend.payables.get_bank_account(batch.bank_account_id)
    if account is None or not account.active:
        raise InvalidState(
            f"the bank account of payment batch {batch.number} is no longer active",
            bank_account_id=str(batch.bank_account_id),
        )
    existing = await fin.backend.journals.find_by_source(batch.source, batch.number)
    if existing is not None:
        raise DuplicateReference(
            f"{batch.source} document {batch.number!r} is already journal {existing.number}",
            journal_id=str(existing.id),
        )
    journal = Journal(
        description=f"Payment batch {batch.number}: {batch.source} {batch.source_reference}"[:500],
        posting_date=batch.payment_date,
        period_code=PeriodRef.of_date(batch.payment_date).code,
        source=batch.source,
        source_reference=batch.number,
        prepared_by=fin.actor,
        lines=[
            JournalLine(
                account_code=batch.control_account_code,
                debit=total,
                description=f"{count} payments, {batch.source} {batch.source_reference}"[:500],
            ),
            JournalLine(
                account_code=account.ledger_account_code,
                credit=total,
                description=f"BACS {batch.number}",
            ),
        ],
    )
    await journals.validate(fin, journal)
    journal = await journals.post_new(fin, journal)
    store = fin.backend.payment_batches
    await store.add_bacs_file(batch.id, standard18_of(fin, batch, account, payments))
    saved = await store.update_batch(
        replace(
            batch,
            status="submitted",
            journal_id=journal.id,
            submitted_by=fin.actor,
            submitted_at=fin.clock.now(),
            bacs_file_name=f"{batch.number}.bacs",
        )
    )
    await fin.audit.record("payment_batch.submitted", BATCH, saved.id, before=batch, after=saved)
    await events.submitted(fin, saved)
    return saved


def standard18_of(
    fin: FinanceContext, batch: PaymentBatch, account: BankAccount, payments: list[BatchPayment]
) -> str:
    """The batch's Standard 18 file: one credit per payment in line order, with its reference;
    the volume serial `B` and the batch number's last five digits."""
    return bacs.standard18(
        origin=bacs.Originator(
            sort_code=account.sort_code,
            account_number=account.account_number,
            account_name=account.account_name,
            service_user_number=account.service_user_number,
        ),
        credits=[
            bacs.Credit(
                sort_code=p.sort_code,
                account_number=p.account_number,
                account_name=p.account_name,
                amount_pence=pence(p.amount),
                reference=p.reference,
            )
            for p in payments
        ],
        payment_date=batch.payment_date,
        created=fin.clock.today(),
        serial="B" + batch.number.rsplit("-", 1)[-1][-5:].rjust(5, "0"),
        calendar=fin.calendar,
    )


async def cancel_batch(fin: FinanceContext, batch_id: uuid.UUID) -> PaymentBatch:
    """Withdraw a draft: nothing was posted or written, and its source reference is free for
    the sender to send again."""
    batch = await get_batch(fin, batch_id, lock=True)
    if batch.status != "draft":
        raise InvalidState(
            f"payment batch {batch.number} is {batch.status}; only a draft is cancelled",
            batch_status=batch.status,
        )
    saved = await fin.backend.payment_batches.update_batch(replace(batch, status="cancelled"))
    await fin.audit.record("payment_batch.cancelled", BATCH, saved.id, before=batch, after=saved)
    return saved


async def withdraw_batch(
    fin: FinanceContext,
    batch_id: uuid.UUID,
    *,
    reason: str | None = None,
    check_version: Callable[[int], None] | None = None,
) -> PaymentBatch:
    """Take a submitted batch back before its money goes (a pay run reversed before payment):
    only while its Bacs processing day, by the rule submit applies, has not passed (409
    processing-day-passed naming it; after that the file is with the bank and money a payee
    returns is posted as a new journal). In the request's one transaction: post the mirror
    image of the batch's journal (the journals service's reversal, in the posting's own
    period), mark the batch `withdrawn` with who, when and why, audit it and announce it. The
    file is kept, as written, but never served again; the batch's source reference is free for
    the sender's next batch. A withdrawn batch never changes again."""
    batch = await get_batch(fin, batch_id, lock=True)
    if check_version is not None:
        check_version(batch.version)
    if batch.status != "submitted" or batch.journal_id is None:
        raise InvalidState(
            f"payment batch {batch.number} is {batch.status}; "
            + (
                "it never changes again"
                if batch.status == "withdrawn"
                else "only a submitted batch is taken back"
                + (" (a draft is cancelled)" if batch.status == "draft" else "")
            ),
            batch_status=batch.status,
        )
    processing = bacs.processing_day(batch.payment_date, fin.calendar)
    if processing < fin.clock.today():
        raise ProcessingDayPassed(
            f"payment batch {batch.number} pays on {batch.payment_date}, whose Bacs processing "
            f"day {processing} has passed: its file is with the bank, so the payment stands",
            processing_day=processing.isoformat(),
        )
    posting = await journals.get_journal(fin, batch.journal_id, lock=True)
    reversal = await journals.reverse(
        fin,
        posting,
        description=(
            f"Withdrawal of payment batch {batch.number}: {batch.source} "
            f"{batch.source_reference}" + (f" ({reason})" if reason else "")
        )[:500],
    )
    saved = await fin.backend.payment_batches.update_batch(
        replace(
            batch,
            status="withdrawn",
            withdrawn_by=fin.actor,
            withdrawn_at=fin.clock.now(),
            withdrawal_reason=reason,
        )
    )
    await fin.audit.record("payment_batch.withdrawn", BATCH, saved.id, before=batch, after=saved)
    await events.withdrawn(fin, saved, reversal_journal_id=reversal.id)
    return saved


async def bacs_file(fin: FinanceContext, batch_id: uuid.UUID) -> tuple[PaymentBatch, str]:
    """A submitted batch's file. A withdrawn batch keeps its file, but it must not be sent:
    409 invalid-state, as for a batch not yet submitted."""
    batch = await get_batch(fin, batch_id)
    content = (
        await fin.backend.payment_batches.get_bacs_file(batch.id)
        if batch.status == "submitted"
        else None
    )
    if content is None:
        why = (
            "its file must not be sent"
            if batch.status == "withdrawn"
            else "its file is written when it is submitted"
        )
        raise InvalidState(
            f"payment batch {batch.number} is {batch.status}; {why}", batch_status=batch.status
        )
    return batch, content


def pence(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_exact())


def _totals(batch: PaymentBatch) -> dict[str, object]:
    """Where a batch stands as pages arrive (a page's audit event)."""
    return {
        "number": batch.number,
        "status": batch.status,
        "payment_count": batch.payment_count,
        "total": str(batch.total),
        "version": batch.version,
    }
