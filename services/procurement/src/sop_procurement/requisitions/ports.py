"""Requisitions' records and their port: a request to buy, its lines, its budget check and
its approval."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, Protocol

from sop_procurement.ports import PageRequest, Record, RecordPage
from sop_shared.ids import uuid7

RequisitionStatus = Literal["draft", "submitted", "approved", "rejected", "ordered"]
PENNY = Decimal("0.01")


def pennies(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(kw_only=True)
class RequisitionLine:
    id: uuid.UUID = field(default_factory=uuid7)
    line_number: int
    description: str
    cpv_code: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal  # percent: 20, 5 or 0
    cost_centre_code: str
    account_code: str
    need_by: date | None = None

    @property
    def net(self) -> Decimal:
        return pennies(self.quantity * self.unit_price)

    @property
    def vat(self) -> Decimal:
        return pennies(self.net * self.vat_rate / 100)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass(kw_only=True)
class Requisition(Record):
    number: str
    title: str
    justification: str | None = None
    supplier_id: uuid.UUID | None = None
    requested_by: str
    status: RequisitionStatus = "draft"
    lines: list[RequisitionLine] = field(default_factory=list)
    submitted_at: datetime | None = None
    # Finance's figures at submission, per cost centre and account (JSON-safe dicts).
    budget_check: list[dict[str, Any]] = field(default_factory=list)
    over_budget: bool = False
    budget_override_reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    order_id: uuid.UUID | None = None

    @property
    def net_total(self) -> Decimal:
        return sum((line.net for line in self.lines), Decimal("0.00"))

    @property
    def vat_total(self) -> Decimal:
        return sum((line.vat for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.net_total + self.vat_total


@dataclass(frozen=True, slots=True)
class RequisitionFilter:
    status: RequisitionStatus | None = None
    requested_by: str | None = None
    updated_since: datetime | None = None


class RequisitionsPort(Protocol):
    async def next_number(self) -> str:
        """The tenant's next requisition number (REQ-000001), gap-free."""
        ...

    async def add(self, requisition: Requisition) -> Requisition: ...

    async def get(self, requisition_id: uuid.UUID, *, lock: bool = False) -> Requisition | None: ...

    async def update(self, requisition: Requisition) -> Requisition:
        """Store the header and lines (the version must still be current: else StaleRecord)."""
        ...

    async def search(
        self, flt: RequisitionFilter, page: PageRequest
    ) -> RecordPage[Requisition]: ...
