"""Purchase orders and their lines on procurement's own database."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, select

from sop_procurement.adapters.native.base import NativeStore
from sop_procurement.adapters.native.tables import OrderLineRow, OrderRow
from sop_procurement.orders.ports import OrderFilter, OrderLine, PurchaseOrder
from sop_procurement.ports import PageRequest, RecordPage
from sop_shared.rows import row_values, to_domain

HEADER_ONLY = frozenset({"lines"})


class NativeOrders(NativeStore):
    async def next_number(self) -> str:
        return await self.take_number("purchase_order", "PO")

    async def _lines(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[OrderLine]]:
        t: Any = OrderLineRow
        stmt = (
            select(OrderLineRow)
            .where(t.tenant == self.tenant, t.order_id.in_(ids))
            .order_by(t.line_number)
        )
        found: dict[uuid.UUID, list[OrderLine]] = defaultdict(list)
        for row in (await self.session.execute(stmt)).scalars():
            found[row.order_id].append(to_domain(row, OrderLine))
        return found

    async def _write_lines(self, order: PurchaseOrder) -> None:
        t: Any = OrderLineRow
        await self.session.execute(
            delete(OrderLineRow).where(t.tenant == self.tenant, t.order_id == order.id)
        )
        for line in order.lines:
            values = {
                "id": line.id,
                "tenant": self.tenant,
                "order_id": order.id,
                **row_values(line, OrderLineRow),
            }
            self.session.add(OrderLineRow(**values))
        await self.session.flush()

    async def _record(self, row: OrderRow) -> PurchaseOrder:
        return to_domain(row, PurchaseOrder, lines=(await self._lines([row.id]))[row.id])

    async def add(self, order: PurchaseOrder) -> PurchaseOrder:
        row = await self.insert_row(OrderRow, order, skip=HEADER_ONLY)
        await self._write_lines(order)
        return await self._record(row)

    async def get(self, order_id: uuid.UUID, *, lock: bool = False) -> PurchaseOrder | None:
        row = await self.row(OrderRow, order_id, lock=lock)
        return None if row is None else await self._record(row)

    async def update(self, order: PurchaseOrder) -> PurchaseOrder:
        row = await self.update_row(OrderRow, order, skip=HEADER_ONLY)
        await self._write_lines(order)
        return await self._record(row)

    async def search(self, flt: OrderFilter, page: PageRequest) -> RecordPage[PurchaseOrder]:
        t: Any = OrderRow
        stmt = self.select(OrderRow)
        if flt.status:
            stmt = stmt.where(t.status == flt.status)
        if flt.supplier_id:
            stmt = stmt.where(t.supplier_id == flt.supplier_id)
        if flt.requisition_id:
            stmt = stmt.where(t.requisition_id == flt.requisition_id)
        if flt.updated_since:
            stmt = stmt.where(t.updated_at >= flt.updated_since)
        if flt.issued_from:
            stmt = stmt.where(t.issued_at >= flt.issued_from)
        if flt.issued_before:
            stmt = stmt.where(t.issued_at < flt.issued_before)
        rows, cursor = await self.page_rows(stmt, OrderRow, page)
        lines = await self._lines([r.id for r in rows])
        return RecordPage([to_domain(r, PurchaseOrder, lines=lines[r.id]) for r in rows], cursor)
