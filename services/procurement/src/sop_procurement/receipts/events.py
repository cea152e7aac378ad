"""The events procurement publishes about receipts."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Final

from pydantic import BaseModel

from sop_procurement.context import ProcurementContext
from sop_procurement.http import QuantityOut
from sop_procurement.receipts.ports import Receipt

RECORDED: Final = "uk.gov.sop.procurement.receipt.recorded.v1"


class ReceiptLineData(BaseModel):
    order_line_id: uuid.UUID
    line_number: int
    quantity: QuantityOut
    received_on: date
    outstanding: QuantityOut


class ReceiptEventData(BaseModel):
    id: uuid.UUID
    number: str
    order_id: uuid.UUID
    order_number: str
    supplier_id: uuid.UUID
    lines: list[ReceiptLineData]


CATALOGUE: dict[str, tuple[str, type[BaseModel]]] = {
    RECORDED: (
        "Goods or services were received (or returned) against a purchase order's lines.",
        ReceiptEventData,
    ),
}


async def publish(ctx: ProcurementContext, type: str, receipt: Receipt) -> None:
    data = ReceiptEventData.model_validate(receipt, from_attributes=True)
    await ctx.events.publish(
        type,
        subject=f"receipts/{receipt.id}",
        aggregate=f"purchase_order:{receipt.order_id}",
        data=data.model_dump(mode="json"),
        dataschema=f"urn:sop:events:{type}",
    )
