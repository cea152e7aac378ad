"""Suppliers, paying bank accounts, supplier invoices and payment runs as every adapter
speaks them, and the payables port."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

from sop_finance.ports import PageRequest, Record, RecordPage

ZERO = Decimal("0.00")

# received -> approved -> posted -> paid; cancelled before posting; reversed after posting
# (its journal mirrored) instead of being paid.
InvoiceStatus = Literal["received", "approved", "posted", "paid", "cancelled", "reversed"]
INVOICE_STATUSES: tuple[InvoiceStatus, ...] = (
    "received",
    "approved",
    "posted",
    "paid",
    "cancelled",
    "reversed",
)
PaymentRunStatus = Literal["proposed", "posted", "cancelled"]


@dataclass(kw_only=True)
class Supplier(Record):
    name: str
    bank_sort_code: str
    bank_account_number: str
    bank_account_name: str
    number: str = ""  # the store assigns it
    active: bool = True


@dataclass(kw_only=True)
class BankAccount(Record):
    """An account the department pays from: its BACS identity and its ledger account."""

    name: str
    sort_code: str
    account_number: str
    account_name: str
    service_user_number: str
    ledger_account_code: str
    active: bool = True


@dataclass(kw_only=True)
class InvoiceLine:
    account_code: str
    net_amount: Decimal
    vat_amount: Decimal = ZERO
    cost_centre_code: str | None = None
    programme: str | None = None
    project: str | None = None
    description: str | None = None
    commitment_id: uuid.UUID | None = None
    line_number: int = 0

    @property
    def gross(self) -> Decimal:
        return self.net_amount + self.vat_amount


@dataclass(kw_only=True)
class SupplierInvoice(Record):
    supplier_id: uuid.UUID
    supplier_invoice_number: str
    invoice_date: date
    due_date: date
    lines: list[InvoiceLine]
    entered_by: str
    number: str = ""  # the store assigns it
    description: str | None = None
    status: InvoiceStatus = "received"
    source: str = "manual"
    source_reference: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    journal_id: uuid.UUID | None = None
    payment_run_id: uuid.UUID | None = None

    @property
    def total(self) -> Decimal:
        return sum((ln.gross for ln in self.lines), ZERO)


@dataclass(kw_only=True)
class Payment:
    """One BACS credit: everything a run pays one supplier, with the bank details it used."""

    supplier_id: uuid.UUID
    supplier_name: str
    sort_code: str
    account_number: str
    account_name: str
    amount: Decimal
    reference: str
    invoice_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(kw_only=True)
class PaymentRun(Record):
    bank_account_id: uuid.UUID
    payment_date: date
    due_by: date
    payments: list[Payment]
    created_by: str
    number: str = ""  # the store assigns it
    status: PaymentRunStatus = "proposed"
    journal_id: uuid.UUID | None = None
    posted_by: str | None = None
    posted_at: datetime | None = None
    bacs_file: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)


@dataclass(kw_only=True)
class InvoiceFilter:
    status: InvoiceStatus | None = None
    supplier_id: uuid.UUID | None = None
    due_by: date | None = None
    payment_run_id: uuid.UUID | None = None
    source_reference: str | None = None
    number: str | None = None  # finance's own number ("INV-000042")
    updated_since: datetime | None = None


@dataclass(kw_only=True)
class SupplierFilter:
    number: str | None = None
    active: bool | None = None
    updated_since: datetime | None = None


class PayablesPort(Protocol):
    async def list_suppliers(
        self, flt: SupplierFilter, page: PageRequest
    ) -> RecordPage[Supplier]: ...

    async def get_supplier(self, supplier_id: uuid.UUID) -> Supplier | None: ...

    async def suppliers_by_id(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Supplier]: ...

    async def add_supplier(self, supplier: Supplier) -> Supplier: ...

    async def update_supplier(self, supplier: Supplier) -> Supplier: ...

    async def list_bank_accounts(self, page: PageRequest) -> RecordPage[BankAccount]: ...

    async def get_bank_account(self, bank_account_id: uuid.UUID) -> BankAccount | None: ...

    async def add_bank_account(self, account: BankAccount) -> BankAccount: ...

    async def update_bank_account(self, account: BankAccount) -> BankAccount: ...

    async def list_invoices(
        self, flt: InvoiceFilter, page: PageRequest
    ) -> RecordPage[SupplierInvoice]: ...

    async def get_invoice(
        self, invoice_id: uuid.UUID, *, lock: bool = False
    ) -> SupplierInvoice | None: ...

    async def find_invoice(
        self, supplier_id: uuid.UUID, supplier_invoice_number: str
    ) -> SupplierInvoice | None: ...

    async def add_invoice(self, invoice: SupplierInvoice) -> SupplierInvoice: ...

    async def update_invoice(
        self, invoice: SupplierInvoice, *, replace_lines: bool = False
    ) -> SupplierInvoice:
        """Store a status change; with `replace_lines`, new lines too."""
        ...

    async def claim_due_invoices(self, due_by: date) -> list[SupplierInvoice]:
        """Posted invoices due by `due_by` and in no payment run, locked so that two runs
        proposed at once cannot both take the same invoice."""
        ...

    async def invoices_of_run(self, run_id: uuid.UUID) -> list[SupplierInvoice]: ...

    async def list_payment_runs(self, page: PageRequest) -> RecordPage[PaymentRun]: ...

    async def get_payment_run(
        self, run_id: uuid.UUID, *, lock: bool = False
    ) -> PaymentRun | None: ...

    async def add_payment_run(self, run: PaymentRun) -> PaymentRun: ...

    async def update_payment_run(self, run: PaymentRun) -> PaymentRun: ...
