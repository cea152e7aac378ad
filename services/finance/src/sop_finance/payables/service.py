"""Payables rules: suppliers, invoices entered and approved by two people, payment runs."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sop_finance.accounts.service import control_account
from sop_finance.budgets import service as budgets
from sop_finance.context import FinanceContext
from sop_finance.journals import service as journals
from sop_finance.journals.ports import PAYABLES, ZERO, Journal, JournalLine
from sop_finance.payables import bacs
from sop_finance.payables.ports import (
    BankAccount,
    InvoiceFilter,
    InvoiceLine,
    Payment,
    PaymentRun,
    Supplier,
    SupplierFilter,
    SupplierInvoice,
)
from sop_finance.payables.schemas import (
    BankAccountCreate,
    BankAccountUpdate,
    InvoiceCreate,
    InvoiceLineIn,
    InvoiceUpdate,
    PaymentRunCreate,
    SupplierCreate,
    SupplierUpdate,
)
from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import PageRequest, RecordPage
from sop_finance.problems import DuplicateReference, InvalidState, SelfApproval
from sop_shared.calendar import OutsideCalendar
from sop_shared.errors import NotFound, ValidationFailed

# --- suppliers ----------------------------------------------------------------------------------


async def list_suppliers(
    fin: FinanceContext, *, flt: SupplierFilter, page: PageRequest
) -> RecordPage[Supplier]:
    return await fin.backend.payables.list_suppliers(flt, page)


async def get_supplier(fin: FinanceContext, supplier_id: uuid.UUID) -> Supplier:
    found = await fin.backend.payables.get_supplier(supplier_id)
    if found is None:
        raise NotFound(f"no supplier {supplier_id}")
    return found


async def create_supplier(fin: FinanceContext, *, data: SupplierCreate) -> Supplier:
    supplier = await fin.backend.payables.add_supplier(Supplier(**data.values()))
    await fin.audit.record("supplier.created", "supplier", supplier.id, after=supplier)
    return supplier


async def update_supplier(
    fin: FinanceContext, supplier: Supplier, *, data: SupplierUpdate
) -> Supplier:
    saved = await fin.backend.payables.update_supplier(
        replace(supplier, **data.values(only_set=True, drop_none=True))
    )
    # Bank detail changes are the classic mandate fraud: the audit trail keeps before and after.
    await fin.audit.record("supplier.updated", "supplier", saved.id, before=supplier, after=saved)
    return saved


# --- bank accounts ------------------------------------------------------------------------------


async def list_bank_accounts(fin: FinanceContext, *, page: PageRequest) -> RecordPage[BankAccount]:
    return await fin.backend.payables.list_bank_accounts(page)


async def get_bank_account(fin: FinanceContext, bank_account_id: uuid.UUID) -> BankAccount:
    found = await fin.backend.payables.get_bank_account(bank_account_id)
    if found is None:
        raise NotFound(f"no bank account {bank_account_id}")
    return found


async def create_bank_account(fin: FinanceContext, *, data: BankAccountCreate) -> BankAccount:
    accounts = await fin.backend.accounts.accounts_by_code([data.ledger_account_code])
    ledger = accounts.get(data.ledger_account_code)
    if ledger is None or ledger.type != "asset" or not ledger.postable:
        raise ValidationFailed(
            f"{data.ledger_account_code} is not a postable asset account",
            errors=[("ledger_account_code", "must be a postable asset account (cash at bank)")],
        )
    account = await fin.backend.payables.add_bank_account(BankAccount(**data.values()))
    await fin.audit.record("bank_account.created", "bank_account", account.id, after=account)
    return account


async def update_bank_account(
    fin: FinanceContext, account: BankAccount, *, data: BankAccountUpdate
) -> BankAccount:
    saved = await fin.backend.payables.update_bank_account(
        replace(account, **data.values(only_set=True, drop_none=True))
    )
    await fin.audit.record(
        "bank_account.updated", "bank_account", saved.id, before=account, after=saved
    )
    return saved


# --- supplier invoices --------------------------------------------------------------------------

_CANCELLABLE = ("received", "approved")  # not yet posted: nothing reached the ledger


async def list_invoices(
    fin: FinanceContext, *, flt: InvoiceFilter, page: PageRequest
) -> RecordPage[SupplierInvoice]:
    return await fin.backend.payables.list_invoices(flt, page)


async def get_invoice(
    fin: FinanceContext, invoice_id: uuid.UUID, *, lock: bool = False
) -> SupplierInvoice:
    found = await fin.backend.payables.get_invoice(invoice_id, lock=lock)
    if found is None:
        raise NotFound(f"no supplier invoice {invoice_id}")
    return found


async def create_invoice(fin: FinanceContext, *, data: InvoiceCreate) -> SupplierInvoice:
    supplier = await fin.backend.payables.get_supplier(data.supplier_id)
    if supplier is None or not supplier.active:
        raise ValidationFailed(
            f"no active supplier {data.supplier_id}",
            errors=[("supplier_id", "unknown or inactive supplier")],
        )
    if data.source != "manual" and not data.source_reference:
        raise ValidationFailed(
            "an invoice from another system must name its document",
            errors=[("source_reference", "required unless source is manual")],
        )
    await _refuse_duplicate(fin, supplier, data.supplier_invoice_number)
    invoice = SupplierInvoice(
        **data.values(exclude=frozenset({"lines"})),
        lines=_lines(data.lines),
        entered_by=fin.actor,
    )
    await _check_invoice(fin, invoice)
    invoice = await fin.backend.payables.add_invoice(invoice)
    await fin.audit.record(
        "supplier_invoice.received", "supplier_invoice", invoice.id, after=invoice
    )
    return invoice


async def update_invoice(
    fin: FinanceContext, invoice: SupplierInvoice, *, data: InvoiceUpdate
) -> SupplierInvoice:
    if invoice.status != "received":
        raise InvalidState(
            f"invoice {invoice.number} is {invoice.status}; only received invoices change"
        )
    values = data.values(only_set=True, drop_none=True, exclude=frozenset({"lines"}))
    changed = replace(invoice, **values, entered_by=fin.actor)
    if data.lines is not None:
        changed.lines = _lines(data.lines)
    if changed.supplier_invoice_number != invoice.supplier_invoice_number:
        supplier = await get_supplier(fin, invoice.supplier_id)
        await _refuse_duplicate(fin, supplier, changed.supplier_invoice_number)
    await _check_invoice(fin, changed)
    saved = await fin.backend.payables.update_invoice(changed, replace_lines=True)
    await fin.audit.record(
        "supplier_invoice.updated", "supplier_invoice", saved.id, before=invoice, after=saved
    )
    return saved


async def _refuse_duplicate(fin: FinanceContext, supplier: Supplier, number: str) -> None:
    """The same supplier invoice entered twice is the classic duplicate payment: one invoice
    per supplier and supplier's number, whether entered so or changed to it (409
    duplicate-reference naming the invoice that has it)."""
    existing = await fin.backend.payables.find_invoice(supplier.id, number)
    if existing is not None:
        raise DuplicateReference(
            f"{supplier.name} invoice {number} is already {existing.number}",
            invoice_id=str(existing.id),
        )


async def approve_invoice(fin: FinanceContext, invoice_id: uuid.UUID) -> SupplierInvoice:
    invoice = await get_invoice(fin, invoice_id, lock=True)
    if invoice.status != "received":
        raise InvalidState(f"invoice {invoice.number} is {invoice.status}, not received")
    if invoice.entered_by == fin.actor:
        raise SelfApproval(f"invoice {invoice.number} was entered by you; someone else approves")
    saved = await fin.backend.payables.update_invoice(
        replace(invoice, status="approved", approved_by=fin.actor, approved_at=fin.clock.now())
    )
    await fin.audit.record(
        "supplier_invoice.approved", "supplier_invoice", saved.id, before=invoice, after=saved
    )
    return saved


async def cancel_invoice(fin: FinanceContext, invoice_id: uuid.UUID) -> SupplierInvoice:
    """Withdraw an invoice not yet posted (nothing reached the ledger)."""
    invoice = await get_invoice(fin, invoice_id, lock=True)
    if invoice.status == "posted":
        raise InvalidState(
            f"invoice {invoice.number} is posted: a posted invoice is reversed (POST "
            f"/finance/v1/supplier-invoices/{invoice.id}/reverse), not cancelled"
        )
    if invoice.status not in _CANCELLABLE:
        raise InvalidState(f"invoice {invoice.number} is {invoice.status}; it cannot be cancelled")
    saved = await fin.backend.payables.update_invoice(replace(invoice, status="cancelled"))
    await fin.audit.record(
        "supplier_invoice.cancelled", "supplier_invoice", saved.id, before=invoice, after=saved
    )
    return saved


async def post_invoice(
    fin: FinanceContext, invoice_id: uuid.UUID, *, posting_date: date | None
) -> SupplierInvoice:
    """Debit each line's expense (and VAT to the VAT account), credit payables control, and
    release the commitments the lines name."""
    invoice = await get_invoice(fin, invoice_id, lock=True)
    if invoice.status != "approved":
        raise InvalidState(
            f"invoice {invoice.number} is {invoice.status}; it must be approved to post"
        )
    journal = await _invoice_journal(fin, invoice, posting_date or invoice.invoice_date)
    await journals.validate(fin, journal)
    journal = await journals.post_new(fin, journal)
    for line in invoice.lines:
        if line.commitment_id is not None:
            commitment = await budgets.get_commitment(fin, line.commitment_id, lock=True)
            if commitment.status == "open":
                release = min(line.net_amount, commitment.outstanding)
                await budgets.release(fin, commitment, release)
    saved = await fin.backend.payables.update_invoice(
        replace(invoice, status="posted", journal_id=journal.id)
    )
    await fin.audit.record(
        "supplier_invoice.posted", "supplier_invoice", saved.id, before=invoice, after=saved
    )
    return saved


async def reverse_invoice(
    fin: FinanceContext, invoice_id: uuid.UUID, *, posting_date: date | None
) -> SupplierInvoice:
    """Undo a posted invoice that will not be paid: post the mirror image of its journal (a
    reversal referencing it, on `posting_date` or the posting's own date) and mark the invoice
    `reversed`, which keeps it out of every payment run, in one transaction. This, not the
    journals API, is how an invoice's posting is reversed: payables owns the journal, and a
    reversal made in the ledger alone would leave the invoice posted and due (the journals API
    refuses it: 409 journal-owned). An invoice in a proposed payment run waits for the run to be
    cancelled; a paid one is settled, and stays so. Commitments the posting released stay
    released (how much each line released is not kept): if the order still stands, raise its
    commitment again."""
    invoice = await get_invoice(fin, invoice_id, lock=True)
    if invoice.status != "posted" or invoice.journal_id is None:
        raise InvalidState(
            f"invoice {invoice.number} is {invoice.status}; only a posted, unpaid invoice is "
            "reversed"
            + (" (one not yet posted is cancelled)" if invoice.status in _CANCELLABLE else "")
        )
    if invoice.payment_run_id is not None:
        run = await get_payment_run(fin, invoice.payment_run_id)
        raise InvalidState(
            f"invoice {invoice.number} is in payment run {run.number} ({run.status}): cancel "
            f"the run first (POST /finance/v1/payment-runs/{run.id}/cancel), then reverse it",
            payment_run_id=str(run.id),
        )
    posting = await journals.get_journal(fin, invoice.journal_id, lock=True)
    await journals.reverse(
        fin,
        posting,
        posting_date=posting_date,
        description=f"Reversal of supplier invoice {invoice.number} "
        f"({invoice.supplier_invoice_number})",
    )
    saved = await fin.backend.payables.update_invoice(replace(invoice, status="reversed"))
    await fin.audit.record(
        "supplier_invoice.reversed", "supplier_invoice", saved.id, before=invoice, after=saved
    )
    return saved


async def _invoice_journal(
    fin: FinanceContext, invoice: SupplierInvoice, posting_date: date
) -> Journal:
    control = await control_account(fin, "payables_control")
    lines = [
        JournalLine(
            account_code=ln.account_code,
            cost_centre_code=ln.cost_centre_code,
            programme=ln.programme,
            project=ln.project,
            debit=ln.net_amount,
            description=ln.description,
        )
        for ln in invoice.lines
    ]
    vat = sum((ln.vat_amount for ln in invoice.lines), ZERO)
    if vat:
        vat_account = await control_account(fin, "vat_recoverable")
        lines.append(JournalLine(account_code=vat_account.code, debit=vat, description="VAT"))
    lines.append(
        JournalLine(
            account_code=control.code,
            credit=invoice.total,
            description=f"Invoice {invoice.supplier_invoice_number}",
        )
    )
    return Journal(
        description=f"Supplier invoice {invoice.number} ({invoice.supplier_invoice_number})",
        posting_date=posting_date,
        period_code=PeriodRef.of_date(posting_date).code,
        source=PAYABLES,
        source_reference=invoice.number,
        prepared_by=fin.actor,
        lines=lines,
    )


async def _check_invoice(fin: FinanceContext, invoice: SupplierInvoice) -> None:
    if invoice.due_date < invoice.invoice_date:
        raise ValidationFailed(
            "the due date is before the invoice date",
            errors=[("due_date", "must be on or after invoice_date")],
        )
    for i, line in enumerate(invoice.lines):
        if line.commitment_id is None:
            continue
        commitment = await fin.backend.budgets.get_commitment(line.commitment_id)
        if commitment is None:
            raise ValidationFailed(
                f"no commitment {line.commitment_id}",
                errors=[(f"lines.{i}.commitment_id", "unknown commitment")],
            )
    # The journal the invoice will post must be valid against the chart today.
    await journals.validate(fin, await _invoice_journal(fin, invoice, invoice.invoice_date))


def _lines(lines: list[InvoiceLineIn]) -> list[InvoiceLine]:
    return [InvoiceLine(**line.values()) for line in lines]


# --- payment runs -------------------------------------------------------------------------------


async def list_payment_runs(fin: FinanceContext, *, page: PageRequest) -> RecordPage[PaymentRun]:
    return await fin.backend.payables.list_payment_runs(page)


async def get_payment_run(
    fin: FinanceContext, run_id: uuid.UUID, *, lock: bool = False
) -> PaymentRun:
    found = await fin.backend.payables.get_payment_run(run_id, lock=lock)
    if found is None:
        raise NotFound(f"no payment run {run_id}")
    return found


async def propose_payment_run(fin: FinanceContext, *, data: PaymentRunCreate) -> PaymentRun:
    """Select every posted, unpaid invoice due by the date and group it into one payment per
    supplier, with the supplier's bank details as they stand now. The run pays on the date
    asked for, or on the next working day when that is a bank holiday in England and Wales."""
    store = fin.backend.payables
    account = await store.get_bank_account(data.bank_account_id)
    if account is None or not account.active:
        raise ValidationFailed(
            "no active bank account to pay from",
            errors=[("bank_account_id", "unknown or inactive bank account")],
        )
    payment_date = bacs_payment_date(fin, data.payment_date)
    # What is due by the day the money arrives: after a bank holiday, that is the later day.
    due_by = data.due_by or payment_date
    invoices = await store.claim_due_invoices(due_by)
    if not invoices:
        raise InvalidState(f"no posted invoices are due by {due_by} and unpaid")
    suppliers = await store.suppliers_by_id(list({i.supplier_id for i in invoices}))
    by_supplier: dict[uuid.UUID, list[SupplierInvoice]] = defaultdict(list)
    for invoice in invoices:
        by_supplier[invoice.supplier_id].append(invoice)
    payments = []
    for supplier_id, owed in by_supplier.items():
        supplier = suppliers[supplier_id]
        reference = (
            owed[0].supplier_invoice_number if len(owed) == 1 else f"SOP {len(owed)} INVOICES"
        )
        payments.append(
            Payment(
                supplier_id=supplier_id,
                supplier_name=supplier.name,
                sort_code=supplier.bank_sort_code,
                account_number=supplier.bank_account_number,
                account_name=supplier.bank_account_name,
                amount=sum((i.total for i in owed), ZERO),
                reference=bacs.bacs_text(reference, 18).rstrip(),
                invoice_ids=[i.id for i in owed],
            )
        )
    run = await store.add_payment_run(
        PaymentRun(
            bank_account_id=account.id,
            payment_date=payment_date,
            due_by=due_by,
            payments=payments,
            created_by=fin.actor,
        )
    )
    for invoice in invoices:
        await store.update_invoice(replace(invoice, payment_run_id=run.id))
    await fin.audit.record("payment_run.proposed", "payment_run", run.id, after=run)
    return run


def bacs_payment_date(fin: FinanceContext, requested: date) -> date:
    """The working day a run (or a payment batch) pays on: `requested`, or the next working day
    when it is a bank holiday in England and Wales. Refused (422 on `payment_date`): a weekend;
    a date the bank holiday
    calendar does not cover (nor the processing day two working days before it), which would
    be a guess; and a date whose Bacs processing day has passed (before today in the UK),
    since Bacs would not take the file and the money could not arrive on the date promised."""
    if requested.weekday() >= 5:
        raise ValidationFailed(
            "BACS pays on working days", errors=[("payment_date", "falls on a weekend")]
        )
    try:
        payment_date = bacs.payment_day(requested, fin.calendar)
        processing = bacs.processing_day(payment_date, fin.calendar)
    except OutsideCalendar as exc:
        raise ValidationFailed(
            str(exc.detail),
            errors=[("payment_date", "outside the bank holiday calendar")],
        ) from None
    today = fin.clock.today()
    if processing < today:
        try:
            first = bacs.earliest_payment_day(today, fin.calendar)
            earliest = f"; the earliest payment date now is {first}"
        except OutsideCalendar:
            earliest = ""
        raise ValidationFailed(
            f"a Bacs payment on {payment_date} is processed on {processing}, which has "
            f"passed{earliest}",
            errors=[("payment_date", f"its Bacs processing day ({processing}) has passed")],
        )
    return payment_date


async def cancel_payment_run(fin: FinanceContext, run_id: uuid.UUID) -> PaymentRun:
    run = await get_payment_run(fin, run_id, lock=True)
    if run.status != "proposed":
        raise InvalidState(f"payment run {run.number} is {run.status}; only proposals cancel")
    store = fin.backend.payables
    for invoice in await store.invoices_of_run(run.id):
        await store.update_invoice(replace(invoice, payment_run_id=None))
    saved = await store.update_payment_run(replace(run, status="cancelled"))
    await fin.audit.record(
        "payment_run.cancelled", "payment_run", saved.id, before=run, after=saved
    )
    return saved


async def post_payment_run(fin: FinanceContext, run_id: uuid.UUID) -> PaymentRun:
    """Debit payables control, credit the bank's ledger account, mark the invoices paid and
    write the BACS Standard 18 file, all in one transaction."""
    run = await get_payment_run(fin, run_id, lock=True)
    if run.status != "proposed":
        raise InvalidState(f"payment run {run.number} is {run.status}, not proposed")
    processing = bacs.processing_day(run.payment_date, fin.calendar)
    if processing < fin.clock.today():  # proposed in time, posted too late for its date
        raise InvalidState(
            f"payment run {run.number} pays on {run.payment_date}, whose Bacs processing day "
            f"{processing} has passed: cancel it and propose a new run",
            processing_day=processing.isoformat(),
        )
    account = await get_bank_account(fin, run.bank_account_id)
    control = await control_account(fin, "payables_control")
    lines = [
        JournalLine(
            account_code=control.code,
            debit=p.amount,
            description=f"{p.supplier_name} {p.reference}"[:500],
        )
        for p in run.payments
    ]
    lines.append(
        JournalLine(
            account_code=account.ledger_account_code,
            credit=run.total,
            description=f"BACS {run.number}",
        )
    )
    journal = Journal(
        description=f"Payment run {run.number} from {account.name}",
        posting_date=run.payment_date,
        period_code=PeriodRef.of_date(run.payment_date).code,
        source=PAYABLES,
        source_reference=run.number,
        prepared_by=fin.actor,
        lines=lines,
    )
    await journals.validate(fin, journal, allow_inactive=True)
    journal = await journals.post_new(fin, journal)
    store = fin.backend.payables
    for invoice in await store.invoices_of_run(run.id):
        await store.update_invoice(replace(invoice, status="paid"))
    bacs_file = bacs.standard18(
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
                amount_pence=_pence(p.amount),
                reference=p.reference,
            )
            for p in run.payments
        ],
        payment_date=run.payment_date,
        created=fin.clock.today(),
        serial=run.number.rsplit("-", 1)[-1][-6:].rjust(6, "0"),
        calendar=fin.calendar,
    )
    saved = await store.update_payment_run(
        replace(
            run,
            status="posted",
            journal_id=journal.id,
            posted_by=fin.actor,
            posted_at=fin.clock.now(),
            bacs_file=bacs_file,
        )
    )
    await fin.audit.record(
        "payment_run.posted", "payment_run", saved.id, before=_brief(run), after=_brief(saved)
    )
    return saved


async def bacs_file(fin: FinanceContext, run_id: uuid.UUID) -> tuple[PaymentRun, str]:
    run = await get_payment_run(fin, run_id)
    if run.bacs_file is None:
        raise InvalidState(f"payment run {run.number} is {run.status}; post it to get its file")
    return run, run.bacs_file


def _pence(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_exact())


def _brief(run: PaymentRun) -> PaymentRun:
    """The run without its file, which the audit event need not repeat."""
    return replace(run, bacs_file=None)
