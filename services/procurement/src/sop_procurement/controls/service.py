"""Delegated financial authority and the tenant's policy. Limits are data a tenant manages
(HM Treasury delegates authority to departments; limits by grade inside a department are the
department's own: docs/procurement.md), never code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

from sop_procurement.context import ProcurementContext
from sop_procurement.controls.ports import ApprovalLimit, Policy
from sop_procurement.controls.schemas import ApprovalLimitCreate, ApprovalLimitUpdate, PolicyIn
from sop_procurement.problems import AboveAuthority, SelfApproval
from sop_shared.errors import NotFound


@dataclass(frozen=True, slots=True)
class Route:
    """Who may approve `amount`: the roles with the lowest limit at or above it."""

    amount: Decimal
    roles: list[str]
    limit: Decimal | None
    approvers: list[str]


def route(limits: list[ApprovalLimit], amount: Decimal, *, requester: str | None = None) -> Route:
    """The roles with the lowest limit covering `amount` that someone other than the
    requester holds (a requester never approves their own), and those people."""
    covering = [
        lim for lim in limits if lim.limit >= amount and any(m != requester for m in lim.members)
    ]
    if not covering:
        return Route(amount, [], None, [])
    lowest = min(lim.limit for lim in covering)
    chosen = sorted((lim for lim in covering if lim.limit == lowest), key=lambda lim: lim.role)
    approvers = sorted({m for lim in chosen for m in lim.members if m != requester})
    return Route(amount, [lim.role for lim in chosen], lowest, approvers)


def authority_of(limits: list[ApprovalLimit], subject: str) -> Decimal | None:
    """The highest limit among the roles `subject` holds (None: no delegated authority)."""
    held = [lim.limit for lim in limits if subject in lim.members]
    return max(held) if held else None


async def check_authority(ctx: ProcurementContext, amount: Decimal) -> Decimal:
    """The approver's limit, when it covers `amount` (403 above-authority naming it if not)."""
    limits = await ctx.backend.controls.limits()
    limit = authority_of(limits, ctx.actor)
    if limit is None or limit < amount:
        named = "no delegated authority" if limit is None else f"a limit of {limit:.2f}"
        raise AboveAuthority(
            f"{ctx.actor} holds {named}; this requisition totals {amount:.2f}",
            limit=None if limit is None else f"{limit:.2f}",
            amount=f"{amount:.2f}",
        )
    return limit


async def get_policy(ctx: ProcurementContext) -> Policy:
    return await ctx.backend.controls.policy()


async def set_policy(ctx: ProcurementContext, policy: Policy, data: PolicyIn) -> Policy:
    updated = replace(
        policy,
        over_budget=data.over_budget,
        bank_change_hold_days=data.bank_change_hold_days,
        over_receipt_tolerance=data.over_receipt_tolerance,
        authority_type=data.authority_type,
    )
    saved = await ctx.backend.controls.save_policy(updated)
    await ctx.audit.record("update", "policy", ctx.tenant, before=policy, after=saved)
    return saved


def _not_self(ctx: ProcurementContext, members: list[str]) -> None:
    if ctx.actor in members:
        raise SelfApproval(
            "nobody grants themselves delegated authority: another approver adds you",
            errors=[("members", f"{ctx.actor} cannot add themselves")],
        )


async def list_limits(ctx: ProcurementContext) -> list[ApprovalLimit]:
    return await ctx.backend.controls.limits()


async def get_limit(ctx: ProcurementContext, limit_id: uuid.UUID) -> ApprovalLimit:
    found = await ctx.backend.controls.get_limit(limit_id)
    if found is None:
        raise NotFound(f"approval limit {limit_id} not found")
    return found


async def create_limit(ctx: ProcurementContext, data: ApprovalLimitCreate) -> ApprovalLimit:
    members = sorted(set(data.members))
    _not_self(ctx, members)
    now = ctx.clock.now()
    limit = await ctx.backend.controls.add_limit(
        ApprovalLimit(
            role=data.role,
            limit=data.limit,
            members=members,
            description=data.description,
            created_at=now,
            updated_at=now,
        )
    )
    await ctx.audit.record("create", "approval-limit", limit.id, after=limit)
    return limit


async def update_limit(
    ctx: ProcurementContext, limit: ApprovalLimit, data: ApprovalLimitUpdate
) -> ApprovalLimit:
    changes = {
        name: getattr(data, name)
        for name in data.model_fields_set
        if getattr(data, name) is not None or name == "description"
    }
    if "members" in changes:
        changes["members"] = sorted(set(changes["members"]))
        _not_self(ctx, [m for m in changes["members"] if m not in limit.members])
    if ctx.actor in limit.members and "limit" in changes:
        _not_self(ctx, [ctx.actor])  # nobody raises their own limit
    updated = replace(limit, **changes)
    saved = await ctx.backend.controls.update_limit(updated)
    await ctx.audit.record("update", "approval-limit", limit.id, before=limit, after=saved)
    return saved


async def delete_limit(ctx: ProcurementContext, limit: ApprovalLimit) -> None:
    await ctx.backend.controls.delete_limit(limit)
    await ctx.audit.record("delete", "approval-limit", limit.id, before=limit)
