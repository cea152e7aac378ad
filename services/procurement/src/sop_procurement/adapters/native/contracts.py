"""The contracts register on procurement's own database."""

from __future__ import annotations

import uuid
from typing import Any

from sop_procurement.adapters.native.base import NativeStore
from sop_procurement.adapters.native.tables import ContractRow
from sop_procurement.contracts.ports import Contract, ContractFilter
from sop_procurement.ports import PageRequest, RecordPage
from sop_shared.rows import to_domain


class NativeContracts(NativeStore):
    async def next_number(self) -> str:
        return await self.take_number("contract", "CON")

    async def add(self, contract: Contract) -> Contract:
        return to_domain(await self.insert_row(ContractRow, contract), Contract)

    async def get(self, contract_id: uuid.UUID, *, lock: bool = False) -> Contract | None:
        row = await self.row(ContractRow, contract_id, lock=lock)
        return None if row is None else to_domain(row, Contract)

    async def update(self, contract: Contract) -> Contract:
        return to_domain(await self.update_row(ContractRow, contract), Contract)

    async def search(self, flt: ContractFilter, page: PageRequest) -> RecordPage[Contract]:
        t: Any = ContractRow
        stmt = self.select(ContractRow)
        if flt.status:
            stmt = stmt.where(t.status == flt.status)
        if flt.supplier_id:
            stmt = stmt.where(t.supplier_id == flt.supplier_id)
        if flt.procedure:
            stmt = stmt.where(t.procedure == flt.procedure)
        if flt.updated_since:
            stmt = stmt.where(t.updated_at >= flt.updated_since)
        return await self.page(stmt, ContractRow, page, Contract)
