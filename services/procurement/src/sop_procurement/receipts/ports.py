"""Receipts' records and their port: goods or services received against an issued purchase
order's lines, and returns to the supplier (negative quantities with a reason)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from sop_procurement.ports import PageRequest, Record, RecordPage


@dataclass(kw_only=True)
class ReceiptLine:
    order_line_id: uuid.UUID
    line_number: int
    quantity: Decimal  # received (positive) or returned (negative)
    received_on: date
    note: str | None = None
    reason: str | None = None  # why it went back (required for a return)
    # The order line's position once this receipt was recorded.
    ordered: Decimal = Decimal("0")
    received: Decimal = Decimal("0")
    returned: Decimal = Decimal("0")
    outstanding: Decimal = Decimal("0")


@dataclass(kw_only=True)
class Receipt(Record):
    number: str  # GRN-000001, per tenant, gap-free
    order_id: uuid.UUID
    order_number: str
    supplier_id: uuid.UUID
    recorded_by: str
    lines: list[ReceiptLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReceiptFilter:
    order_id: uuid.UUID | None = None
    updated_since: datetime | None = None


class ReceiptsPort(Protocol):
    async def next_number(self) -> str:
        """The tenant's next receipt number (GRN-000001): gap-free, never reused."""
        ...

    async def add(self, receipt: Receipt) -> Receipt: ...

    async def get(self, receipt_id: uuid.UUID) -> Receipt | None: ...

    async def search(self, flt: ReceiptFilter, page: PageRequest) -> RecordPage[Receipt]: ...
