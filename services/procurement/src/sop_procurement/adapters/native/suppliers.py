"""Suppliers and their bank detail changes on procurement's own database."""

from __future__ import annotations

import uuid
from typing import Any

from sop_procurement.adapters.native.base import NativeStore
from sop_procurement.adapters.native.tables import BankChangeRow, SupplierRow
from sop_procurement.ports import PageRequest, RecordPage
from sop_procurement.suppliers.ports import BankChange, Supplier, SupplierFilter
from sop_shared.rows import to_domain


class NativeSuppliers(NativeStore):
    async def add(self, supplier: Supplier) -> Supplier:
        return to_domain(await self.insert_row(SupplierRow, supplier), Supplier)

    async def get(self, supplier_id: uuid.UUID, *, lock: bool = False) -> Supplier | None:
        row = await self.row(SupplierRow, supplier_id, lock=lock)
        return None if row is None else to_domain(row, Supplier)

    async def update(self, supplier: Supplier) -> Supplier:
        return to_domain(await self.update_row(SupplierRow, supplier), Supplier)

    async def search(self, flt: SupplierFilter, page: PageRequest) -> RecordPage[Supplier]:
        t: Any = SupplierRow
        stmt = self.select(SupplierRow)
        if flt.status:
            stmt = stmt.where(t.status == flt.status)
        if flt.company_number:
            stmt = stmt.where(t.company_number == flt.company_number)
        if flt.vat_number:
            stmt = stmt.where(t.vat_number == flt.vat_number)
        if flt.updated_since:
            stmt = stmt.where(t.updated_at >= flt.updated_since)
        return await self.page(stmt, SupplierRow, page, Supplier)

    async def find(
        self, *, company_number: str | None = None, vat_number: str | None = None
    ) -> Supplier | None:
        t: Any = SupplierRow
        stmt = self.select(SupplierRow)
        if company_number is not None:
            stmt = stmt.where(t.company_number == company_number)
        elif vat_number is not None:
            stmt = stmt.where(t.vat_number == vat_number)
        else:
            return None
        row = (await self.session.execute(stmt.limit(1))).scalar_one_or_none()
        return None if row is None else to_domain(row, Supplier)

    async def add_bank_change(self, change: BankChange) -> BankChange:
        return to_domain(await self.insert_row(BankChangeRow, change), BankChange)

    async def get_bank_change(self, change_id: uuid.UUID) -> BankChange | None:
        row = await self.row(BankChangeRow, change_id)
        return None if row is None else to_domain(row, BankChange)

    async def update_bank_change(self, change: BankChange) -> BankChange:
        return to_domain(await self.update_row(BankChangeRow, change), BankChange)

    async def bank_changes(self, supplier_id: uuid.UUID) -> list[BankChange]:
        t: Any = BankChangeRow
        stmt = self.select(BankChangeRow).where(t.supplier_id == supplier_id).order_by(t.id)
        rows = (await self.session.execute(stmt)).scalars().all()
        return [to_domain(r, BankChange) for r in rows]
