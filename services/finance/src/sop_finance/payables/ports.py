"""What the service needs from a system of record for payables."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Protocol

from sop_finance.canonical import Slice
from sop_finance.payables.models import (
    BankAccount,
    InvoiceFilter,
    PaymentRun,
    Supplier,
    SupplierFilter,
    SupplierInvoice,
)
from sop_shared.pagination import PageParams


class PayablesPort(Protocol):
    async def list_suppliers(self, flt: SupplierFilter, page: PageParams) -> Slice[Supplier]: ...

    async def get_supplier(self, supplier_id: uuid.UUID) -> Supplier | None: ...

    async def suppliers_by_id(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Supplier]: ...

    async def add_supplier(self, supplier: Supplier) -> Supplier: ...

    async def update_supplier(self, supplier: Supplier) -> Supplier: ...

    async def list_bank_accounts(self, page: PageParams) -> Slice[BankAccount]: ...

    async def get_bank_account(self, bank_account_id: uuid.UUID) -> BankAccount | None: ...

    async def add_bank_account(self, account: BankAccount) -> BankAccount: ...

    async def update_bank_account(self, account: BankAccount) -> BankAccount: ...

    async def list_invoices(
        self, flt: InvoiceFilter, page: PageParams
    ) -> Slice[SupplierInvoice]: ...

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

    async def list_payment_runs(self, page: PageParams) -> Slice[PaymentRun]: ...

    async def get_payment_run(
        self, run_id: uuid.UUID, *, lock: bool = False
    ) -> PaymentRun | None: ...

    async def add_payment_run(self, run: PaymentRun) -> PaymentRun: ...

    async def update_payment_run(self, run: PaymentRun) -> PaymentRun: ...
