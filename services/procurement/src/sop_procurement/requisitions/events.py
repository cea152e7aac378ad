"""The events procurement publishes about requisitions: the requisition's header and totals
(lines stay in the API)."""

from __future__ import annotations

import uuid
from typing import Final

from pydantic import BaseModel

from sop_procurement.context import ProcurementContext
from sop_procurement.requisitions.ports import Requisition, RequisitionStatus
from sop_shared.money import Money

CREATED: Final = "uk.gov.sop.procurement.requisition.created.v1"
SUBMITTED: Final = "uk.gov.sop.procurement.requisition.submitted.v1"
APPROVED: Final = "uk.gov.sop.procurement.requisition.approved.v1"
REJECTED: Final = "uk.gov.sop.procurement.requisition.rejected.v1"
ORDERED: Final = "uk.gov.sop.procurement.requisition.ordered.v1"


class RequisitionEventData(BaseModel):
    id: uuid.UUID
    number: str
    title: str
    status: RequisitionStatus
    requested_by: str
    decided_by: str | None
    over_budget: bool
    net_total: Money
    total: Money
    order_id: uuid.UUID | None
    version: int


CATALOGUE: dict[str, tuple[str, type[BaseModel]]] = {
    CREATED: ("A requisition was drafted.", RequisitionEventData),
    SUBMITTED: (
        "A requisition passed (or was routed past) its budget check.",
        RequisitionEventData,
    ),
    APPROVED: ("A requisition was approved within delegated authority.", RequisitionEventData),
    REJECTED: ("A requisition was rejected.", RequisitionEventData),
    ORDERED: ("A purchase order was raised from a requisition.", RequisitionEventData),
}


async def publish(ctx: ProcurementContext, type: str, requisition: Requisition) -> None:
    data = RequisitionEventData.model_validate(requisition, from_attributes=True)
    await ctx.events.publish(
        type,
        subject=f"requisitions/{requisition.id}",
        aggregate=f"requisition:{requisition.id}",
        data=data.model_dump(mode="json"),
        dataschema=f"urn:sop:events:{type}",
    )
