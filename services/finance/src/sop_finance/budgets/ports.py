"""What the service needs from a system of record for budgets and commitments."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Protocol

from sop_finance.budgets.models import Budget, BudgetFilter, Commitment, CommitmentFilter
from sop_finance.canonical import Slice
from sop_shared.pagination import PageParams


class BudgetsPort(Protocol):
    async def list_budgets(self, flt: BudgetFilter, page: PageParams) -> Slice[Budget]: ...

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
        self, flt: CommitmentFilter, page: PageParams
    ) -> Slice[Commitment]: ...

    async def get_commitment(
        self, commitment_id: uuid.UUID, *, lock: bool = False
    ) -> Commitment | None: ...

    async def add_commitment(self, commitment: Commitment) -> Commitment: ...

    async def update_commitment(self, commitment: Commitment) -> Commitment: ...

    async def outstanding_commitments(
        self, cost_centre_code: str, account_code: str, from_key: int, to_key: int
    ) -> Decimal: ...
