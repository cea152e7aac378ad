"""The events procurement publishes about purchase orders."""

from __future__ import annotations

import uuid
from typing import Final

from pydantic import BaseModel

from sop_procurement.context import ProcurementContext
from sop_procurement.orders.ports import OrderStatus, PurchaseOrder
from sop_shared.money import Money

CREATED: Final = "uk.gov.sop.procurement.purchase_order.created.v1"
ISSUED: Final = "uk.gov.sop.procurement.purchase_order.issued.v1"
AMENDED: Final = "uk.gov.sop.procurement.purchase_order.amended.v1"
CANCELLED: Final = "uk.gov.sop.procurement.purchase_order.cancelled.v1"


class OrderEventData(BaseModel):
    id: uuid.UUID
    number: str
    requisition_id: uuid.UUID
    supplier_id: uuid.UUID
    status: OrderStatus
    revision: int
    net_total: Money
    total: Money
    committed: Money
    version: int


CATALOGUE: dict[str, tuple[str, type[BaseModel]]] = {
    CREATED: ("A purchase order was raised from an approved requisition.", OrderEventData),
    ISSUED: ("A purchase order was issued; finance holds a commitment per line.", OrderEventData),
    AMENDED: ("A purchase order was amended; its commitments follow.", OrderEventData),
    CANCELLED: ("A purchase order was cancelled; its commitments released.", OrderEventData),
}


async def publish(ctx: ProcurementContext, type: str, order: PurchaseOrder) -> None:
    data = OrderEventData.model_validate(order, from_attributes=True)
    await ctx.events.publish(
        type,
        subject=f"purchase-orders/{order.id}",
        aggregate=f"purchase_order:{order.id}",
        data=data.model_dump(mode="json"),
        dataschema=f"urn:sop:events:{type}",
    )
