"""Purchase order rules: raised from an approved requisition for an active supplier, numbered
per tenant without gaps; issuing raises a finance commitment per line (the line's id is the
Idempotency-Key, so a retry never commits twice); an amendment is a new revision whose
commitments follow the lines; cancelling releases what is still committed."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sop_procurement.context import ProcurementContext
from sop_procurement.orders import events
from sop_procurement.orders.ports import OrderFilter, OrderLine, PurchaseOrder
from sop_procurement.orders.schemas import Amendment, Cancellation, OrderCreate
from sop_procurement.ports import LedgerCommitment, PageRequest, RecordPage
from sop_procurement.problems import InvalidState, SupplierNotActive
from sop_procurement.requisitions import service as requisitions
from sop_shared.errors import NotFound, ValidationFailed


async def _active_supplier(ctx: ProcurementContext, supplier_id: uuid.UUID) -> None:
    supplier = await ctx.backend.suppliers.get(supplier_id)
    if supplier is None:
        raise ValidationFailed(
            f"supplier {supplier_id} not found", errors=[("supplier_id", "no such supplier")]
        )
    if supplier.status != "active":
        raise SupplierNotActive(
            f"supplier {supplier.legal_name} is {supplier.status}: no orders are placed with it",
            supplier_id=str(supplier.id),
            supplier_status=supplier.status,
        )


async def create_order(ctx: ProcurementContext, data: OrderCreate) -> PurchaseOrder:
    requisition = await requisitions.get_requisition(ctx, data.requisition_id, lock=True)
    supplier_id = data.supplier_id or requisition.supplier_id
    if supplier_id is None:
        raise ValidationFailed(
            "name the supplier: the requisition suggests none",
            errors=[("supplier_id", "required")],
        )
    if requisition.status != "approved":
        raise InvalidState(
            f"requisition {requisition.number} is {requisition.status}: only an approved "
            "requisition becomes an order"
        )
    await _active_supplier(ctx, supplier_id)
    now = ctx.clock.now()
    order = await ctx.backend.orders.add(
        PurchaseOrder(
            number=await ctx.backend.orders.next_number(),
            requisition_id=requisition.id,
            supplier_id=supplier_id,
            created_by=ctx.actor,
            lines=[
                OrderLine(
                    line_number=line.line_number,
                    requisition_line_id=line.id,
                    description=line.description,
                    cpv_code=line.cpv_code,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    vat_rate=line.vat_rate,
                    cost_centre_code=line.cost_centre_code,
                    account_code=line.account_code,
                    need_by=line.need_by,
                )
                for line in requisition.lines
            ],
            created_at=now,
            updated_at=now,
        )
    )
    await requisitions.mark_ordered(ctx, requisition, order.id)
    await ctx.audit.record("create", "purchase-order", order.id, after=order)
    await events.publish(ctx, events.CREATED, order)
    return order


async def get_order(
    ctx: ProcurementContext, order_id: uuid.UUID, *, lock: bool = False
) -> PurchaseOrder:
    found = await ctx.backend.orders.get(order_id, lock=lock)
    if found is None:
        raise NotFound(f"purchase order {order_id} not found")
    return found


async def list_orders(
    ctx: ProcurementContext, *, flt: OrderFilter, page: PageRequest
) -> RecordPage[PurchaseOrder]:
    return await ctx.backend.orders.search(flt, page)


def _marker(key: str) -> str:
    """How a commitment names the order line (and revision) it was raised for."""
    return f"[{key}]"


async def _raised(ctx: ProcurementContext, order: PurchaseOrder) -> dict[str, LedgerCommitment]:
    """The commitments finance already holds for the order, by the marker each was raised
    with (a retry by another person, or after finance forgot the Idempotency-Key, finds them
    here rather than committing again), and by id."""
    found: dict[str, LedgerCommitment] = {}
    for commitment in await ctx.ledger.commitments(order.number):
        found[commitment.id] = commitment
        text = commitment.description or ""
        if text.startswith("[") and "]" in text:
            found[text[: text.index("]") + 1]] = commitment
    return found


async def _commit(
    ctx: ProcurementContext,
    order: PurchaseOrder,
    line: OrderLine,
    amount: Decimal,
    key: str,
    raised: dict[str, LedgerCommitment],
) -> dict[str, str]:
    """A commitment for `amount` of the line, raised once under `key`."""
    existing = raised.get(_marker(key))
    if existing is None:
        existing = await ctx.ledger.raise_commitment(
            key=key,
            cost_centre=line.cost_centre_code,
            account=line.account_code,
            commitment_date=ctx.today(),
            amount=amount,
            source_reference=order.number,
            description=(
                f"{_marker(key)} {order.number} line {line.line_number}: {line.description}"
            )[:500],
        )
    return {"id": existing.id, "number": existing.number, "amount": f"{existing.amount:.2f}"}


async def _release(
    ctx: ProcurementContext,
    line: OrderLine,
    amount: Decimal | None,
    key: str,
    raised: dict[str, LedgerCommitment],
) -> list[dict[str, str]]:
    """Release `amount` of the line's commitments, newest first (None: everything finance
    still holds for them); the line's commitments as they are left. Only what finance holds
    outstanding is released: invoices may have released some, a failed attempt the rest."""
    left = [dict(c) for c in line.commitments]
    remaining = amount
    for entry in reversed(left):
        if remaining is not None and remaining <= 0:
            break
        at_finance = raised.get(entry["id"])
        held = min(
            Decimal(entry["amount"]),
            at_finance.outstanding if at_finance is not None else Decimal(entry["amount"]),
        )
        take = held if remaining is None else min(held, remaining)
        if take > 0:
            await ctx.ledger.release_commitment(
                entry["id"], key=f"{key}-{entry['id']}", amount=take
            )
        entry["amount"] = (
            f"{Decimal(entry['amount']) - take:.2f}" if remaining is not None else "0.00"
        )
        if remaining is not None:
            remaining -= take
    return left


async def issue(ctx: ProcurementContext, order: PurchaseOrder) -> PurchaseOrder:
    """Issue the order: one commitment per line in finance (key: the line's id)."""
    if order.status != "draft":
        raise InvalidState(f"order {order.number} is {order.status}, not draft")
    await _active_supplier(ctx, order.supplier_id)
    raised = await _raised(ctx, order)
    lines = []
    for line in order.lines:
        commitment = await _commit(ctx, order, line, line.net, f"po-line-{line.id}", raised)
        lines.append(replace(line, commitments=[commitment]))
    saved = await ctx.backend.orders.update(
        replace(order, status="issued", lines=lines, issued_by=ctx.actor, issued_at=ctx.clock.now())
    )
    await ctx.audit.record("issue", "purchase-order", saved.id, before=order, after=saved)
    await events.publish(ctx, events.ISSUED, saved)
    return saved


async def amend(ctx: ProcurementContext, order: PurchaseOrder, data: Amendment) -> PurchaseOrder:
    """A new revision: changed quantities or prices; an issued order's commitments follow
    (more is committed under a key naming the line and revision, less is released)."""
    if order.status == "cancelled":
        raise InvalidState(f"order {order.number} is cancelled")
    by_id = {line.id: line for line in order.lines}
    unknown = [str(c.line_id) for c in data.lines if c.line_id not in by_id]
    if unknown:
        raise ValidationFailed(
            "no such line on this order", errors=[("lines", f"unknown line {u}") for u in unknown]
        )
    below = [
        (c, by_id[c.line_id])
        for c in data.lines
        if c.quantity is not None and c.quantity < by_id[c.line_id].net_received
    ]
    if below:
        raise InvalidState(
            "an amended quantity is never below what has been received (return goods first): "
            + ", ".join(
                f"line {line.line_number} holds {format(line.net_received.normalize(), 'f')}"
                for _, line in below
            )
        )
    revision = order.revision + 1
    raised = await _raised(ctx, order) if order.status == "issued" else {}
    changes: list[dict[str, Any]] = []
    new_lines = {line.id: line for line in order.lines}
    for change in data.lines:
        line = new_lines[change.line_id]
        updated = replace(
            line,
            quantity=change.quantity if change.quantity is not None else line.quantity,
            unit_price=change.unit_price if change.unit_price is not None else line.unit_price,
        )
        if order.status == "issued":
            delta = updated.net - line.committed
            key = f"po-line-{line.id}-r{revision}"
            if delta > 0:
                updated = replace(
                    updated,
                    commitments=[
                        *line.commitments,
                        await _commit(ctx, order, updated, delta, key, raised),
                    ],
                )
            elif delta < 0:
                released = await _release(ctx, line, -delta, f"{key}-release", raised)
                updated = replace(updated, commitments=released)
        changes.append(
            {
                "line_id": str(line.id),
                "before": {"quantity": str(line.quantity), "unit_price": f"{line.unit_price:.2f}"},
                "after": {
                    "quantity": str(updated.quantity),
                    "unit_price": f"{updated.unit_price:.2f}",
                },
            }
        )
        new_lines[line.id] = updated
    amendment = {
        "revision": revision,
        "at": ctx.clock.now().isoformat(),
        "by": ctx.actor,
        "reason": data.reason,
        "lines": changes,
    }
    saved = await ctx.backend.orders.update(
        replace(
            order,
            revision=revision,
            lines=[new_lines[line.id] for line in order.lines],
            amendments=[*order.amendments, amendment],
        )
    )
    await ctx.audit.record("amend", "purchase-order", saved.id, before=order, after=saved)
    await events.publish(ctx, events.AMENDED, saved)
    return saved


async def cancel(
    ctx: ProcurementContext, order: PurchaseOrder, data: Cancellation
) -> PurchaseOrder:
    """Cancel: whatever the lines still commit is released in finance."""
    if order.status == "cancelled":
        raise InvalidState(f"order {order.number} is already cancelled")
    raised = await _raised(ctx, order) if order.status == "issued" else {}
    lines = []
    for line in order.lines:
        if line.committed > 0:
            released = await _release(ctx, line, None, f"po-line-{line.id}-cancel", raised)
            line = replace(line, commitments=released)
        lines.append(line)
    saved = await ctx.backend.orders.update(
        replace(
            order,
            status="cancelled",
            lines=lines,
            cancelled_by=ctx.actor,
            cancelled_at=ctx.clock.now(),
            cancel_reason=data.reason,
        )
    )
    await ctx.audit.record("cancel", "purchase-order", saved.id, before=order, after=saved)
    await events.publish(ctx, events.CANCELLED, saved)
    return saved
