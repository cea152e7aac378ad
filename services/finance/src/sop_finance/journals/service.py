"""Journal rules: balance, open periods, second-person approval, immutability, reversal."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sop_finance.accounts.ports import OPERATING
from sop_finance.context import FINANCE_APPROVE, FinanceContext
from sop_finance.journals.ports import (
    MANUAL,
    PAYABLES,
    RESERVED_SOURCES,
    REVERSAL,
    YEAR_END,
    ZERO,
    Journal,
    JournalFilter,
    JournalLine,
)
from sop_finance.journals.schemas import JournalCreate, JournalLineIn, JournalUpdate, ReversalCreate
from sop_finance.payables.ports import InvoiceFilter
from sop_finance.payment_batches.ports import BatchFilter
from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import PageRequest, RecordPage
from sop_finance.problems import (
    ApprovalRequired,
    DuplicateReference,
    InvalidState,
    JournalOwned,
    JournalPosted,
    JournalUnbalanced,
    PeriodClosed,
    PeriodSoftClosed,
    SelfApproval,
)
from sop_shared.errors import NotFound, ValidationFailed

Errors = list[tuple[str, str]]


async def list_journals(
    fin: FinanceContext, *, flt: JournalFilter, page: PageRequest
) -> RecordPage[Journal]:
    return await fin.backend.journals.list(flt, page)


async def get_journal(fin: FinanceContext, journal_id: uuid.UUID, *, lock: bool = False) -> Journal:
    journal = await fin.backend.journals.get(journal_id, lock=lock)
    if journal is None:
        raise NotFound(f"no journal {journal_id}")
    return journal


def requires_approval(fin: FinanceContext, journal: Journal) -> bool:
    """Manual journals above the threshold need a second person's approval before posting."""
    return journal.source == MANUAL and journal.total > fin.settings.approval_threshold


async def create_journal(fin: FinanceContext, *, data: JournalCreate) -> Journal:
    if data.source in RESERVED_SOURCES:
        raise ValidationFailed(
            f"source {data.source!r} is reserved for journals finance writes itself",
            errors=[("source", "reserved")],
        )
    if data.source != MANUAL:
        if not data.source_reference:
            raise ValidationFailed(
                f"a {data.source} journal must name its source document",
                errors=[("source_reference", "required unless source is manual")],
            )
        await _refuse_duplicate(fin, data.source, data.source_reference)
    journal = Journal(
        description=data.description,
        posting_date=data.posting_date,
        adjustment=data.adjustment,
        period_code=period_of(data.posting_date, data.adjustment).code,
        source=data.source,
        source_reference=data.source_reference,
        lines=_lines(data.lines),
        prepared_by=fin.actor,
    )
    await validate(fin, journal)
    if data.post:
        if requires_approval(fin, journal):
            raise ApprovalRequired(
                f"manual journals over {fin.settings.approval_threshold} need approval by "
                "someone other than the preparer: create it as a draft, have it approved "
                "(POST .../approve), then post it"
            )
        return await post_new(fin, journal)
    journal = await fin.backend.journals.add(journal)
    await fin.audit.record("journal.created", "journal", journal.id, after=journal)
    return journal


async def update_journal(fin: FinanceContext, journal: Journal, *, data: JournalUpdate) -> Journal:
    _refuse_if_posted(journal, "changed")
    values = data.values(only_set=True, drop_none=True, exclude=frozenset({"lines"}))
    changed = replace(journal, **values)
    if data.lines is not None:
        changed.lines = _lines(data.lines)
    changed.period_code = period_of(changed.posting_date, changed.adjustment).code
    if changed.source != MANUAL and changed.source_reference != journal.source_reference:
        await _refuse_duplicate(fin, changed.source, changed.source_reference or "")
    # Whoever edits becomes the preparer, and an edit voids an earlier approval: an approver
    # must never approve lines they wrote, nor have lines change under their approval.
    changed.prepared_by = fin.actor
    changed.status, changed.approved_by, changed.approved_at = "draft", None, None
    await validate(fin, changed)
    saved = await fin.backend.journals.update(changed, replace_lines=True)
    await fin.audit.record("journal.updated", "journal", saved.id, before=journal, after=saved)
    return saved


async def delete_journal(fin: FinanceContext, journal: Journal) -> None:
    _refuse_if_posted(journal, "deleted")
    await fin.backend.journals.delete(journal)
    await fin.audit.record("journal.deleted", "journal", journal.id, before=journal)


async def approve_journal(fin: FinanceContext, journal_id: uuid.UUID) -> Journal:
    journal = await get_journal(fin, journal_id, lock=True)
    _refuse_if_posted(journal, "approved")
    if journal.status == "approved":
        raise InvalidState(f"journal {journal.number} is already approved")
    if journal.prepared_by == fin.actor:
        raise SelfApproval(
            f"journal {journal.number} was prepared by you; someone else must approve it"
        )
    approved = replace(
        journal, status="approved", approved_by=fin.actor, approved_at=fin.clock.now()
    )
    saved = await fin.backend.journals.update(approved)
    await fin.audit.record("journal.approved", "journal", saved.id, before=journal, after=saved)
    return saved


async def post_journal(fin: FinanceContext, journal_id: uuid.UUID) -> Journal:
    journal = await get_journal(fin, journal_id, lock=True)
    _refuse_if_posted(journal, "posted again")
    await validate(fin, journal)  # reference data may have changed since the draft was saved
    if requires_approval(fin, journal) and journal.status != "approved":
        raise ApprovalRequired(
            f"journal {journal.number} ({journal.total}) is over the approval threshold of "
            f"{fin.settings.approval_threshold}; someone other than {journal.prepared_by} must "
            "approve it first"
        )
    period = await open_period_for(fin, journal)
    posted = replace(journal, status="posted", posted_by=fin.actor, posted_at=fin.clock.now())
    saved = await fin.backend.journals.post(posted, period)
    await fin.audit.record("journal.posted", "journal", saved.id, before=journal, after=saved)
    return saved


async def reverse_journal(
    fin: FinanceContext, journal_id: uuid.UUID, *, data: ReversalCreate
) -> Journal:
    """The journals API's reversal: correct a posted journal by posting its mirror image. A
    journal another finance process wrote is refused (409 journal-owned): see
    `_refuse_if_owned`."""
    original = await get_journal(fin, journal_id, lock=True)
    _check_reversible(original)
    await _refuse_if_owned(fin, original)
    return await reverse(
        fin,
        original,
        posting_date=data.posting_date,
        adjustment=data.adjustment,
        description=data.description,
    )


async def reverse(
    fin: FinanceContext,
    original: Journal,
    *,
    posting_date: date | None = None,
    adjustment: bool | None = None,
    description: str | None = None,
) -> Journal:
    """Post the reversal of `original` (read with `lock=True`) and link the two: one reversal
    per journal, and a reversal is not itself reversed. Without a posting date it mirrors the
    original in its own period (period 13 included); with one it posts into that date's month
    unless `adjustment` says otherwise. The journals API calls this, and so does a process
    correcting a journal it owns (payables reversing an invoice)."""
    _check_reversible(original)
    if adjustment is None:
        adjustment = original.adjustment if posting_date is None else False
    posting_date = posting_date or original.posting_date
    reversal = Journal(
        description=description or f"Reversal of {original.number}: {original.description}"[:500],
        posting_date=posting_date,
        adjustment=adjustment,
        period_code=period_of(posting_date, adjustment).code,
        source=REVERSAL,
        source_reference=original.number,
        reverses_journal_id=original.id,
        prepared_by=fin.actor,
        lines=[
            replace(line, debit=line.credit, credit=line.debit, line_number=0)
            for line in original.lines
        ],
    )
    # Accounts closed since may still be reversed into: the reversal only undoes history.
    await validate(fin, reversal, allow_inactive=True)
    saved = await post_new(fin, reversal)
    linked = await fin.backend.journals.update(replace(original, reversed_by_journal_id=saved.id))
    await fin.audit.record(
        "journal.reversed", "journal", original.id, before=original, after=linked
    )
    return saved


def _check_reversible(original: Journal) -> None:
    if original.status != "posted":
        raise InvalidState(f"journal {original.number} is not posted: edit or delete it instead")
    if original.reversed_by_journal_id is not None:
        raise InvalidState(
            f"journal {original.number} is already reversed",
            reversed_by_journal_id=str(original.reversed_by_journal_id),
        )
    if original.source == REVERSAL:
        raise InvalidState("a reversal cannot itself be reversed; post a new journal instead")


async def _refuse_if_owned(fin: FinanceContext, journal: Journal) -> None:
    """A journal finance wrote for one of its own processes is corrected by that process, never
    by reversing it alone (409 journal-owned, naming the owner).

    Why refuse rather than reverse and patch the owner up: a subledger and the ledger must
    agree. Reversed here, a supplier invoice's posting would leave the invoice posted and due,
    and the next payment run would pay a debt the ledger no longer shows (debiting a payables
    balance that is no longer there). Payables' own reversal (`POST
    /supplier-invoices/{id}/reverse`) mirrors the journal and takes the invoice out of payment
    in one transaction, so neither side is ever half-written. A payment run's posting stands for
    money already sent to the bank in its BACS file, which no ledger entry can recall; the
    year-end close belongs to a year closed for good; a payment batch's posting (a payroll's net
    pay, say) stands for money sent like a run's. The suites draw the same line: SAP's FB08
    will not reverse a document invoice verification posted (MR8M does), and Oracle corrects
    Payables accounting in Payables, not in the General Ledger."""
    source, reference = journal.source, journal.source_reference
    if journal.source == YEAR_END:
        raise JournalOwned(
            f"journal {journal.number} is the year-end close of {journal.source_reference}: "
            "a closed year stays closed, so its closing journal is not reversed",
            financial_year=journal.source_reference,
            source=source,
            source_reference=reference,
        )
    if journal.source_reference and journal.source != PAYABLES:
        batches = await fin.backend.payment_batches.list_batches(
            BatchFilter(number=journal.source_reference, source=journal.source),
            PageRequest(limit=1),
        )
        batch = next((b for b in batches.items if b.journal_id == journal.id), None)
        if batch is not None:
            how = (
                "withdraw the batch instead while its Bacs processing day has not passed "
                f"(POST /finance/v1/payment-batches/{batch.id}/withdraw), which reverses this "
                "journal and stops its file; after that its payments are with the bank and "
                "money a payee returns is posted as a new journal"
                if batch.status == "submitted"
                else f"the batch is {batch.status}"
            )
            raise JournalOwned(
                f"journal {journal.number} is the posting of payment batch {batch.number}: " + how,
                payment_batch_id=str(batch.id),
                source=source,
                source_reference=reference,
            )
    if journal.source != PAYABLES:
        return
    found = await fin.backend.payables.list_invoices(
        InvoiceFilter(number=journal.source_reference), PageRequest(limit=1)
    )
    invoice = next((i for i in found.items if i.journal_id == journal.id), None)
    if invoice is not None:
        how = (
            f"reverse the invoice instead (POST /finance/v1/supplier-invoices/{invoice.id}"
            "/reverse), which reverses this journal and keeps the invoice out of payment runs"
            if invoice.status == "posted"
            else f"the invoice is {invoice.status}, so its posting stands"
        )
        raise JournalOwned(
            f"journal {journal.number} is the posting of supplier invoice {invoice.number}: " + how,
            invoice_id=str(invoice.id),
            source=source,
            source_reference=reference,
        )
    raise JournalOwned(
        f"journal {journal.number} is the posting of payment run {journal.source_reference}: "
        "its payments went to the bank in its BACS file, which no ledger reversal can "
        "recall; money a supplier returns is posted as a new journal",
        source=source,
        source_reference=reference,
    )


async def post_new(fin: FinanceContext, journal: Journal) -> Journal:
    """Store and post a journal in one step (validated already): used for keyed one-step
    postings, reversals, payables and the year-end close."""
    period = await open_period_for(fin, journal)
    journal.status, journal.posted_by, journal.posted_at = "posted", fin.actor, fin.clock.now()
    journal.period_code = period.code
    saved = await fin.backend.journals.add(journal)
    await fin.audit.record("journal.posted", "journal", saved.id, after=saved)
    return saved


def period_of(posting_date: date, adjustment: bool) -> PeriodRef:
    if adjustment and posting_date.month != 3:
        raise ValidationFailed(
            "adjustment journals post into period 13 and must be dated in March",
            errors=[("posting_date", "must fall in March for an adjustment journal")],
        )
    return PeriodRef.of_date(posting_date, adjustment=adjustment)


async def open_period_for(fin: FinanceContext, journal: Journal) -> PeriodRef:
    """The journal's period, held against a concurrent close, if it may take this posting."""
    ref = journal.period
    period = await fin.backend.periods.get_period(ref.code, hold=True)
    if period is None:
        raise PeriodClosed(
            f"there is no period {ref.code}: the financial year has not been opened",
            period=ref.code,
        )
    if period.status == "closed":
        raise PeriodClosed(f"period {ref.code} is closed: nothing posts into it", period=ref.code)
    if period.status == "soft_closed" and not fin.holds(FINANCE_APPROVE):
        raise PeriodSoftClosed(
            f"period {ref.code} is soft-closed: only finance:approve may post into it",
            period=ref.code,
        )
    return ref


async def validate(fin: FinanceContext, journal: Journal, *, allow_inactive: bool = False) -> None:
    """Every line names a postable account (and a cost centre where the account is income or
    expense), carries a debit or a credit, and the journal balances to the penny."""
    lines = journal.lines
    errors: Errors = []
    if len(lines) < 2:
        errors.append(("lines", "a journal needs at least two lines"))
    for i, line in enumerate(lines):
        if (line.debit > ZERO) == (line.credit > ZERO):
            errors.append((f"lines.{i}", "a line carries a debit or a credit amount, not both"))
    if errors:
        raise ValidationFailed("; ".join(m for _, m in errors), errors=errors)
    debits, credits = journal.total_debit, journal.total_credit
    if debits != credits:
        raise JournalUnbalanced(
            f"debits {debits} do not equal credits {credits} (difference {debits - credits})",
            errors=[("lines", f"debits {debits} != credits {credits}")],
            total_debit=str(debits),
            total_credit=str(credits),
        )
    errors = await _reference_errors(fin, lines, allow_inactive=allow_inactive)
    if errors:
        raise ValidationFailed("; ".join(m for _, m in errors[:5]), errors=errors)


async def _reference_errors(
    fin: FinanceContext, lines: Sequence[JournalLine], *, allow_inactive: bool
) -> Errors:
    chart = fin.backend.accounts
    accounts = await chart.accounts_by_code({ln.account_code for ln in lines})
    centres = await chart.cost_centres_by_code(
        {ln.cost_centre_code for ln in lines if ln.cost_centre_code}
    )
    analysis = await chart.analysis_codes_by_key(
        {("programme", ln.programme) for ln in lines if ln.programme}
        | {("project", ln.project) for ln in lines if ln.project}
    )
    errors: Errors = []
    for i, line in enumerate(lines):
        account = accounts.get(line.account_code)
        if account is None:
            errors.append((f"lines.{i}.account_code", f"no account {line.account_code}"))
        elif not account.postable:
            errors.append(
                (f"lines.{i}.account_code", f"{account.code} is a header account: post beneath it")
            )
        elif not account.active and not allow_inactive:
            errors.append((f"lines.{i}.account_code", f"account {account.code} is inactive"))
        elif account.type in OPERATING and not line.cost_centre_code:
            errors.append(
                (f"lines.{i}.cost_centre_code", f"{account.type} lines need a cost centre")
            )
        if line.cost_centre_code:
            centre = centres.get(line.cost_centre_code)
            if centre is None:
                errors.append(
                    (f"lines.{i}.cost_centre_code", f"no cost centre {line.cost_centre_code}")
                )
            elif not centre.active and not allow_inactive:
                errors.append(
                    (f"lines.{i}.cost_centre_code", f"cost centre {centre.code} is inactive")
                )
        for dimension, value in (("programme", line.programme), ("project", line.project)):
            if value:
                found = analysis.get((dimension, value))
                if found is None:
                    errors.append((f"lines.{i}.{dimension}", f"no {dimension} {value}"))
                elif not found.active and not allow_inactive:
                    errors.append((f"lines.{i}.{dimension}", f"{dimension} {value} is inactive"))
    return errors


async def _refuse_duplicate(fin: FinanceContext, source: str, reference: str) -> None:
    existing = await fin.backend.journals.find_by_source(source, reference)
    if existing is not None:
        raise DuplicateReference(
            f"{source} document {reference!r} is already journal {existing.number}",
            journal_id=str(existing.id),
        )


def _refuse_if_posted(journal: Journal, verb: str) -> None:
    if journal.status == "posted":
        raise JournalPosted(
            f"journal {journal.number} is posted and cannot be {verb}; correct it with a "
            f"reversal (POST /finance/v1/journals/{journal.id}/reverse)",
            journal_id=str(journal.id),
        )


def _lines(lines: Sequence[JournalLineIn]) -> list[JournalLine]:
    return [JournalLine(**line.values()) for line in lines]


def balanced_lines(amounts: dict[tuple[str, str | None], Decimal]) -> list[JournalLine]:
    """Lines from net amounts per (account, cost centre), debit when positive."""
    return [
        JournalLine(
            account_code=account,
            cost_centre_code=centre,
            debit=net if net > 0 else ZERO,
            credit=-net if net < 0 else ZERO,
        )
        for (account, centre), net in amounts.items()
        if net != 0
    ]
