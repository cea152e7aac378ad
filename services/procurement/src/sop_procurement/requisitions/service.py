"""Requisition rules: drafts belong to their requester; submitting checks every cost centre
and account against finance's budget availability (refused, or routed for an override, by
the tenant's policy); approval is by someone else whose delegated authority covers the total."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sop_procurement.context import ProcurementContext
from sop_procurement.controls import service as controls
from sop_procurement.ports import PageRequest, RecordPage
from sop_procurement.problems import (
    BudgetOverrideRequired,
    InvalidState,
    OverBudget,
    SelfApproval,
)
from sop_procurement.requisitions import events
from sop_procurement.requisitions.ports import Requisition, RequisitionFilter, RequisitionLine
from sop_procurement.requisitions.schemas import (
    Decision,
    LineIn,
    RequisitionCreate,
    RequisitionUpdate,
)
from sop_shared.errors import Forbidden, NotFound


def _lines(data: list[LineIn], old: list[RequisitionLine] | None = None) -> list[RequisitionLine]:
    """New lines, keeping the ids of the lines they replace position by position."""
    old = old or []
    return [
        RequisitionLine(
            **({"id": old[i].id} if i < len(old) else {}),
            line_number=i + 1,
            description=line.description,
            cpv_code=line.cpv_code,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            cost_centre_code=line.cost_centre_code,
            account_code=line.account_code,
            need_by=line.need_by,
        )
        for i, line in enumerate(data)
    ]


async def create_requisition(ctx: ProcurementContext, data: RequisitionCreate) -> Requisition:
    now = ctx.clock.now()
    requisition = await ctx.backend.requisitions.add(
        Requisition(
            number=await ctx.backend.requisitions.next_number(),
            title=data.title,
            justification=data.justification,
            supplier_id=data.supplier_id,
            requested_by=ctx.actor,
            lines=_lines(data.lines),
            created_at=now,
            updated_at=now,
        )
    )
    await ctx.audit.record("create", "requisition", requisition.id, after=requisition)
    await events.publish(ctx, events.CREATED, requisition)
    return requisition


async def get_requisition(
    ctx: ProcurementContext, requisition_id: uuid.UUID, *, lock: bool = False
) -> Requisition:
    found = await ctx.backend.requisitions.get(requisition_id, lock=lock)
    if found is None:
        raise NotFound(f"requisition {requisition_id} not found")
    return found


async def list_requisitions(
    ctx: ProcurementContext, *, flt: RequisitionFilter, page: PageRequest
) -> RecordPage[Requisition]:
    return await ctx.backend.requisitions.search(flt, page)


async def approval_route(
    ctx: ProcurementContext, requisition: Requisition
) -> controls.Route | None:
    if requisition.status != "submitted":
        return None
    limits = await ctx.backend.controls.limits()
    return controls.route(limits, requisition.total, requester=requisition.requested_by)


def _draft_of_requester(ctx: ProcurementContext, requisition: Requisition) -> None:
    if requisition.status != "draft":
        raise InvalidState(f"requisition {requisition.number} is {requisition.status}, not draft")
    if requisition.requested_by != ctx.actor:
        raise Forbidden(f"only its requester ({requisition.requested_by}) changes a draft")


async def update_requisition(
    ctx: ProcurementContext, requisition: Requisition, data: RequisitionUpdate
) -> Requisition:
    _draft_of_requester(ctx, requisition)
    changes: dict[str, Any] = {}
    for name in data.model_fields_set:
        if name == "lines":
            if data.lines is not None:
                changes["lines"] = _lines(data.lines, requisition.lines)
        elif name == "title":
            if data.title is not None:
                changes["title"] = data.title
        else:
            changes[name] = getattr(data, name)
    saved = await ctx.backend.requisitions.update(replace(requisition, **changes))
    await ctx.audit.record("update", "requisition", saved.id, before=requisition, after=saved)
    return saved


async def submit(ctx: ProcurementContext, requisition: Requisition) -> Requisition:
    """Check the budget of every (cost centre, account) the lines charge, with finance, then
    submit. Finance unreachable: 503 and nothing changes."""
    _draft_of_requester(ctx, requisition)
    wanted: dict[tuple[str, str], Decimal] = defaultdict(lambda: Decimal("0.00"))
    for line in requisition.lines:
        wanted[(line.cost_centre_code, line.account_code)] += line.net
    check = []
    for (cost_centre, account), amount in sorted(wanted.items()):
        found = await ctx.ledger.availability(cost_centre, account)
        check.append(
            {
                "cost_centre_code": cost_centre,
                "account_code": account,
                "financial_year": found.financial_year,
                "requested": f"{amount:.2f}",
                "available": f"{found.available:.2f}",
                "over_budget": amount > found.available,
            }
        )
    over = [c for c in check if c["over_budget"]]
    if over:
        policy = await ctx.backend.controls.policy()
        if policy.over_budget == "refuse":
            raise OverBudget(
                "not enough budget: "
                + "; ".join(
                    f"{c['cost_centre_code']}/{c['account_code']} needs {c['requested']}, "
                    f"{c['available']} available"
                    for c in over
                ),
                budget_check=check,
            )
    saved = await ctx.backend.requisitions.update(
        replace(
            requisition,
            status="submitted",
            submitted_at=ctx.clock.now(),
            budget_check=check,
            over_budget=bool(over),
        )
    )
    await ctx.audit.record("submit", "requisition", saved.id, before=requisition, after=saved)
    await events.publish(ctx, events.SUBMITTED, saved)
    return saved


async def approve(ctx: ProcurementContext, requisition: Requisition, data: Decision) -> Requisition:
    if requisition.status != "submitted":
        raise InvalidState(
            f"requisition {requisition.number} is {requisition.status}, not submitted"
        )
    if requisition.requested_by == ctx.actor:
        raise SelfApproval("a requester never approves their own requisition")
    await controls.check_authority(ctx, requisition.total)
    if requisition.over_budget and not data.budget_override_reason:
        raise BudgetOverrideRequired(
            "this requisition was submitted over budget: approve it with a "
            "budget_override_reason, or reject it",
            errors=[("budget_override_reason", "required: the requisition is over budget")],
        )
    saved = await ctx.backend.requisitions.update(
        replace(
            requisition,
            status="approved",
            decided_by=ctx.actor,
            decided_at=ctx.clock.now(),
            decision_reason=data.reason,
            budget_override_reason=data.budget_override_reason if requisition.over_budget else None,
        )
    )
    await ctx.audit.record("approve", "requisition", saved.id, before=requisition, after=saved)
    await events.publish(ctx, events.APPROVED, saved)
    return saved


async def reject(ctx: ProcurementContext, requisition: Requisition, data: Decision) -> Requisition:
    if requisition.status != "submitted":
        raise InvalidState(
            f"requisition {requisition.number} is {requisition.status}, not submitted"
        )
    if requisition.requested_by == ctx.actor:
        raise SelfApproval("a requester does not decide their own requisition")
    saved = await ctx.backend.requisitions.update(
        replace(
            requisition,
            status="rejected",
            decided_by=ctx.actor,
            decided_at=ctx.clock.now(),
            decision_reason=data.reason,
        )
    )
    await ctx.audit.record("reject", "requisition", saved.id, before=requisition, after=saved)
    await events.publish(ctx, events.REJECTED, saved)
    return saved


async def mark_ordered(
    ctx: ProcurementContext, requisition: Requisition, order_id: uuid.UUID
) -> Requisition:
    if requisition.status != "approved":
        raise InvalidState(
            f"requisition {requisition.number} is {requisition.status}: only an approved "
            "requisition becomes an order"
        )
    saved = await ctx.backend.requisitions.update(
        replace(requisition, status="ordered", order_id=order_id)
    )
    await ctx.audit.record("order", "requisition", saved.id, before=requisition, after=saved)
    await events.publish(ctx, events.ORDERED, saved)
    return saved
