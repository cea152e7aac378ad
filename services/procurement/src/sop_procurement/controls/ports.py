"""Each tenant's procurement controls: its policy (what an over-budget requisition does, the
hold on new bank details) and its delegated financial authority (approval limits by role or
grade, and who holds each)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from sop_procurement.contracts.thresholds import AuthorityType
from sop_procurement.ports import Record

OverBudgetPolicy = Literal["refuse", "override"]

DEFAULT_HOLD_DAYS = 5


@dataclass(kw_only=True)
class Policy(Record):
    # refuse: an over-budget requisition is not submitted (409 over-budget); override: it is
    # submitted flagged, and its approver must give a reason to approve it regardless.
    over_budget: OverBudgetPolicy = "refuse"
    # Working days (England and Wales) between approving new bank details and their use.
    bank_change_hold_days: int = DEFAULT_HOLD_DAYS
    # How far (percent of the ordered quantity) a line may be received beyond its order:
    # practice configured per organisation, no standard value (docs/procurement.md).
    over_receipt_tolerance: Decimal = Decimal("0")
    # What kind of contracting authority the tenant is: picks its Procurement Act thresholds.
    authority_type: AuthorityType = "central_government"


@dataclass(kw_only=True)
class ApprovalLimit(Record):
    """A role or grade ("Grade 7", "Director") and the most it may approve, per requisition
    (total including VAT), and the people (token subjects) who hold it."""

    role: str
    limit: Decimal
    members: list[str] = field(default_factory=list)
    description: str | None = None


class ControlsPort(Protocol):
    async def policy(self) -> Policy:
        """The tenant's policy (the defaults until one is stored)."""
        ...

    async def save_policy(self, policy: Policy) -> Policy: ...

    async def ensure_policy(self) -> Policy:
        """The stored policy, storing the defaults first if there is none (provisioning)."""
        ...

    async def limits(self) -> list[ApprovalLimit]:
        """Every approval limit of the tenant, lowest limit first."""
        ...

    async def get_limit(self, limit_id: uuid.UUID) -> ApprovalLimit | None: ...

    async def add_limit(self, limit: ApprovalLimit) -> ApprovalLimit: ...

    async def update_limit(self, limit: ApprovalLimit) -> ApprovalLimit: ...

    async def delete_limit(self, limit: ApprovalLimit) -> None: ...
