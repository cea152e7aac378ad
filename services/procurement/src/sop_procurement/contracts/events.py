"""The events procurement publishes about the contracts register."""

from __future__ import annotations

import uuid
from typing import Final

from pydantic import BaseModel

from sop_procurement.context import ProcurementContext
from sop_procurement.contracts.ports import Contract, ContractStatus, Procedure
from sop_shared.money import Money

CREATED: Final = "uk.gov.sop.procurement.contract.created.v1"
UPDATED: Final = "uk.gov.sop.procurement.contract.updated.v1"
ORDER_LINKED: Final = "uk.gov.sop.procurement.contract.order_linked.v1"


class ContractEventData(BaseModel):
    id: uuid.UUID
    number: str
    supplier_id: uuid.UUID
    cpv_code: str
    value: Money
    procedure: Procedure
    threshold: Money
    above_threshold: bool
    status: ContractStatus
    purchase_order_ids: list[uuid.UUID]
    version: int


CATALOGUE: dict[str, tuple[str, type[BaseModel]]] = {
    CREATED: ("A contract was added to the register.", ContractEventData),
    UPDATED: ("A contract in the register changed (value, dates, status).", ContractEventData),
    ORDER_LINKED: ("A purchase order was linked to a contract.", ContractEventData),
}


async def publish(ctx: ProcurementContext, type: str, contract: Contract) -> None:
    data = ContractEventData.model_validate(contract, from_attributes=True)
    await ctx.events.publish(
        type,
        subject=f"contracts/{contract.id}",
        aggregate=f"contract:{contract.id}",
        data=data.model_dump(mode="json"),
        dataschema=f"urn:sop:events:{type}",
    )
