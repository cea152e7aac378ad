"""Request and response bodies for purchase orders."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field

from sop_procurement.http import In, Out, PositiveAmount, Quantity, QuantityOut, Text, VatRate
from sop_procurement.orders.ports import OrderStatus
from sop_shared.money import Money


class OrderCreate(In):
    requisition_id: uuid.UUID
    supplier_id: uuid.UUID | None = Field(
        None, description="Default: the supplier the requisition suggests."
    )


class LineChange(In):
    line_id: uuid.UUID
    quantity: Quantity | None = None
    unit_price: PositiveAmount | None = None


class Amendment(In):
    reason: Text = Field(min_length=1)
    lines: list[LineChange] = Field(min_length=1, max_length=200)


class Cancellation(In):
    reason: Text | None = None


class CommitmentRef(Out):
    id: str
    number: str
    amount: Money


class OrderLineOut(Out):
    id: uuid.UUID
    line_number: int
    requisition_line_id: uuid.UUID | None
    description: str
    cpv_code: str
    quantity: Quantity
    unit_price: Money
    vat_rate: VatRate
    cost_centre_code: str
    account_code: str
    need_by: date | None
    net: Money
    vat: Money
    gross: Money
    committed: Money = Field(description="What finance holds committed for this line.")
    commitments: list[CommitmentRef]
    ordered: QuantityOut = Field(description="The quantity ordered (this revision).")
    received: QuantityOut = Field(description="Everything receipted, before returns.")
    returned: QuantityOut = Field(description="Everything returned to the supplier.")
    outstanding: QuantityOut = Field(description="Ordered less received plus returned (≥ 0).")


class OrderOut(Out):
    id: uuid.UUID
    number: str
    requisition_id: uuid.UUID
    supplier_id: uuid.UUID
    status: OrderStatus
    revision: int
    lines: list[OrderLineOut]
    net_total: Money
    vat_total: Money
    total: Money
    committed: Money
    created_by: str
    issued_by: str | None
    issued_at: datetime | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    amendments: list[dict[str, Any]]
    version: int
    created_at: datetime
    updated_at: datetime
