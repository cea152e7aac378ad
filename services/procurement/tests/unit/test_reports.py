"""Transparency reports: the month's spend over £25,000 from issued orders (split by expense
type and area, sharing the order number), and prompt payment from finance's paid invoices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from procurement_fakes import World, limits, line, requisition_body, supplier_body

from sop_procurement.orders import service as orders
from sop_procurement.orders.schemas import Cancellation, OrderCreate
from sop_procurement.problems import FinanceUnavailable
from sop_procurement.reports import service
from sop_procurement.requisitions import service as requisitions
from sop_procurement.requisitions.schemas import Decision
from sop_procurement.suppliers import service as suppliers
from sop_shared.clock import UK
from sop_shared.errors import ValidationFailed


async def _issue(world, supplier, *lines, on: datetime):
    world.clock.set(on)
    alice = world.as_("alice")
    req = await requisitions.create_requisition(alice, requisition_body(*lines))
    req = await requisitions.approve(
        world.as_("boss"), await requisitions.submit(alice, req), Decision()
    )
    buyer = world.as_("buyer")
    order = await orders.create_order(
        buyer, OrderCreate(requisition_id=req.id, supplier_id=supplier.id)
    )
    return await orders.issue(buyer, order)


async def _world():
    world = World()
    world.ledger.budget("CC01", "41100000", "1000000.00")
    world.ledger.budget("CC02", "42000000", "1000000.00")
    await limits(world, director=("1000000.00", ["boss"]))
    supplier = (await suppliers.create_supplier(world.as_("buyer"), supplier_body())).supplier
    return world, supplier


def test_months_start_and_end_at_uk_midnight():
    start, end = service.month_bounds("2026-12")
    assert (start, end) == (datetime(2026, 12, 1, tzinfo=UK), datetime(2027, 1, 1, tzinfo=UK))
    start, _ = service.month_bounds("2026-07")
    assert start.utcoffset().total_seconds() == 3600  # BST


async def test_spend_over_25k_lists_big_orders_issued_in_the_month_by_expense_pair():
    world, supplier = await _world()
    big = await _issue(
        world,
        supplier,
        line(quantity="20", unit_price="1000.00", description="Servers"),
        line(quantity="1", unit_price="6000.00", description="Racks"),
        line(
            quantity="1",
            unit_price="500.00",
            description="Cabling",
            cost_centre_code="CC02",
            account_code="42000000",
        ),
        on=datetime(2026, 11, 30, 23, 30, tzinfo=UK),
    )
    # Exactly £25,000 is not over it; one in December is another month; one cancelled.
    await _issue(
        world,
        supplier,
        line(quantity="25", unit_price="1000.00"),
        on=datetime(2026, 11, 3, 9, tzinfo=UK),
    )
    await _issue(
        world,
        supplier,
        line(quantity="30", unit_price="1000.00"),
        on=datetime(2026, 12, 1, 0, 5, tzinfo=UK),
    )
    gone = await _issue(
        world,
        supplier,
        line(quantity="30", unit_price="1000.00"),
        on=datetime(2026, 11, 4, 9, tzinfo=UK),
    )
    await orders.cancel(world.as_("buyer"), gone, Cancellation())

    lines = await service.spend_over_25k(
        world.as_("x"), "2026-11", department_family="Cabinet Office", entity="Cabinet Office"
    )
    assert [(x.expense_type, x.expense_area, x.amount, x.description) for x in lines] == [
        ("41100000", "CC01", Decimal("26000.00"), "Servers; Racks"),
        ("42000000", "CC02", Decimal("500.00"), "Cabling"),
    ]
    assert {x.transaction_number for x in lines} == {big.number}
    assert lines[0].date == date(2026, 11, 30) and lines[0].supplier == "Acme Widgets Ltd"
    csv = service.spend_csv(lines).splitlines()
    assert csv[0] == (
        "Department family,Entity,Date,Expense type,Expense area,Supplier,"
        "Transaction number,Amount,Description"
    )
    assert csv[1] == (
        "Cabinet Office,Cabinet Office,30/11/2026,41100000,CC01,Acme Widgets Ltd,"
        f"{big.number},26000.00,Servers; Racks"
    )


async def test_prompt_payment_counts_days_from_receipt_to_payment():
    world = World()
    world.ledger.pay("INV-1", date(2026, 10, 1), date(2026, 10, 6))  # 5 days
    world.ledger.pay("INV-2", date(2026, 10, 1), date(2026, 10, 7))  # 6 days
    world.ledger.pay("INV-3", date(2026, 9, 1), date(2026, 10, 1))  # 30 days
    world.ledger.pay("INV-4", date(2026, 9, 1), date(2026, 10, 2))  # 31 days
    world.ledger.pay("INV-5", date(2026, 12, 1), date(2027, 1, 2))  # paid after the period
    found = await service.prompt_payment(world.as_("x"), date(2026, 10, 1), date(2026, 12, 31))
    assert (found.invoices_paid, found.within_5_days, found.within_30_days) == (4, 1, 3)
    assert (found.percent_within_5_days, found.percent_within_30_days) == (
        Decimal("25.0"),
        Decimal("75.0"),
    )
    none = await service.prompt_payment(world.as_("x"), date(2025, 1, 1), date(2025, 1, 31))
    assert none.invoices_paid == 0 and none.percent_within_5_days is None
    with pytest.raises(ValidationFailed):
        await service.prompt_payment(world.as_("x"), date(2026, 2, 1), date(2026, 1, 1))
    world.ledger.down = True
    with pytest.raises(FinanceUnavailable):
        await service.prompt_payment(world.as_("x"), date(2026, 10, 1), date(2026, 12, 31))
