"""Request and response bodies for suppliers, bank accounts, invoices and payment runs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from sop_finance.http import (
    Amount,
    BacsName,
    BankAccountNumber,
    BusinessDate,
    Code,
    In,
    Name,
    Out,
    PositiveAmount,
    Reference,
    ServiceUserNumber,
    SortCode,
    Source,
    Text,
)
from sop_finance.payables.ports import ZERO, InvoiceStatus, PaymentRunStatus
from sop_shared.money import Money


class SupplierCreate(In):
    name: Name
    bank_sort_code: SortCode
    bank_account_number: BankAccountNumber
    bank_account_name: BacsName
    active: bool = True


class SupplierUpdate(In):
    name: Name | None = None
    bank_sort_code: SortCode | None = None
    bank_account_number: BankAccountNumber | None = None
    bank_account_name: BacsName | None = None
    active: bool | None = None


class SupplierOut(Out):
    id: uuid.UUID
    number: str
    name: str
    bank_sort_code: str
    bank_account_number: str
    bank_account_name: str
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class BankAccountCreate(In):
    name: Name
    sort_code: SortCode
    account_number: BankAccountNumber
    account_name: BacsName = Field(description="The service user's name in BACS records.")
    service_user_number: ServiceUserNumber = Field(description="Bacs SUN: six digits.")
    ledger_account_code: Code = Field(description="The asset account the payments credit.")
    active: bool = True


class BankAccountUpdate(In):
    name: Name | None = None
    account_name: BacsName | None = None
    active: bool | None = None


class BankAccountOut(Out):
    id: uuid.UUID
    name: str
    sort_code: str
    account_number: str
    account_name: str
    service_user_number: str
    ledger_account_code: str
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class InvoiceLineIn(In):
    account_code: Code
    net_amount: PositiveAmount
    vat_amount: Amount = ZERO
    cost_centre_code: Code | None = None
    programme: Code | None = None
    project: Code | None = None
    description: Text | None = None
    commitment_id: uuid.UUID | None = Field(
        None, description="The commitment (order line) this releases when the invoice posts."
    )


class InvoiceCreate(In):
    supplier_id: uuid.UUID
    supplier_invoice_number: Reference = Field(max_length=50)
    invoice_date: BusinessDate
    due_date: BusinessDate
    description: Text | None = None
    source: Source = "manual"
    source_reference: Reference | None = Field(None, description="e.g. the purchase order.")
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=1000)


class InvoiceUpdate(In):
    supplier_invoice_number: Reference | None = Field(None, max_length=50)
    invoice_date: BusinessDate | None = None
    due_date: BusinessDate | None = None
    description: Text | None = None
    lines: list[InvoiceLineIn] | None = Field(None, min_length=1, max_length=1000)


class InvoicePost(In):
    posting_date: BusinessDate | None = Field(None, description="Default: the invoice date.")


class InvoiceReversal(In):
    posting_date: BusinessDate | None = Field(
        None,
        description="Where the reversal posts. Default: the invoice's posting date (its period "
        "must be open).",
    )


class InvoiceLineOut(Out):
    line_number: int
    account_code: str
    cost_centre_code: str | None
    programme: str | None
    project: str | None
    description: str | None
    net_amount: Money
    vat_amount: Money
    commitment_id: uuid.UUID | None


class InvoiceOut(Out):
    id: uuid.UUID
    number: str
    supplier_id: uuid.UUID
    supplier_invoice_number: str
    invoice_date: date
    due_date: date
    description: str | None
    status: InvoiceStatus
    source: str
    source_reference: str | None
    total: Money
    entered_by: str
    approved_by: str | None
    approved_at: datetime | None
    journal_id: uuid.UUID | None
    payment_run_id: uuid.UUID | None
    lines: list[InvoiceLineOut]
    version: int
    created_at: datetime
    updated_at: datetime


class PaymentRunCreate(In):
    bank_account_id: uuid.UUID
    payment_date: BusinessDate = Field(
        description="When the money reaches suppliers: a weekday (a bank holiday in England "
        "and Wales moves to the next working day) whose Bacs processing day, two working days "
        "before, is today or later."
    )
    due_by: BusinessDate | None = Field(
        None,
        description="Pay posted invoices due on or before this date (default: the day the run "
        "pays, after a bank holiday has moved it).",
    )


class PaymentOut(Out):
    supplier_id: uuid.UUID
    supplier_name: str
    sort_code: str
    account_number: str
    account_name: str
    amount: Money
    reference: str
    invoice_ids: list[uuid.UUID]


class PaymentRunOut(Out):
    id: uuid.UUID
    number: str
    bank_account_id: uuid.UUID
    payment_date: date
    due_by: date
    status: PaymentRunStatus
    total: Money
    payments: list[PaymentOut]
    created_by: str
    journal_id: uuid.UUID | None
    posted_by: str | None
    posted_at: datetime | None
    bacs_file_url: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime
