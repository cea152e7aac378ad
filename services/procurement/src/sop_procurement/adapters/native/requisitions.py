"""Requisitions and their lines on procurement's own database."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, select

from sop_procurement.adapters.native.base import NativeStore
from sop_procurement.adapters.native.tables import RequisitionLineRow, RequisitionRow
from sop_procurement.ports import PageRequest, RecordPage
from sop_procurement.requisitions.ports import Requisition, RequisitionFilter, RequisitionLine
from sop_shared.rows import row_values, to_domain

HEADER_ONLY = frozenset({"lines"})


class NativeRequisitions(NativeStore):
    async def next_number(self) -> str:
        return await self.take_number("requisition", "REQ")

    async def _lines(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[RequisitionLine]]:
        t: Any = RequisitionLineRow
        stmt = (
            select(RequisitionLineRow)
            .where(t.tenant == self.tenant, t.requisition_id.in_(ids))
            .order_by(t.line_number)
        )
        found: dict[uuid.UUID, list[RequisitionLine]] = defaultdict(list)
        for row in (await self.session.execute(stmt)).scalars():
            found[row.requisition_id].append(to_domain(row, RequisitionLine))
        return found

    async def _write_lines(self, requisition: Requisition) -> None:
        t: Any = RequisitionLineRow
        await self.session.execute(
            delete(RequisitionLineRow).where(
                t.tenant == self.tenant, t.requisition_id == requisition.id
            )
        )
        for line in requisition.lines:
            values = {
                "id": line.id,
                "tenant": self.tenant,
                "requisition_id": requisition.id,
                **row_values(line, RequisitionLineRow),
            }
            self.session.add(RequisitionLineRow(**values))
        await self.session.flush()

    async def _record(self, row: RequisitionRow) -> Requisition:
        lines = (await self._lines([row.id]))[row.id]
        return to_domain(row, Requisition, lines=lines)

    async def add(self, requisition: Requisition) -> Requisition:
        row = await self.insert_row(RequisitionRow, requisition, skip=HEADER_ONLY)
        await self._write_lines(requisition)
        return await self._record(row)

    async def get(self, requisition_id: uuid.UUID, *, lock: bool = False) -> Requisition | None:
        row = await self.row(RequisitionRow, requisition_id, lock=lock)
        return None if row is None else await self._record(row)

    async def update(self, requisition: Requisition) -> Requisition:
        row = await self.update_row(RequisitionRow, requisition, skip=HEADER_ONLY)
        await self._write_lines(requisition)
        return await self._record(row)

    async def search(self, flt: RequisitionFilter, page: PageRequest) -> RecordPage[Requisition]:
        t: Any = RequisitionRow
        stmt = self.select(RequisitionRow)
        if flt.status:
            stmt = stmt.where(t.status == flt.status)
        if flt.requested_by:
            stmt = stmt.where(t.requested_by == flt.requested_by)
        if flt.updated_since:
            stmt = stmt.where(t.updated_at >= flt.updated_since)
        rows, cursor = await self.page_rows(stmt, RequisitionRow, page)
        lines = await self._lines([r.id for r in rows])
        return RecordPage([to_domain(r, Requisition, lines=lines[r.id]) for r in rows], cursor)
