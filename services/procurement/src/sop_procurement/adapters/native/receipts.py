"""Receipts on procurement's own database: a header row, its lines as JSON (quantities as
decimal strings, dates ISO)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from sop_procurement.adapters.native.base import NativeStore
from sop_procurement.adapters.native.tables import ReceiptRow
from sop_procurement.ports import PageRequest, RecordPage
from sop_procurement.receipts.ports import Receipt, ReceiptFilter, ReceiptLine
from sop_shared.rows import to_domain

QUANTITIES = ("quantity", "ordered", "received", "returned", "outstanding")


def _line_json(line: ReceiptLine) -> dict[str, Any]:
    values = asdict(line)
    values["order_line_id"] = str(line.order_line_id)
    values["received_on"] = line.received_on.isoformat()
    for name in QUANTITIES:
        values[name] = str(values[name])
    return values


def _line(values: dict[str, Any]) -> ReceiptLine:
    return ReceiptLine(
        **{
            **values,
            "order_line_id": uuid.UUID(values["order_line_id"]),
            "received_on": date.fromisoformat(values["received_on"]),
            **{name: Decimal(values[name]) for name in QUANTITIES},
        }
    )


def _receipt(row: Any) -> Receipt:
    return to_domain(row, Receipt, lines=[_line(v) for v in row.lines])


class NativeReceipts(NativeStore):
    async def next_number(self) -> str:
        return await self.take_number("receipt", "GRN")

    async def add(self, receipt: Receipt) -> Receipt:
        row = await self.insert_row(
            ReceiptRow,
            receipt,
            skip=frozenset({"lines"}),
            lines=[_line_json(line) for line in receipt.lines],
        )
        return _receipt(row)

    async def get(self, receipt_id: uuid.UUID) -> Receipt | None:
        row = await self.row(ReceiptRow, receipt_id)
        return None if row is None else _receipt(row)

    async def search(self, flt: ReceiptFilter, page: PageRequest) -> RecordPage[Receipt]:
        t: Any = ReceiptRow
        stmt = self.select(ReceiptRow)
        if flt.order_id:
            stmt = stmt.where(t.order_id == flt.order_id)
        if flt.updated_since:
            stmt = stmt.where(t.updated_at >= flt.updated_since)
        rows, cursor = await self.page_rows(stmt, ReceiptRow, page)
        return RecordPage([_receipt(r) for r in rows], cursor)
