"""Records the unit tests start from, made through finance's own services."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from finance_fakes import as_, context, provisioned

from sop_finance.accounts import service as accounts
from sop_finance.accounts.schemas import CostCentreCreate
from sop_finance.budgets import service as budgets
from sop_finance.budgets.ports import Budget, Commitment
from sop_finance.budgets.schemas import BudgetCreate, CommitmentCreate
from sop_finance.context import FinanceContext
from sop_finance.journals import service as journals
from sop_finance.journals.ports import Journal
from sop_finance.journals.schemas import JournalCreate, JournalLineIn
from sop_finance.payables import service as payables
from sop_finance.payables.ports import BankAccount, PaymentRun, Supplier, SupplierInvoice
from sop_finance.payables.schemas import (
    BankAccountCreate,
    InvoiceCreate,
    InvoiceLineIn,
    PaymentRunCreate,
    SupplierCreate,
)
from sop_finance.periods import service as periods
from sop_finance.reports.schemas import TrialBalance

# Accounts of the default chart the tests use.
SALARIES, IT, SUPPLIES = "21100000", "22200000", "22500000"
FEES, GRANT_INCOME = "11200000", "12100000"
BANK, VAT, PAYABLES, NET_PAY, GENERAL_FUND = (
    "43100000",
    "42300000",
    "51100000",
    "52100000",
    "71100000",
)
EXPENDITURE_HEADER, STAFF_HEADER = "20000000", "21000000"
FY = 2026  # the tests post into 2026-27 and 2027-28
APPROVER = "controller"

_numbers = itertools.count(1)


async def books(**kw: Any) -> FinanceContext:
    """A provisioned tenant (the default chart, this year and next) with 2026-27 and 2027-28
    open and cost centres CC01 and CC02, as the HTTP tier's `ledger()` sets one up."""
    fin = await provisioned(context(**kw))
    for year in (FY, FY + 1):
        await periods.ensure_year(fin, year)
    for code in ("CC01", "CC02"):
        await accounts.create_cost_centre(
            fin, data=CostCentreCreate(code=code, name=f"Cost centre {code}")
        )
    return fin


def approver(fin: FinanceContext) -> FinanceContext:
    """A second person holding every finance scope."""
    return as_(fin, APPROVER)


# --- journals -----------------------------------------------------------------------------------


def dr(account: str, amount: str, cc: str | None = None, **kw: Any) -> JournalLineIn:
    return JournalLineIn(account_code=account, debit=Decimal(amount), cost_centre_code=cc, **kw)


def cr(account: str, amount: str, cc: str | None = None, **kw: Any) -> JournalLineIn:
    return JournalLineIn(account_code=account, credit=Decimal(amount), cost_centre_code=cc, **kw)


def journal_body(
    *lines: JournalLineIn,
    posting_date: date = date(2026, 8, 15),
    post: bool = False,
    description: str = "test",
    **extra: Any,
) -> JournalCreate:
    return JournalCreate(
        description=description,
        posting_date=posting_date,
        lines=list(lines),
        post=post,
        **extra,
    )


async def draft(fin: FinanceContext, *lines: JournalLineIn, **kw: Any) -> Journal:
    return await journals.create_journal(fin, data=journal_body(*lines, **kw))


async def posted(fin: FinanceContext, *lines: JournalLineIn, **kw: Any) -> Journal:
    """A journal created and posted in one step (as payroll posts)."""
    return await journals.create_journal(fin, data=journal_body(*lines, post=True, **kw))


async def fresh(fin: FinanceContext, journal: Journal) -> Journal:
    """The journal as the backend holds it now."""
    return await journals.get_journal(fin, journal.id)


def tb_lines(tb: TrialBalance) -> dict[str, tuple[Decimal, Decimal]]:
    return {ln.account_code: (ln.debit, ln.credit) for ln in tb.lines}


# --- budgets ------------------------------------------------------------------------------------


async def budget(
    fin: FinanceContext, period: str, amount: str, *, cc: str = "CC01", account: str = IT
) -> Budget:
    return await budgets.create_budget(
        fin,
        data=BudgetCreate(
            cost_centre_code=cc, account_code=account, period=period, amount=Decimal(amount)
        ),
    )


async def commitment(
    fin: FinanceContext,
    amount: str = "300.00",
    *,
    on: date = date(2026, 5, 10),
    cc: str = "CC01",
    account: str = IT,
    source: str = "procurement",
    reference: str | None = None,
) -> Commitment:
    return await budgets.create_commitment(
        fin,
        data=CommitmentCreate(
            cost_centre_code=cc,
            account_code=account,
            commitment_date=on,
            amount=Decimal(amount),
            source=source,
            source_reference=reference or f"PO-{next(_numbers)}",
        ),
    )


# --- payables -----------------------------------------------------------------------------------


async def supplier(
    fin: FinanceContext,
    name: str = "Acme Supplies Ltd",
    sort_code: str = "200000",
    account_number: str = "87654321",
    bank_name: str | None = None,
) -> Supplier:
    return await payables.create_supplier(
        fin,
        data=SupplierCreate(
            name=name,
            bank_sort_code=sort_code,
            bank_account_number=account_number,
            bank_account_name=bank_name or name[:18],
        ),
    )


async def bank_account(fin: FinanceContext, ledger_account_code: str = BANK) -> BankAccount:
    return await payables.create_bank_account(
        fin,
        data=BankAccountCreate(
            name="GBS main",
            sort_code="60-70-80",
            account_number="10002000",
            account_name="Dept of Examples",
            service_user_number="123456",
            ledger_account_code=ledger_account_code,
        ),
    )


def line(
    account: str = IT, net: str = "10.00", cc: str | None = "CC01", vat: str = "0.00", **kw: Any
) -> InvoiceLineIn:
    return InvoiceLineIn(
        account_code=account,
        net_amount=Decimal(net),
        vat_amount=Decimal(vat),
        cost_centre_code=cc,
        **kw,
    )


def invoice_body(
    who: Supplier,
    number: str | None = None,
    *lines: InvoiceLineIn,
    invoice_date: date = date(2026, 8, 20),
    due: date = date(2026, 9, 10),
    **extra: Any,
) -> InvoiceCreate:
    return InvoiceCreate(
        supplier_id=who.id,
        supplier_invoice_number=number or f"INV{next(_numbers)}",
        invoice_date=invoice_date,
        due_date=due,
        lines=list(lines) or [line()],
        **extra,
    )


async def invoice(
    fin: FinanceContext, who: Supplier, number: str | None = None, *lines: InvoiceLineIn, **kw: Any
) -> SupplierInvoice:
    return await payables.create_invoice(fin, data=invoice_body(who, number, *lines, **kw))


async def approve_and_post(fin: FinanceContext, inv: SupplierInvoice) -> SupplierInvoice:
    await payables.approve_invoice(approver(fin), inv.id)
    return await payables.post_invoice(fin, inv.id, posting_date=None)


async def payable(
    fin: FinanceContext, who: Supplier, number: str | None = None, *lines: InvoiceLineIn, **kw: Any
) -> SupplierInvoice:
    """A supplier invoice entered, approved by a second person and posted: due for payment."""
    return await approve_and_post(fin, await invoice(fin, who, number, *lines, **kw))


async def propose(
    fin: FinanceContext, bank: BankAccount, payment_date: date, due_by: date | None = None
) -> PaymentRun:
    return await payables.propose_payment_run(
        fin,
        data=PaymentRunCreate(bank_account_id=bank.id, payment_date=payment_date, due_by=due_by),
    )
