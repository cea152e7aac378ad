"""Request and response bodies for the tenant's policy and its approval limits."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from sop_procurement.contracts.thresholds import AuthorityType
from sop_procurement.controls.ports import OverBudgetPolicy
from sop_procurement.http import Amount, In, Name, Out, Percent, Text
from sop_shared.money import Money

Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class PolicyIn(In):
    over_budget: OverBudgetPolicy = Field(
        description="refuse: 409 over-budget on submit; override: submitted, and the approver "
        "must give a budget_override_reason"
    )
    bank_change_hold_days: int = Field(
        ge=0, le=30, description="Working days between approving new bank details and their use."
    )
    over_receipt_tolerance: Percent = Field(
        default=Decimal("0"),
        description="Percent of a line's ordered quantity that may be received beyond it "
        '(default "0": never more than ordered).',
    )
    authority_type: AuthorityType = Field(
        default="central_government",
        description="The contracting authority's type: picks the Procurement Act thresholds.",
    )


class PolicyOut(Out):
    over_budget: OverBudgetPolicy
    bank_change_hold_days: int
    over_receipt_tolerance: Percent
    authority_type: AuthorityType
    version: int


class ApprovalLimitCreate(In):
    role: Name = Field(examples=["Grade 7", "Deputy Director"])
    limit: Amount = Field(description="The most one requisition may total (including VAT).")
    members: list[Subject] = Field(default_factory=list, max_length=500)
    description: Text | None = None


class ApprovalLimitUpdate(In):
    role: Name | None = None
    limit: Amount | None = None
    members: list[Subject] | None = Field(None, max_length=500)
    description: Text | None = None


class ApprovalLimitOut(Out):
    id: uuid.UUID
    role: str
    limit: Money
    members: list[str]
    description: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class Route(Out):
    """Who may approve an amount: the role(s) with the lowest limit that covers it."""

    amount: Money
    roles: list[str]
    limit: Money | None = Field(description="None: no role's limit covers the amount.")
    approvers: list[str]
