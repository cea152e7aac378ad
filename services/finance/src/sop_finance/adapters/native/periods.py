"""Native financial years and periods."""

from __future__ import annotations

from sqlmodel import col

from sop_finance.adapters.native.base import NativeStore
from sop_finance.adapters.native.tables import FinancialYearRow, PeriodRow
from sop_finance.periods.ports import FinancialYear, Period, PeriodStatus
from sop_shared.rows import to_domain


class NativePeriods(NativeStore):
    async def list_years(self) -> list[FinancialYear]:
        stmt = self.select(FinancialYearRow).order_by(col(FinancialYearRow.start_year))
        rows = (await self.session.execute(stmt)).scalars().all()
        return [to_domain(r, FinancialYear) for r in rows]

    async def get_year(self, start_year: int, *, lock: bool = False) -> FinancialYear | None:
        stmt = self.select(FinancialYearRow).where(col(FinancialYearRow.start_year) == start_year)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return to_domain(row, FinancialYear) if row else None

    async def add_year(self, year: FinancialYear, periods: list[Period]) -> FinancialYear:
        row = await self.insert_row(FinancialYearRow, year)
        for period in periods:
            await self.insert_row(PeriodRow, period)
        return to_domain(row, FinancialYear)

    async def update_year(self, year: FinancialYear) -> FinancialYear:
        return to_domain(await self.update_row(FinancialYearRow, year), FinancialYear)

    async def list_periods(
        self, *, fiscal_year: int | None = None, status: PeriodStatus | None = None
    ) -> list[Period]:
        stmt = self.select(PeriodRow)
        if fiscal_year is not None:
            stmt = stmt.where(col(PeriodRow.fiscal_year) == fiscal_year)
        if status is not None:
            stmt = stmt.where(col(PeriodRow.status) == status)
        stmt = stmt.order_by(col(PeriodRow.fiscal_year), col(PeriodRow.number))
        rows = (await self.session.execute(stmt)).scalars().all()
        return [to_domain(r, Period) for r in rows]

    async def get_period(self, code: str, *, hold: bool = False) -> Period | None:
        stmt = self.select(PeriodRow).where(col(PeriodRow.code) == code)
        if hold:
            # FOR SHARE: postings into the period run side by side, a close waits for them.
            stmt = stmt.with_for_update(read=True)
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return to_domain(row, Period) if row else None

    async def update_period(self, period: Period) -> Period:
        return to_domain(await self.update_row(PeriodRow, period), Period)
