"""The contracts register: contracts let under the Procurement Act 2023 (open, competitive
flexible, direct award), the threshold that applies computed from the tenant's authority type
(its policy), the contract's kind and when the procurement commenced (`thresholds.py`, data),
and the purchase orders raised under each."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sop_procurement.context import ProcurementContext
from sop_procurement.contracts import events
from sop_procurement.contracts.ports import Contract, ContractFilter
from sop_procurement.contracts.schemas import ContractCreate, ContractUpdate, OrderLink
from sop_procurement.contracts.thresholds import AuthorityType, ContractType, threshold
from sop_procurement.orders import service as orders
from sop_procurement.ports import PageRequest, RecordPage
from sop_procurement.problems import InvalidState
from sop_shared.errors import NotFound, ValidationFailed


def _threshold(
    commenced: date, authority: AuthorityType, kind: ContractType
) -> tuple[Decimal, str]:
    try:
        found = threshold(commenced, authority, kind)
    except ValueError as exc:
        raise ValidationFailed(str(exc), errors=[("procurement_commenced_on", str(exc))]) from None
    return found.amount, found.basis


def _dates(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed(
            "a contract ends on or after its start", errors=[("end_date", "before start_date")]
        )


async def create_contract(ctx: ProcurementContext, data: ContractCreate) -> Contract:
    if await ctx.backend.suppliers.get(data.supplier_id) is None:
        raise ValidationFailed(
            f"supplier {data.supplier_id} not found", errors=[("supplier_id", "no such supplier")]
        )
    _dates(data.start_date, data.end_date)
    if data.procedure == "direct_award" and not (data.direct_award_justification or "").strip():
        raise ValidationFailed(
            "a direct award names its ground (s.41 with Schedule 5, s.42 or s.43)",
            errors=[("direct_award_justification", "required for a direct award")],
        )
    commenced = data.procurement_commenced_on or data.start_date
    authority = (await ctx.backend.controls.policy()).authority_type
    amount, basis = _threshold(commenced, authority, data.contract_type)
    now = ctx.clock.now()
    contract = await ctx.backend.contracts.add(
        Contract(
            number=await ctx.backend.contracts.next_number(),
            title=data.title,
            description=data.description,
            supplier_id=data.supplier_id,
            cpv_code=data.cpv_code,
            contract_type=data.contract_type,
            value=data.value,
            start_date=data.start_date,
            end_date=data.end_date,
            procedure=data.procedure,
            direct_award_justification=data.direct_award_justification
            if data.procedure == "direct_award"
            else None,
            procurement_commenced_on=commenced,
            authority_type=authority,
            threshold=amount,
            threshold_basis=basis,
            created_by=ctx.actor,
            created_at=now,
            updated_at=now,
        )
    )
    await ctx.audit.record("create", "contract", contract.id, after=contract)
    await events.publish(ctx, events.CREATED, contract)
    return contract


async def get_contract(
    ctx: ProcurementContext, contract_id: uuid.UUID, *, lock: bool = False
) -> Contract:
    found = await ctx.backend.contracts.get(contract_id, lock=lock)
    if found is None:
        raise NotFound(f"contract {contract_id} not found")
    return found


async def list_contracts(
    ctx: ProcurementContext, *, flt: ContractFilter, page: PageRequest
) -> RecordPage[Contract]:
    return await ctx.backend.contracts.search(flt, page)


async def update_contract(
    ctx: ProcurementContext, contract: Contract, data: ContractUpdate
) -> Contract:
    changes: dict[str, Any] = {
        name: getattr(data, name)
        for name in data.model_fields_set
        if getattr(data, name) is not None or name == "description"
    }
    if contract.status == "terminated" and changes:
        raise InvalidState(f"contract {contract.number} is terminated")
    updated = replace(contract, **changes)
    _dates(updated.start_date, updated.end_date)
    if updated == contract:
        return contract
    saved = await ctx.backend.contracts.update(updated)
    await ctx.audit.record("update", "contract", saved.id, before=contract, after=saved)
    await events.publish(ctx, events.UPDATED, saved)
    return saved


async def link_order(ctx: ProcurementContext, contract: Contract, data: OrderLink) -> Contract:
    """Record that an order was raised under the contract: same supplier, not cancelled;
    linking twice changes nothing."""
    try:
        order = await orders.get_order(ctx, data.purchase_order_id)
    except NotFound:
        raise ValidationFailed(
            f"purchase order {data.purchase_order_id} not found",
            errors=[("purchase_order_id", "no such order")],
        ) from None
    if str(order.id) in contract.purchase_order_ids:
        return contract
    if contract.status == "terminated":
        raise InvalidState(f"contract {contract.number} is terminated")
    if order.supplier_id != contract.supplier_id:
        raise InvalidState(
            f"order {order.number} is with another supplier than contract {contract.number}"
        )
    if order.status == "cancelled":
        raise InvalidState(f"order {order.number} is cancelled")
    saved = await ctx.backend.contracts.update(
        replace(contract, purchase_order_ids=[*contract.purchase_order_ids, str(order.id)])
    )
    await ctx.audit.record("link-order", "contract", saved.id, before=contract, after=saved)
    await events.publish(ctx, events.ORDER_LINKED, saved)
    return saved
