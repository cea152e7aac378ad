"""Budgets and commitments as every adapter speaks them, and their port."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

from sop_finance.ports import PageRequest, Record, RecordPage

CommitmentStatus = Literal["open", "closed"]


@dataclass(kw_only=True)
class Budget(Record):
    cost_centre_code: str
    account_code: str
    period_code: str
    amount: Decimal


@dataclass(kw_only=True)
class Commitment(Record):
    """Money promised but not yet spent (a purchase order): it reduces what is available until
    an invoice releases it."""

    cost_centre_code: str
    account_code: str
    commitment_date: date
    period_code: str
    amount: Decimal
    created_by: str
    number: str = ""  # the store assigns it
    released: Decimal = Decimal("0.00")
    status: CommitmentStatus = "open"
    source: str = "manual"
    source_reference: str | None = None
    description: str | None = None

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.released


@dataclass(kw_only=True)
class BudgetFilter:
    cost_centre_code: str | None = None
    account_code: str | None = None
    period_code: str | None = None
    fiscal_year: int | None = None
    updated_since: datetime | None = None


@dataclass(kw_only=True)
class CommitmentFilter:
    cost_centre_code: str | None = None
    account_code: str | None = None
    status: CommitmentStatus | None = None
    source_reference: str | None = None
    updated_since: datetime | None = None


class BudgetsPort(Protocol):
    async def list_budgets(self, flt: BudgetFilter, page: PageRequest) -> RecordPage[Budget]: ...

    async def get_budget(self, budget_id: uuid.UUID) -> Budget | None: ...

    async def find_budget(
        self, cost_centre_code: str, account_code: str, period_key: int
    ) -> Budget | None: ...

    async def add_budget(self, budget: Budget) -> Budget: ...

    async def update_budget(self, budget: Budget) -> Budget: ...

    async def budget_total(
        self, cost_centre_code: str, account_code: str, from_key: int, to_key: int
    ) -> Decimal: ...

    async def list_commitments(
        self, flt: CommitmentFilter, page: PageRequest
    ) -> RecordPage[Commitment]: ...

    async def get_commitment(
        self, commitment_id: uuid.UUID, *, lock: bool = False
    ) -> Commitment | None: ...

    async def add_commitment(self, commitment: Commitment) -> Commitment: ...

    async def update_commitment(self, commitment: Commitment) -> Commitment: ...

    async def outstanding_commitments(
        self, cost_centre_code: str, account_code: str, from_key: int, to_key: int
    ) -> Decimal: ...
