"""Purchase orders' records and their port: an order raised from an approved requisition,
its lines, the finance commitments each line holds, and its amendments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from sop_procurement.ports import PageRequest, Record, RecordPage
from sop_procurement.requisitions.ports import pennies
from sop_shared.ids import uuid7

OrderStatus = Literal["draft", "issued", "cancelled"]


@dataclass(kw_only=True)
class OrderLine:
    id: uuid.UUID = field(default_factory=uuid7)
    line_number: int
    requisition_line_id: uuid.UUID | None = None
    description: str
    cpv_code: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    cost_centre_code: str
    account_code: str
    need_by: date | None = None
    # Finance commitments this line holds: [{"id", "number", "amount"}] (amount: what is
    # still committed through it, a two-place string).
    commitments: list[dict[str, str]] = field(default_factory=list)
    # Goods or services receipted against the line, and returned (both never negative).
    received: Decimal = Decimal("0")
    returned: Decimal = Decimal("0")

    @property
    def ordered(self) -> Decimal:
        return self.quantity

    @property
    def net_received(self) -> Decimal:
        """What the department holds: received less returned."""
        return self.received - self.returned

    @property
    def outstanding(self) -> Decimal:
        """Still to come: ordered less net received (never below zero)."""
        return max(self.quantity - self.net_received, Decimal("0"))

    @property
    def net(self) -> Decimal:
        return pennies(self.quantity * self.unit_price)

    @property
    def vat(self) -> Decimal:
        return pennies(self.net * self.vat_rate / 100)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    @property
    def committed(self) -> Decimal:
        return sum((Decimal(c["amount"]) for c in self.commitments), Decimal("0.00"))


@dataclass(kw_only=True)
class PurchaseOrder(Record):
    number: str
    requisition_id: uuid.UUID
    supplier_id: uuid.UUID
    status: OrderStatus = "draft"
    revision: int = 1
    lines: list[OrderLine] = field(default_factory=list)
    created_by: str
    issued_by: str | None = None
    issued_at: datetime | None = None
    cancelled_by: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    # One entry per amendment: revision, when, who, why, and each line's before and after.
    amendments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def net_total(self) -> Decimal:
        return sum((line.net for line in self.lines), Decimal("0.00"))

    @property
    def vat_total(self) -> Decimal:
        return sum((line.vat for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.net_total + self.vat_total

    @property
    def committed(self) -> Decimal:
        return sum((line.committed for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: OrderStatus | None = None
    supplier_id: uuid.UUID | None = None
    requisition_id: uuid.UUID | None = None
    updated_since: datetime | None = None
    issued_from: datetime | None = None  # issued at or after
    issued_before: datetime | None = None


class OrdersPort(Protocol):
    async def next_number(self) -> str:
        """The tenant's next order number (PO-000001): gap-free, never reused."""
        ...

    async def add(self, order: PurchaseOrder) -> PurchaseOrder: ...

    async def get(self, order_id: uuid.UUID, *, lock: bool = False) -> PurchaseOrder | None: ...

    async def update(self, order: PurchaseOrder) -> PurchaseOrder:
        """Store the header and lines (the version must still be current: else StaleRecord)."""
        ...

    async def search(self, flt: OrderFilter, page: PageRequest) -> RecordPage[PurchaseOrder]: ...
