"""Native payables: suppliers, paying bank accounts, supplier invoices and payment runs."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlmodel import col

from sop_finance.adapters.native.base import NativeStore
from sop_finance.adapters.native.tables import (
    BankAccountRow,
    PaymentRow,
    PaymentRunRow,
    SupplierInvoiceLineRow,
    SupplierInvoiceRow,
    SupplierRow,
)
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
from sop_finance.ports import PageRequest, RecordPage
from sop_shared.rows import row_values, to_domain


class NativePayables(NativeStore):
    # --- suppliers
    async def list_suppliers(self, flt: SupplierFilter, page: PageRequest) -> RecordPage[Supplier]:
        t = SupplierRow
        stmt = self.select(t)
        if flt.number is not None:
            stmt = stmt.where(col(t.number) == flt.number)
        if flt.active is not None:
            stmt = stmt.where(col(t.active) == flt.active)
        if flt.updated_since is not None:
            stmt = stmt.where(col(t.updated_at) >= flt.updated_since)
        return await self.page(stmt, t, page, Supplier)

    async def get_supplier(self, supplier_id: uuid.UUID) -> Supplier | None:
        row = await self.row(SupplierRow, supplier_id)
        return to_domain(row, Supplier) if row else None

    async def suppliers_by_id(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Supplier]:
        if not ids:
            return {}
        stmt = self.select(SupplierRow).where(col(SupplierRow.id).in_(ids))
        rows = (await self.session.execute(stmt)).scalars().all()
        return {r.id: to_domain(r, Supplier) for r in rows}

    async def add_supplier(self, supplier: Supplier) -> Supplier:
        number = await self.take_number("supplier", "SUP")
        return to_domain(await self.insert_row(SupplierRow, supplier, number=number), Supplier)

    async def update_supplier(self, supplier: Supplier) -> Supplier:
        return to_domain(await self.update_row(SupplierRow, supplier), Supplier)

    # --- bank accounts
    async def list_bank_accounts(self, page: PageRequest) -> RecordPage[BankAccount]:
        return await self.page(self.select(BankAccountRow), BankAccountRow, page, BankAccount)

    async def get_bank_account(self, bank_account_id: uuid.UUID) -> BankAccount | None:
        row = await self.row(BankAccountRow, bank_account_id)
        return to_domain(row, BankAccount) if row else None

    async def add_bank_account(self, account: BankAccount) -> BankAccount:
        return to_domain(await self.insert_row(BankAccountRow, account), BankAccount)

    async def update_bank_account(self, account: BankAccount) -> BankAccount:
        return to_domain(await self.update_row(BankAccountRow, account), BankAccount)

    # --- supplier invoices
    async def list_invoices(
        self, flt: InvoiceFilter, page: PageRequest
    ) -> RecordPage[SupplierInvoice]:
        t = SupplierInvoiceRow
        stmt = self.select(t)
        if flt.status is not None:
            stmt = stmt.where(col(t.status) == flt.status)
        if flt.supplier_id is not None:
            stmt = stmt.where(col(t.supplier_id) == flt.supplier_id)
        if flt.due_by is not None:
            stmt = stmt.where(col(t.due_date) <= flt.due_by)
        if flt.payment_run_id is not None:
            stmt = stmt.where(col(t.payment_run_id) == flt.payment_run_id)
        if flt.source_reference is not None:
            stmt = stmt.where(col(t.source_reference) == flt.source_reference)
        if flt.number is not None:
            stmt = stmt.where(col(t.number) == flt.number)
        if flt.updated_since is not None:
            stmt = stmt.where(col(t.updated_at) >= flt.updated_since)
        rows, cursor = await self.page_rows(stmt, t, page)
        return RecordPage(await self._invoices(rows), cursor)

    async def get_invoice(
        self, invoice_id: uuid.UUID, *, lock: bool = False
    ) -> SupplierInvoice | None:
        row = await self.row(SupplierInvoiceRow, invoice_id, lock=lock)
        return await self._invoice(row) if row else None

    async def find_invoice(
        self, supplier_id: uuid.UUID, supplier_invoice_number: str
    ) -> SupplierInvoice | None:
        stmt = self.select(SupplierInvoiceRow).where(
            col(SupplierInvoiceRow.supplier_id) == supplier_id,
            col(SupplierInvoiceRow.supplier_invoice_number) == supplier_invoice_number,
        )
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return await self._invoice(row) if row else None

    async def add_invoice(self, invoice: SupplierInvoice) -> SupplierInvoice:
        number = await self.take_number("invoice", "INV")
        row = await self.insert_row(SupplierInvoiceRow, invoice, number=number, total=invoice.total)
        await self._insert_lines(invoice)
        return await self._invoice(row)

    async def update_invoice(
        self, invoice: SupplierInvoice, *, replace_lines: bool = False
    ) -> SupplierInvoice:
        if replace_lines:
            await self.session.execute(
                delete(SupplierInvoiceLineRow).where(
                    col(SupplierInvoiceLineRow.tenant) == self.tenant,
                    col(SupplierInvoiceLineRow.invoice_id) == invoice.id,
                )
            )
            await self._insert_lines(invoice)
        row = await self.update_row(SupplierInvoiceRow, invoice, total=invoice.total)
        return await self._invoice(row)

    async def claim_due_invoices(self, due_by: date) -> list[SupplierInvoice]:
        t = SupplierInvoiceRow
        stmt = (
            self.select(t)
            .where(
                col(t.status) == "posted",
                col(t.payment_run_id).is_(None),
                col(t.due_date) <= due_by,
            )
            .order_by(col(t.id))
            .with_for_update(skip_locked=True)
        )
        return await self._invoices((await self.session.execute(stmt)).scalars().all())

    async def invoices_of_run(self, run_id: uuid.UUID) -> list[SupplierInvoice]:
        t = SupplierInvoiceRow
        stmt = self.select(t).where(col(t.payment_run_id) == run_id).order_by(col(t.id))
        return await self._invoices((await self.session.execute(stmt)).scalars().all())

    # --- payment runs
    async def list_payment_runs(self, page: PageRequest) -> RecordPage[PaymentRun]:
        rows, cursor = await self.page_rows(self.select(PaymentRunRow), PaymentRunRow, page)
        return RecordPage(await self._runs(rows), cursor)

    async def get_payment_run(self, run_id: uuid.UUID, *, lock: bool = False) -> PaymentRun | None:
        row = await self.row(PaymentRunRow, run_id, lock=lock)
        return await self._run(row) if row else None

    async def add_payment_run(self, run: PaymentRun) -> PaymentRun:
        number = await self.take_number("payment_run", "PAY")
        row = await self.insert_row(
            PaymentRunRow, run, number=number, total=run.total, payment_count=len(run.payments)
        )
        for payment in run.payments:
            values = row_values(payment, PaymentRow, skip=frozenset({"invoice_ids"}))
            self.session.add(
                PaymentRow(
                    tenant=self.tenant,
                    payment_run_id=run.id,
                    invoice_ids=[str(i) for i in payment.invoice_ids],
                    **values,
                )
            )
        await self.session.flush()
        return await self._run(row)

    async def update_payment_run(self, run: PaymentRun) -> PaymentRun:
        row = await self.update_row(PaymentRunRow, run)
        return await self._run(row)

    # --- mapping

    async def _insert_lines(self, invoice: SupplierInvoice) -> None:
        for number, line in enumerate(invoice.lines, start=1):
            line.line_number = number
            self.session.add(
                SupplierInvoiceLineRow(
                    tenant=self.tenant,
                    invoice_id=invoice.id,
                    **row_values(line, SupplierInvoiceLineRow),
                )
            )
        await self.session.flush()

    async def _invoice(self, row: SupplierInvoiceRow) -> SupplierInvoice:
        return (await self._invoices([row]))[0]

    async def _invoices(self, rows: Sequence[SupplierInvoiceRow]) -> list[SupplierInvoice]:
        """Invoices with their lines, read in one query for the whole page."""
        if not rows:
            return []
        t = SupplierInvoiceLineRow
        stmt = (
            select(t)
            .where(col(t.tenant) == self.tenant, col(t.invoice_id).in_([r.id for r in rows]))
            .order_by(col(t.invoice_id), col(t.line_number))
        )
        lines: dict[uuid.UUID, list[InvoiceLine]] = defaultdict(list)
        for line in (await self.session.execute(stmt)).scalars():
            lines[line.invoice_id].append(to_domain(line, InvoiceLine))
        return [to_domain(r, SupplierInvoice, lines=lines[r.id]) for r in rows]

    async def _run(self, row: PaymentRunRow) -> PaymentRun:
        return (await self._runs([row]))[0]

    async def _runs(self, rows: Sequence[PaymentRunRow]) -> list[PaymentRun]:
        if not rows:
            return []
        stmt = (
            select(PaymentRow)
            .where(
                col(PaymentRow.tenant) == self.tenant,
                col(PaymentRow.payment_run_id).in_([r.id for r in rows]),
            )
            .order_by(col(PaymentRow.payment_run_id), col(PaymentRow.id))
        )
        payments: dict[uuid.UUID, list[Payment]] = defaultdict(list)
        for p in (await self.session.execute(stmt)).scalars():
            payments[p.payment_run_id].append(
                to_domain(p, Payment, invoice_ids=[uuid.UUID(i) for i in p.invoice_ids])
            )
        return [to_domain(r, PaymentRun, payments=payments[r.id]) for r in rows]
