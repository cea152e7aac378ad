"""Receipts: partial receipts and returns against an issued order's lines, each line's
ordered / received / returned / outstanding; nothing beyond the order (or the tenant's
tolerance), no return of more than is held, nothing against an order not issued."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from procurement_fakes import World, limits, line, requisition_body, supplier_body

from sop_procurement.orders import service as orders
from sop_procurement.orders.schemas import Cancellation, OrderCreate
from sop_procurement.problems import InvalidState, OverReceipt, OverReturn
from sop_procurement.receipts import service
from sop_procurement.receipts.ports import ReceiptFilter
from sop_procurement.receipts.schemas import ReceiptCreate
from sop_procurement.requisitions import service as requisitions
from sop_procurement.requisitions.schemas import Decision
from sop_procurement.suppliers import service as suppliers
from sop_shared.errors import ValidationFailed
from sop_shared.pagination import PageRequest


async def _order(*lines, issue: bool = True):
    world = World()
    world.ledger.budget("CC01", "41100000", "100000.00")
    await limits(world, director=("500000.00", ["boss"]))
    supplier = (await suppliers.create_supplier(world.as_("buyer"), supplier_body())).supplier
    alice = world.as_("alice")
    requisition = await requisitions.create_requisition(alice, requisition_body(*lines))
    requisition = await requisitions.submit(alice, requisition)
    requisition = await requisitions.approve(world.as_("boss"), requisition, Decision())
    buyer = world.as_("buyer")
    order = await orders.create_order(
        buyer, OrderCreate(requisition_id=requisition.id, supplier_id=supplier.id)
    )
    if issue:
        order = await orders.issue(buyer, order)
    return world, order


def _receipt(*lines):
    return ReceiptCreate.model_validate({"lines": list(lines)})


async def _receive(world, order_id, *lines, who="stores"):
    ctx = world.as_(who)
    return await service.record_receipt(
        ctx, await orders.get_order(ctx, order_id), _receipt(*lines)
    )


def _position(order_line):
    return (
        order_line.ordered,
        order_line.received,
        order_line.returned,
        order_line.outstanding,
    )


async def test_partial_receipts_then_a_return_show_each_lines_position():
    world, order = await _order(line(quantity="10", unit_price="20.00"), line(quantity="3"))
    first, second = order.lines
    one = await _receive(
        world,
        order.id,
        {"order_line_id": str(first.id), "quantity": "4", "note": "first delivery"},
    )
    assert one.number == "GRN-000001" and one.recorded_by == "stores"
    assert one.lines[0].received_on == date(2026, 4, 1)  # today by default
    assert one.lines[0].outstanding == Decimal("6")
    two = await _receive(
        world,
        order.id,
        {"order_line_id": str(first.id), "quantity": "6", "received_on": "2026-03-31"},
        {"order_line_id": str(second.id), "quantity": "3"},
    )
    assert two.number == "GRN-000002"
    back = await _receive(
        world,
        order.id,
        {"order_line_id": str(first.id), "quantity": "-2.5", "reason": "damaged in transit"},
    )
    assert back.lines[0].reason == "damaged in transit"
    now = await orders.get_order(world.as_("x"), order.id)
    assert _position(now.lines[0]) == (
        Decimal("10"),
        Decimal("10"),
        Decimal("2.5"),
        Decimal("2.5"),
    )
    assert _position(now.lines[1]) == (Decimal("3"), Decimal("3"), Decimal("0"), Decimal("0"))
    listed = await service.list_receipts(
        world.as_("x"), flt=ReceiptFilter(order_id=order.id), page=PageRequest(limit=10)
    )
    assert [r.number for r in listed.items] == ["GRN-000001", "GRN-000002", "GRN-000003"]
    assert world.event_types.count("uk.gov.sop.procurement.receipt.recorded.v1") == 3
    assert "receive" in world.audit_actions


async def test_nothing_beyond_the_ordered_quantity_without_a_tolerance():
    world, order = await _order(line(quantity="10", unit_price="20.00"))
    only = order.lines[0]
    await _receive(world, order.id, {"order_line_id": str(only.id), "quantity": "9"})
    with pytest.raises(OverReceipt) as refused:
        await _receive(world, order.id, {"order_line_id": str(only.id), "quantity": "2"})
    assert refused.value.extensions["most"] == "10"
    after = await orders.get_order(world.as_("x"), order.id)
    assert after.lines[0].received == Decimal("9")  # nothing changed
    # Two entries for one line in one receipt count together.
    with pytest.raises(OverReceipt):
        await _receive(
            world,
            order.id,
            {"order_line_id": str(only.id), "quantity": "1"},
            {"order_line_id": str(only.id), "quantity": "0.001"},
        )


async def test_the_tenants_tolerance_allows_a_little_more():
    world, order = await _order(line(quantity="10", unit_price="20.00"))
    policy = await world.controls.ensure_policy()
    await world.controls.save_policy(replace(policy, over_receipt_tolerance=Decimal("10")))
    only = order.lines[0]
    receipt = await _receive(world, order.id, {"order_line_id": str(only.id), "quantity": "11"})
    assert receipt.lines[0].outstanding == Decimal("0")  # never below zero
    with pytest.raises(OverReceipt):
        await _receive(world, order.id, {"order_line_id": str(only.id), "quantity": "0.001"})


async def test_returns_need_a_reason_and_never_exceed_what_is_held():
    world, order = await _order(line(quantity="5", unit_price="20.00"))
    only = str(order.lines[0].id)
    await _receive(world, order.id, {"order_line_id": only, "quantity": "2"})
    with pytest.raises(ValidationFailed) as no_reason:
        await _receive(world, order.id, {"order_line_id": only, "quantity": "-1"})
    assert no_reason.value.errors[0].field == "lines.0.reason"
    with pytest.raises(OverReturn):
        await _receive(world, order.id, {"order_line_id": only, "quantity": "-3", "reason": "x"})
    await _receive(world, order.id, {"order_line_id": only, "quantity": "-2", "reason": "faulty"})
    after = await orders.get_order(world.as_("x"), order.id)
    assert _position(after.lines[0]) == (Decimal("5"), Decimal("2"), Decimal("2"), Decimal("5"))


async def test_no_receipt_for_an_order_not_issued_a_future_date_or_a_foreign_line():
    world, draft = await _order(line(), issue=False)
    with pytest.raises(InvalidState):
        await _receive(world, draft.id, {"order_line_id": str(draft.lines[0].id), "quantity": "1"})
    world, order = await _order(line())
    future = {"order_line_id": str(order.lines[0].id), "quantity": "1"}
    with pytest.raises(ValidationFailed) as refused:
        await _receive(world, order.id, {**future, "received_on": "2026-04-02"})
    assert refused.value.errors[0].field == "lines.0.received_on"
    with pytest.raises(ValidationFailed):
        await _receive(world, order.id, {**future, "order_line_id": str(draft.lines[0].id)})
    cancelled = await orders.cancel(
        world.as_("buyer"), await orders.get_order(world.as_("buyer"), order.id), Cancellation()
    )
    with pytest.raises(InvalidState):
        await _receive(world, cancelled.id, future)
    assert world.receipts.table.rows == {}


async def test_an_amendment_never_orders_less_than_has_been_received():
    from sop_procurement.orders.schemas import Amendment

    world, order = await _order(line(quantity="10", unit_price="20.00"))
    only = order.lines[0]
    await _receive(world, order.id, {"order_line_id": str(only.id), "quantity": "6"})
    buyer = world.as_("buyer")
    current = await orders.get_order(buyer, order.id)
    with pytest.raises(InvalidState, match="line 1 holds 6"):
        await orders.amend(
            buyer,
            current,
            Amendment.model_validate(
                {"reason": "fewer", "lines": [{"line_id": str(only.id), "quantity": "5"}]}
            ),
        )
    amended = await orders.amend(
        buyer,
        current,
        Amendment.model_validate(
            {"reason": "fewer", "lines": [{"line_id": str(only.id), "quantity": "6"}]}
        ),
    )
    assert amended.lines[0].outstanding == Decimal("0") and amended.lines[0].received == 6
