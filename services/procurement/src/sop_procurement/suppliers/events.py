"""The events procurement publishes about suppliers. Their data never carries bank details:
a bank detail change's events say who asked, who decided and from when it applies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Final

from pydantic import BaseModel

from sop_procurement.context import ProcurementContext
from sop_procurement.suppliers.ports import BankChange, Supplier, SupplierStatus

CREATED: Final = "uk.gov.sop.procurement.supplier.created.v1"
UPDATED: Final = "uk.gov.sop.procurement.supplier.updated.v1"
SUSPENDED: Final = "uk.gov.sop.procurement.supplier.suspended.v1"
ARCHIVED: Final = "uk.gov.sop.procurement.supplier.archived.v1"
BANK_CHANGE_REQUESTED: Final = "uk.gov.sop.procurement.supplier_bank_change.requested.v1"
BANK_CHANGE_APPROVED: Final = "uk.gov.sop.procurement.supplier_bank_change.approved.v1"
BANK_CHANGE_REJECTED: Final = "uk.gov.sop.procurement.supplier_bank_change.rejected.v1"


class SupplierEventData(BaseModel):
    """A supplier as events carry it: no bank details."""

    id: uuid.UUID
    legal_name: str
    trading_name: str | None
    company_number: str | None
    vat_number: str | None
    sme: bool
    vcse: bool
    status: SupplierStatus
    version: int


class BankChangeEventData(BaseModel):
    """A bank detail change as events carry it: who and when, never the details."""

    id: uuid.UUID
    supplier_id: uuid.UUID
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    effective_from: date | None


CATALOGUE: dict[str, tuple[str, type[BaseModel]]] = {
    CREATED: ("A supplier was added.", SupplierEventData),
    UPDATED: ("A supplier's details changed (never its bank details).", SupplierEventData),
    SUSPENDED: ("A supplier was suspended: no new orders.", SupplierEventData),
    ARCHIVED: ("A supplier was archived.", SupplierEventData),
    BANK_CHANGE_REQUESTED: ("New bank details were requested.", BankChangeEventData),
    BANK_CHANGE_APPROVED: (
        "New bank details were approved by a second person; in use from effective_from.",
        BankChangeEventData,
    ),
    BANK_CHANGE_REJECTED: ("Requested bank details were rejected.", BankChangeEventData),
}


async def publish(ctx: ProcurementContext, type: str, supplier: Supplier) -> None:
    data = SupplierEventData.model_validate(supplier, from_attributes=True)
    await ctx.events.publish(
        type,
        subject=f"suppliers/{supplier.id}",
        aggregate=f"supplier:{supplier.id}",
        data=data.model_dump(mode="json"),
        dataschema=f"urn:sop:events:{type}",
    )


async def publish_bank_change(
    ctx: ProcurementContext, type: str, supplier: Supplier, change: BankChange
) -> None:
    data = BankChangeEventData.model_validate(change, from_attributes=True)
    await ctx.events.publish(
        type,
        subject=f"suppliers/{supplier.id}",
        aggregate=f"supplier:{supplier.id}",
        data=data.model_dump(mode="json"),
        dataschema=f"urn:sop:events:{type}",
    )
