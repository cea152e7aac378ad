"""Request and response bodies for payment batches and their payments."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints

from sop_finance.http import (
    BacsName,
    BankAccountNumber,
    BusinessDate,
    Code,
    In,
    Name,
    Out,
    PositiveAmount,
    Reference,
    SortCode,
    Source,
    Text,
)
from sop_finance.payables import bacs
from sop_finance.payment_batches.ports import BatchStatus
from sop_shared.money import Money

PAGE_SIZE = 5_000  # payments in one request: a 100,000-person payroll arrives in 20 pages
MAX_PAYMENTS = 1_000_000  # in one batch
# What a BACS record carries (11 digits of pence): each credit, and the contra that debits the
# paying account with the file's total.
MAX_PAYMENT = MAX_BATCH_TOTAL = Decimal(bacs.MAX_ITEM_PENCE).scaleb(-2)


def _as_bacs_carries(value: object) -> object:
    """A payee's account name as the file will carry it: accents dropped (Seán is SEAN), upper
    case, other characters outside the BACS set (the apostrophe in O'Brien) as spaces, at most
    18 characters."""
    if not isinstance(value, str):
        return value
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join(bacs.bacs_text(ascii_only, len(ascii_only)).split())[:18].rstrip()


PayeeAccountName = Annotated[
    str,
    BeforeValidator(_as_bacs_carries),
    StringConstraints(min_length=1, max_length=18),
]

PayeeReference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)
]


class PaymentBatchCreate(In):
    bank_account_id: uuid.UUID = Field(description="The department's account that pays.")
    payment_date: BusinessDate = Field(
        description="When the money reaches the payees: a weekday (a bank holiday in England "
        "and Wales moves to the next working day) whose Bacs processing day, two working days "
        "before, is today or later."
    )
    source: Source = Field(
        description="The system sending the batch: a lower-case word (`payroll`); not "
        "`manual`, nor a source finance reserves for itself."
    )
    source_reference: Reference = Field(
        description="The source document (`PAYRUN-2026-M05`): one live batch per source and "
        "reference in the tenant."
    )
    description: Text | None = None
    control_account_code: Code = Field(
        description="The balance-sheet account the payments clear (52100000 net pay): the "
        "submitted batch debits it and credits the bank account's ledger account."
    )
    expected_count: int = Field(ge=1, le=MAX_PAYMENTS, description="Payments the batch will hold.")
    expected_total: PositiveAmount = Field(
        le=MAX_BATCH_TOTAL, description="Their sum: submit refuses a batch that differs."
    )


class PaymentIn(In):
    payee_reference: PayeeReference = Field(
        description="The source's key for the payee (an employee number): once per batch."
    )
    name: Name = Field(description="The payee's name as the source knows it.")
    sort_code: SortCode
    account_number: BankAccountNumber
    account_name: PayeeAccountName = Field(
        description="The account holder's name; kept as the BACS file carries it (accents "
        "dropped, upper case, other characters outside A-Z 0-9 . & / - as spaces, the first "
        "18 characters)."
    )
    amount: PositiveAmount = Field(le=MAX_PAYMENT)
    reference: BacsName = Field(description="What the payee's statement shows (18 characters).")


class PaymentsPage(In):
    payments: list[PaymentIn] = Field(min_length=1, max_length=PAGE_SIZE)


class PaymentBatchWithdraw(In):
    reason: Text | None = Field(
        None, description="Why the batch is withdrawn (the pay run reversed before payment)."
    )


class PaymentsAdded(Out):
    """What a page added, and where the batch stands."""

    batch_id: uuid.UUID
    added: int
    payment_count: int
    total: Money
    expected_count: int
    expected_total: Money
    version: int


class PaymentBatchOut(Out):
    id: uuid.UUID
    number: str
    status: BatchStatus
    bank_account_id: uuid.UUID
    payment_date: date
    processing_day: date
    source: str
    source_reference: str
    description: str | None
    control_account_code: str
    expected_count: int
    expected_total: Money
    payment_count: int
    total: Money
    created_by: str
    journal_id: uuid.UUID | None
    submitted_by: str | None
    submitted_at: datetime | None
    bacs_file_name: str | None
    bacs_file_url: str | None = Field(
        None, description="Where a submitted batch's file is read; absent once withdrawn."
    )
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class BatchPaymentOut(Out):
    id: uuid.UUID
    line_number: int
    payee_reference: str
    name: str
    sort_code: str = Field(description="Masked (`****56`) unless the caller holds approve.")
    account_number: str = Field(
        description="Masked to its last four digits (`****5678`) unless the caller holds "
        "finance:approve."
    )
    account_name: str
    amount: Money
    reference: str
    masked: bool
