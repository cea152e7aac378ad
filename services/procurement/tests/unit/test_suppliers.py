"""Suppliers: unique identifiers, statuses, and bank details that change only when a second
person approves, and only after the tenant's hold period of working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from procurement_fakes import TODAY, World, supplier_body

from sop_procurement.problems import DuplicateSupplier, InvalidState, SelfApproval
from sop_procurement.suppliers import service
from sop_procurement.suppliers.schemas import BankChangeCreate, SupplierUpdate
from sop_shared.clock import UK

NEW_DETAILS = BankChangeCreate(sort_code="654321", account_number="87654321", account_name="ACME")


async def test_a_supplier_is_created_with_its_identifiers_normalised():
    world = World()
    found = await service.create_supplier(
        world.as_("buyer"), supplier_body(vat_number="gb980 780 684")
    )
    assert found.supplier.vat_number == "GB980780684"
    assert found.supplier.company_number == "SC123456"
    assert found.bank_details is not None and found.bank_details.sort_code == "123456"
    assert world.event_types == ["uk.gov.sop.procurement.supplier.created.v1"]
    assert "sort_code" not in str(world.outbox.events[0].data)
    assert "12345678" not in str(world.outbox.events[0].data)


async def test_the_same_company_number_twice_is_refused():
    world = World()
    await service.create_supplier(world.as_("buyer"), supplier_body())
    with pytest.raises(DuplicateSupplier):
        await service.create_supplier(
            world.as_("buyer"), supplier_body(vat_number=None, legal_name="Other")
        )


async def test_suspending_publishes_the_suspension():
    world = World()
    ctx = world.as_("buyer")
    found = await service.create_supplier(ctx, supplier_body())
    updated = await service.update_supplier(ctx, found.supplier, SupplierUpdate(status="suspended"))
    assert updated.supplier.status == "suspended"
    assert world.event_types[-1] == "uk.gov.sop.procurement.supplier.suspended.v1"


async def _requested(world: World):
    clerk = world.as_("clerk")
    supplier = (await service.create_supplier(clerk, supplier_body())).supplier
    change = await service.request_bank_change(clerk, supplier, NEW_DETAILS)
    return supplier, change


async def test_the_requester_cannot_approve_their_own_bank_detail_change():
    world = World()
    supplier, change = await _requested(world)
    with pytest.raises(SelfApproval):
        await service.decide_bank_change(world.as_("clerk"), supplier, change, approve=True)
    view = await service.view(world.as_("clerk"), supplier)
    assert view.bank_details is not None and view.bank_details.account_number == "12345678"
    assert view.pending_bank_change is not None
    assert view.pending_bank_change.status == "pending"


async def test_approved_details_take_effect_after_five_working_days():
    world = World()
    supplier, change = await _requested(world)
    approved = await service.decide_bank_change(
        world.as_("manager"), supplier, change, approve=True
    )
    # From Wednesday 1 April 2026: Good Friday (3rd) and Easter Monday (6th) are not working
    # days, so five working days are 2, 7, 8, 9 and 10 April.
    assert approved.effective_from == date(2026, 4, 10)
    assert approved.decided_by == "manager" and approved.requested_by == "clerk"
    before = await service.view(world.as_("clerk"), supplier)
    assert before.bank_details is not None and before.bank_details.account_number == "12345678"
    assert before.pending_bank_change is not None
    assert before.pending_bank_change.effective_from == date(2026, 4, 10)

    world.clock.set(datetime(2026, 4, 9, 23, 59, tzinfo=UK))
    assert (await service.view(world.as_("x"), supplier)).bank_details.account_number == "12345678"
    world.clock.set(datetime(2026, 4, 10, 0, 1, tzinfo=UK))
    after = await service.view(world.as_("x"), supplier)
    assert after.bank_details is not None and after.bank_details.account_number == "87654321"
    assert after.pending_bank_change is None
    actions = world.audit_actions
    assert "bank-change.request" in actions and "bank-change.approve" in actions
    assert all("87654321" not in str(e.data) for e in world.outbox.events)


async def test_the_hold_is_the_tenants_setting():
    world = World()
    policy = await world.controls.policy()
    policy.bank_change_hold_days = 0
    await world.controls.save_policy(policy)
    supplier, change = await _requested(world)
    approved = await service.decide_bank_change(
        world.as_("manager"), supplier, change, approve=True
    )
    assert approved.effective_from == TODAY.date()
    view = await service.view(world.as_("x"), supplier)
    assert view.bank_details is not None and view.bank_details.account_number == "87654321"


async def test_one_change_at_a_time_and_a_rejected_change_never_applies():
    world = World()
    supplier, change = await _requested(world)
    with pytest.raises(InvalidState):
        await service.request_bank_change(world.as_("clerk"), supplier, NEW_DETAILS)
    await service.decide_bank_change(world.as_("manager"), supplier, change, approve=False)
    world.clock.advance(timedelta(days=30))
    view = await service.view(world.as_("x"), supplier)
    assert view.bank_details is not None and view.bank_details.account_number == "12345678"
    assert view.pending_bank_change is None
    rejected = await service.get_bank_change(world.as_("x"), supplier, change.id)
    assert rejected.status == "rejected"
    with pytest.raises(InvalidState):
        await service.decide_bank_change(world.as_("manager"), supplier, rejected, approve=True)
