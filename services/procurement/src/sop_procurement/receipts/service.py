"""Receipt rules: goods or services are received against an issued order's lines, in part or
in full; a negative quantity returns some to the supplier (with a reason) and never takes a
line below nothing received; nothing is received beyond the ordered quantity plus the
tenant's tolerance (`over_receipt_tolerance`, percent); dates are never in the future."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from sop_procurement.context import ProcurementContext
from sop_procurement.orders.ports import OrderLine, PurchaseOrder
from sop_procurement.ports import PageRequest, RecordPage
from sop_procurement.problems import InvalidState, OverReceipt, OverReturn
from sop_procurement.receipts import events
from sop_procurement.receipts.ports import Receipt, ReceiptFilter, ReceiptLine
from sop_procurement.receipts.schemas import ReceiptCreate
from sop_shared.errors import NotFound, ValidationFailed


def _q(value: Decimal) -> str:
    return format(value.normalize(), "f")


def most_receivable(line: OrderLine, tolerance: Decimal) -> Decimal:
    """The most a line may have received (net of returns): ordered plus the tolerance."""
    return line.quantity + line.quantity * tolerance / 100


async def record_receipt(
    ctx: ProcurementContext, order: PurchaseOrder, data: ReceiptCreate
) -> Receipt:
    if order.status != "issued":
        raise InvalidState(
            f"order {order.number} is {order.status}: goods are received only against an "
            "issued order"
        )
    by_id = {line.id: line for line in order.lines}
    today = ctx.today()
    errors: list[tuple[str, str]] = []
    for i, given in enumerate(data.lines):
        if given.order_line_id not in by_id:
            errors.append((f"lines.{i}.order_line_id", f"no line {given.order_line_id} here"))
        if given.quantity < 0 and not (given.reason or "").strip():
            errors.append((f"lines.{i}.reason", "a return needs a reason"))
        if given.received_on is not None and given.received_on > today:
            errors.append((f"lines.{i}.received_on", f"after today ({today.isoformat()})"))
    if errors:
        raise ValidationFailed("the receipt cannot be recorded", errors=errors)

    tolerance = (await ctx.backend.controls.policy()).over_receipt_tolerance
    lines = dict(by_id)
    recorded: list[ReceiptLine] = []
    for given in data.lines:
        line = lines[given.order_line_id]
        if given.quantity > 0:
            line = replace(line, received=line.received + given.quantity)
        else:
            line = replace(line, returned=line.returned - given.quantity)
        if line.net_received < 0:
            raise OverReturn(
                f"line {line.line_number}: {_q(-given.quantity)} returned, but only "
                f"{_q(line.net_received - given.quantity)} is held",
                order_line_id=str(line.id),
                held=_q(line.net_received - given.quantity),
            )
        most = most_receivable(line, tolerance)
        if line.net_received > most:
            raise OverReceipt(
                f"line {line.line_number}: {_q(line.net_received)} would be received against "
                f"{_q(line.quantity)} ordered (tolerance {_q(tolerance)}%)",
                order_line_id=str(line.id),
                ordered=_q(line.quantity),
                already_received=_q(line.net_received - given.quantity),
                most=_q(most),
                tolerance=_q(tolerance),
            )
        lines[line.id] = line
        recorded.append(
            ReceiptLine(
                order_line_id=line.id,
                line_number=line.line_number,
                quantity=given.quantity,
                received_on=given.received_on or today,
                note=given.note,
                reason=given.reason,
                ordered=line.quantity,
                received=line.received,
                returned=line.returned,
                outstanding=line.outstanding,
            )
        )
    saved_order = await ctx.backend.orders.update(
        replace(order, lines=[lines[line.id] for line in order.lines])
    )
    now = ctx.clock.now()
    receipt = await ctx.backend.receipts.add(
        Receipt(
            number=await ctx.backend.receipts.next_number(),
            order_id=order.id,
            order_number=order.number,
            supplier_id=order.supplier_id,
            recorded_by=ctx.actor,
            lines=recorded,
            created_at=now,
            updated_at=now,
        )
    )
    await ctx.audit.record("receive", "purchase-order", order.id, before=order, after=saved_order)
    await ctx.audit.record("create", "receipt", receipt.id, after=receipt)
    await events.publish(ctx, events.RECORDED, receipt)
    return receipt


async def get_receipt(ctx: ProcurementContext, receipt_id: uuid.UUID) -> Receipt:
    found = await ctx.backend.receipts.get(receipt_id)
    if found is None:
        raise NotFound(f"receipt {receipt_id} not found")
    return found


async def list_receipts(
    ctx: ProcurementContext, *, flt: ReceiptFilter, page: PageRequest
) -> RecordPage[Receipt]:
    return await ctx.backend.receipts.search(flt, page)
