"""Requisitions: the budget check with finance on submit (refused or routed for an override by
the tenant's policy; nothing changes when finance is away), and approval by someone else
within their delegated authority, routed to the lowest limit that covers the total."""

from __future__ import annotations

from decimal import Decimal

import pytest
from procurement_fakes import World, limits, line, requisition_body

from sop_procurement.controls import service as controls
from sop_procurement.problems import (
    AboveAuthority,
    BudgetOverrideRequired,
    FinanceUnavailable,
    OverBudget,
    SelfApproval,
)
from sop_procurement.requisitions import service
from sop_procurement.requisitions.schemas import Decision, RequisitionUpdate
from sop_shared.errors import Forbidden


async def _world() -> World:
    world = World()
    world.ledger.budget("CC01", "41100000", "5000.00")
    world.ledger.budget("CC02", "41100000", "100.00")
    await limits(
        world,
        team_leader=("1000.00", ["tl"]),
        grade_7=("5000.00", ["g7", "g7b"]),
        director=("100000.00", ["director"]),
    )
    return world


async def test_totals_come_from_the_lines_to_the_penny():
    world = await _world()
    requisition = await service.create_requisition(
        world.as_("alice"),
        requisition_body(
            line(quantity="3", unit_price="33.33"),
            line(quantity="1.5", unit_price="10.01", vat_rate="5"),
        ),
    )
    assert requisition.number == "REQ-000001"
    assert requisition.net_total == Decimal("115.01")  # 99.99 + 15.02 (15.015 rounds half up)
    assert requisition.vat_total == Decimal("20.75")  # 20.00 (19.998) + 0.75 (0.751)
    assert requisition.total == Decimal("135.76")


async def test_submit_checks_each_cost_centre_and_account_with_finance():
    world = await _world()
    alice = world.as_("alice")
    draft = await service.create_requisition(
        alice,
        requisition_body(line(), line(quantity="1", unit_price="50.00", cost_centre_code="CC02")),
    )
    submitted = await service.submit(alice, draft)
    assert submitted.status == "submitted"
    assert not submitted.over_budget
    assert [
        (c["cost_centre_code"], c["requested"], c["available"]) for c in submitted.budget_check
    ] == [
        ("CC01", "1000.00", "5000.00"),
        ("CC02", "50.00", "100.00"),
    ]
    route = await service.approval_route(alice, submitted)
    assert route is not None
    # 1,260.00 with VAT: the team leader's 1,000 does not cover it, grade 7's 5,000 does.
    assert route.roles == ["grade_7"] and route.limit == Decimal("5000.00")
    assert route.approvers == ["g7", "g7b"]
    assert world.event_types[-1] == "uk.gov.sop.procurement.requisition.submitted.v1"


async def test_over_budget_is_refused_and_nothing_changes():
    world = await _world()
    alice = world.as_("alice")
    draft = await service.create_requisition(
        alice, requisition_body(line(quantity="1", unit_price="150.00", cost_centre_code="CC02"))
    )
    with pytest.raises(OverBudget) as refused:
        await service.submit(alice, draft)
    assert "CC02/41100000 needs 150.00, 100.00 available" in str(refused.value.detail)
    assert (await service.get_requisition(alice, draft.id)).status == "draft"
    assert world.event_types == ["uk.gov.sop.procurement.requisition.created.v1"]


async def test_over_budget_is_routed_for_an_override_when_the_policy_says_so():
    world = await _world()
    policy = await world.controls.policy()
    policy.over_budget = "override"
    await world.controls.save_policy(policy)
    alice = world.as_("alice")
    draft = await service.create_requisition(
        alice, requisition_body(line(quantity="1", unit_price="150.00", cost_centre_code="CC02"))
    )
    submitted = await service.submit(alice, draft)
    assert submitted.status == "submitted" and submitted.over_budget
    with pytest.raises(BudgetOverrideRequired):
        await service.approve(world.as_("director"), submitted, Decision())
    approved = await service.approve(
        world.as_("director"), submitted, Decision(budget_override_reason="Vired from CC01")
    )
    assert approved.status == "approved"
    assert approved.budget_override_reason == "Vired from CC01"


async def test_finance_unavailable_leaves_the_draft_as_it_was():
    world = await _world()
    alice = world.as_("alice")
    draft = await service.create_requisition(alice, requisition_body())
    world.ledger.down = True
    with pytest.raises(FinanceUnavailable) as failed:
        await service.submit(alice, draft)
    assert failed.value.status == 503 and failed.value.headers["Retry-After"] == "7"
    assert (await service.get_requisition(alice, draft.id)).status == "draft"


async def test_the_requester_never_approves_their_own():
    world = await _world()
    await limits(world, self_approver=("9000.00", ["alice"]))
    alice = world.as_("alice")
    submitted = await service.submit(
        alice, await service.create_requisition(alice, requisition_body())
    )
    with pytest.raises(SelfApproval):
        await service.approve(alice, submitted, Decision())
    assert (await service.get_requisition(alice, submitted.id)).status == "submitted"


async def test_an_approver_above_their_limit_is_refused_naming_it():
    world = await _world()
    alice = world.as_("alice")
    submitted = await service.submit(
        alice, await service.create_requisition(alice, requisition_body())
    )
    with pytest.raises(AboveAuthority) as refused:
        await service.approve(world.as_("tl"), submitted, Decision())
    assert refused.value.extensions["limit"] == "1000.00"
    assert "1000.00" in str(refused.value.detail) and "1200.00" in str(refused.value.detail)
    with pytest.raises(AboveAuthority, match="no delegated authority"):
        await service.approve(world.as_("stranger"), submitted, Decision())
    approved = await service.approve(world.as_("g7"), submitted, Decision(reason="Needed"))
    assert approved.status == "approved" and approved.decided_by == "g7"


async def test_only_the_requester_edits_a_draft_and_only_a_draft():
    world = await _world()
    alice = world.as_("alice")
    draft = await service.create_requisition(alice, requisition_body())
    with pytest.raises(Forbidden):
        await service.update_requisition(world.as_("bob"), draft, RequisitionUpdate(title="Mine"))
    edited = await service.update_requisition(alice, draft, RequisitionUpdate(title="Two laptops"))
    assert edited.title == "Two laptops" and edited.lines[0].id == draft.lines[0].id


async def test_nobody_grants_themselves_authority():
    from sop_procurement.controls.schemas import ApprovalLimitCreate

    world = await _world()
    with pytest.raises(SelfApproval):
        await controls.create_limit(
            world.as_("admin"),
            ApprovalLimitCreate(role="board", limit=Decimal("1000000.00"), members=["admin"]),
        )
    made = await controls.create_limit(
        world.as_("admin"),
        ApprovalLimitCreate(role="board", limit=Decimal("1000000.00"), members=["ceo"]),
    )
    assert made.members == ["ceo"]
    route = controls.route(await world.controls.limits(), Decimal("200000.00"))
    assert route.roles == ["board"] and route.approvers == ["ceo"]
    assert controls.route(await world.controls.limits(), Decimal("2000000.00")).limit is None


async def test_the_route_skips_the_requester():
    world = await _world()
    await limits(world, clerks=("2000.00", ["alice"]))
    alice = world.as_("alice")
    submitted = await service.submit(
        alice, await service.create_requisition(alice, requisition_body())
    )
    route = await service.approval_route(alice, submitted)
    # 1,200.00: the clerks' 2,000 would cover it, but Alice is its only member and asked.
    assert route is not None and route.roles == ["grade_7"] and "alice" not in route.approvers
