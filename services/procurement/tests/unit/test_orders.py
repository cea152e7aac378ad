"""Purchase orders: from approved requisitions, for active suppliers, numbered without gaps;
issuing commits each line in finance once however often it is retried; amendments move the
commitments; cancelling releases them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from procurement_fakes import World, limits, line, requisition_body, supplier_body

from sop_procurement.orders import service
from sop_procurement.orders.schemas import Amendment, Cancellation, OrderCreate
from sop_procurement.problems import FinanceUnavailable, InvalidState, SupplierNotActive
from sop_procurement.requisitions import service as requisitions
from sop_procurement.requisitions.schemas import Decision
from sop_procurement.suppliers import service as suppliers
from sop_procurement.suppliers.schemas import SupplierUpdate


async def _approved(world: World, *lines):
    alice = world.as_("alice")
    requisition = await requisitions.create_requisition(alice, requisition_body(*lines))
    requisition = await requisitions.submit(alice, requisition)
    return await requisitions.approve(world.as_("boss"), requisition, Decision())


async def _world():
    world = World()
    world.ledger.budget("CC01", "41100000", "10000.00")
    world.ledger.budget("CC02", "42000000", "10000.00")
    await limits(world, director=("50000.00", ["boss"]))
    supplier = await suppliers.create_supplier(world.as_("buyer"), supplier_body())
    return world, supplier.supplier


async def test_orders_are_numbered_and_the_requisition_becomes_ordered():
    world, supplier = await _world()
    buyer = world.as_("buyer")
    first = await service.create_order(
        buyer, OrderCreate(requisition_id=(await _approved(world)).id, supplier_id=supplier.id)
    )
    second = await service.create_order(
        buyer, OrderCreate(requisition_id=(await _approved(world)).id, supplier_id=supplier.id)
    )
    assert (first.number, second.number) == ("PO-000001", "PO-000002")
    assert first.status == "draft" and first.total == Decimal("1200.00")
    requisition = await requisitions.get_requisition(buyer, first.requisition_id)
    assert requisition.status == "ordered" and requisition.order_id == first.id
    with pytest.raises(InvalidState):
        await service.create_order(
            buyer, OrderCreate(requisition_id=requisition.id, supplier_id=supplier.id)
        )


async def test_a_suspended_supplier_gets_no_order():
    world, supplier = await _world()
    buyer = world.as_("buyer")
    approved = await _approved(world)
    await suppliers.update_supplier(buyer, supplier, SupplierUpdate(status="suspended"))
    with pytest.raises(SupplierNotActive):
        await service.create_order(
            buyer, OrderCreate(requisition_id=approved.id, supplier_id=supplier.id)
        )
    assert (await requisitions.get_requisition(buyer, approved.id)).status == "approved"


async def test_issuing_commits_each_line_once_even_when_retried():
    world, supplier = await _world()
    buyer = world.as_("buyer")
    approved = await _approved(
        world, line(), line(cost_centre_code="CC02", account_code="42000000", unit_price="250.00")
    )
    order = await service.create_order(
        buyer, OrderCreate(requisition_id=approved.id, supplier_id=supplier.id)
    )
    # The first attempt commits line 1, then finance is away for line 2: the request fails
    # (and its transaction, the order's change, rolls back); line 1's commitment stands.
    world.ledger.fail_at = world.ledger.calls + 3  # the order lookup, line 1, then line 2
    with pytest.raises(FinanceUnavailable):
        await service.issue(buyer, order)
    assert (await service.get_order(buyer, order.id)).status == "draft"
    assert len(world.ledger.held) == 1
    # The retry: finance's key is each line's id, so line 1 is not committed twice.
    issued = await service.issue(buyer, await service.get_order(buyer, order.id))
    assert issued.status == "issued"
    assert [line.committed for line in issued.lines] == [Decimal("1000.00"), Decimal("500.00")]
    assert len(world.ledger.held) == 2
    assert world.ledger.outstanding(order.number) == Decimal("1500.00")
    assert world.ledger.available("CC01", "41100000") == Decimal("9000.00")
    assert world.ledger.available("CC02", "42000000") == Decimal("9500.00")
    assert world.event_types[-1] == "uk.gov.sop.procurement.purchase_order.issued.v1"
    with pytest.raises(InvalidState):
        await service.issue(buyer, issued)


async def test_a_retry_that_finance_does_not_recognise_by_key_still_commits_once():
    """Finance keeps Idempotency-Keys per person for 24 hours: a colleague's retry, or one a
    day later, is matched by the line's marker on the commitments finance holds."""
    world, supplier = await _world()
    approved = await _approved(world, line(), line(unit_price="250.00"))
    order = await service.create_order(
        world.as_("buyer"), OrderCreate(requisition_id=approved.id, supplier_id=supplier.id)
    )
    world.ledger.fail_at = world.ledger.calls + 3  # the order lookup, line 1, then line 2
    with pytest.raises(FinanceUnavailable):
        await service.issue(world.as_("buyer"), order)
    assert len(world.ledger.held) == 1
    world.ledger.keys.clear()
    issued = await service.issue(world.as_("colleague"), order)
    assert len(world.ledger.held) == 2
    assert world.ledger.outstanding(order.number) == Decimal("1500.00") == issued.committed


async def test_cancelling_releases_only_what_finance_still_holds():
    world, supplier = await _world()
    buyer = world.as_("buyer")
    order = await service.create_order(
        buyer, OrderCreate(requisition_id=(await _approved(world)).id, supplier_id=supplier.id)
    )
    issued = await service.issue(buyer, order)
    # An invoice posted in finance consumed 300.00 of the line's commitment.
    [commitment] = world.ledger.held.values()
    commitment.released = Decimal("300.00")
    cancelled = await service.cancel(buyer, issued, Cancellation())
    assert commitment.outstanding == Decimal("0.00") and commitment.released == commitment.amount
    assert cancelled.committed == Decimal("0.00")


async def test_finance_away_at_issue_leaves_the_order_a_draft():
    world, supplier = await _world()
    buyer = world.as_("buyer")
    order = await service.create_order(
        buyer, OrderCreate(requisition_id=(await _approved(world)).id, supplier_id=supplier.id)
    )
    world.ledger.down = True
    with pytest.raises(FinanceUnavailable):
        await service.issue(buyer, order)
    assert (await service.get_order(buyer, order.id)).status == "draft"


async def test_amendments_move_the_commitments_and_cancelling_releases_them():
    world, supplier = await _world()
    buyer = world.as_("buyer")
    order = await service.create_order(
        buyer, OrderCreate(requisition_id=(await _approved(world)).id, supplier_id=supplier.id)
    )
    issued = await service.issue(buyer, order)
    line_id = issued.lines[0].id
    more = await service.amend(
        buyer, issued, Amendment(reason="Two more", lines=[{"line_id": line_id, "quantity": "4"}])
    )
    assert more.revision == 2 and more.lines[0].committed == Decimal("2000.00")
    assert world.ledger.available("CC01", "41100000") == Decimal("8000.00")
    fewer = await service.amend(
        buyer,
        more,
        Amendment(reason="Cheaper", lines=[{"line_id": line_id, "unit_price": "100.00"}]),
    )
    assert fewer.revision == 3 and fewer.lines[0].committed == Decimal("400.00")
    assert world.ledger.available("CC01", "41100000") == Decimal("9600.00")
    assert [a["revision"] for a in fewer.amendments] == [2, 3]
    cancelled = await service.cancel(buyer, fewer, Cancellation(reason="No longer needed"))
    assert cancelled.status == "cancelled" and cancelled.committed == Decimal("0.00")
    assert world.ledger.available("CC01", "41100000") == Decimal("10000.00")
    with pytest.raises(InvalidState):
        await service.amend(
            buyer, cancelled, Amendment(reason="x", lines=[{"line_id": line_id, "quantity": "1"}])
        )
