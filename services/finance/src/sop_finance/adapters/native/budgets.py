"""Native budgets and commitments."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, select, type_coerce
from sqlmodel import col

from sop_finance.adapters.native.base import NativeStore
from sop_finance.adapters.native.tables import BudgetRow, CommitmentRow, Pence
from sop_finance.budgets.ports import Budget, BudgetFilter, Commitment, CommitmentFilter
from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import PageRequest, RecordPage
from sop_shared.rows import to_domain

ZERO = Decimal("0.00")


class NativeBudgets(NativeStore):
    async def list_budgets(self, flt: BudgetFilter, page: PageRequest) -> RecordPage[Budget]:
        t = BudgetRow
        stmt = self.select(t)
        if flt.cost_centre_code is not None:
            stmt = stmt.where(col(t.cost_centre_code) == flt.cost_centre_code)
        if flt.account_code is not None:
            stmt = stmt.where(col(t.account_code) == flt.account_code)
        if flt.period_code is not None:
            stmt = stmt.where(col(t.period_code) == flt.period_code)
        if flt.fiscal_year is not None:
            stmt = stmt.where(
                col(t.period_key).between(flt.fiscal_year * 100, flt.fiscal_year * 100 + 99)
            )
        if flt.updated_since is not None:
            stmt = stmt.where(col(t.updated_at) >= flt.updated_since)
        return await self.page(stmt, t, page, Budget)

    async def get_budget(self, budget_id: uuid.UUID) -> Budget | None:
        row = await self.row(BudgetRow, budget_id)
        return to_domain(row, Budget) if row else None

    async def find_budget(
        self, cost_centre_code: str, account_code: str, period_key: int
    ) -> Budget | None:
        stmt = self.select(BudgetRow).where(
            col(BudgetRow.cost_centre_code) == cost_centre_code,
            col(BudgetRow.account_code) == account_code,
            col(BudgetRow.period_key) == period_key,
        )
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return to_domain(row, Budget) if row else None

    async def add_budget(self, budget: Budget) -> Budget:
        key = PeriodRef.parse(budget.period_code).key
        return to_domain(await self.insert_row(BudgetRow, budget, period_key=key), Budget)

    async def update_budget(self, budget: Budget) -> Budget:
        return to_domain(await self.update_row(BudgetRow, budget), Budget)

    async def budget_total(
        self, cost_centre_code: str, account_code: str, from_key: int, to_key: int
    ) -> Decimal:
        t = BudgetRow
        stmt = select(type_coerce(func.coalesce(func.sum(t.amount), 0), Pence)).where(
            col(t.tenant) == self.tenant,
            col(t.cost_centre_code) == cost_centre_code,
            col(t.account_code) == account_code,
            col(t.period_key).between(from_key, to_key),
        )
        return (await self.session.execute(stmt)).scalar_one() or ZERO

    async def list_commitments(
        self, flt: CommitmentFilter, page: PageRequest
    ) -> RecordPage[Commitment]:
        t = CommitmentRow
        stmt = self.select(t)
        if flt.cost_centre_code is not None:
            stmt = stmt.where(col(t.cost_centre_code) == flt.cost_centre_code)
        if flt.account_code is not None:
            stmt = stmt.where(col(t.account_code) == flt.account_code)
        if flt.status is not None:
            stmt = stmt.where(col(t.status) == flt.status)
        if flt.source_reference is not None:
            stmt = stmt.where(col(t.source_reference) == flt.source_reference)
        if flt.updated_since is not None:
            stmt = stmt.where(col(t.updated_at) >= flt.updated_since)
        return await self.page(stmt, t, page, Commitment)

    async def get_commitment(
        self, commitment_id: uuid.UUID, *, lock: bool = False
    ) -> Commitment | None:
        row = await self.row(CommitmentRow, commitment_id, lock=lock)
        return to_domain(row, Commitment) if row else None

    async def add_commitment(self, commitment: Commitment) -> Commitment:
        number = await self.take_number("commitment", "CMT")
        key = PeriodRef.parse(commitment.period_code).key
        row = await self.insert_row(CommitmentRow, commitment, number=number, period_key=key)
        return to_domain(row, Commitment)

    async def update_commitment(self, commitment: Commitment) -> Commitment:
        return to_domain(await self.update_row(CommitmentRow, commitment), Commitment)

    async def outstanding_commitments(
        self, cost_centre_code: str, account_code: str, from_key: int, to_key: int
    ) -> Decimal:
        t = CommitmentRow
        stmt = select(type_coerce(func.coalesce(func.sum(t.amount - t.released), 0), Pence)).where(
            col(t.tenant) == self.tenant,
            col(t.status) == "open",
            col(t.cost_centre_code) == cost_centre_code,
            col(t.account_code) == account_code,
            col(t.period_key).between(from_key, to_key),
        )
        return (await self.session.execute(stmt)).scalar_one() or ZERO
