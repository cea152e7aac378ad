"""What the service needs from a system of record for financial years and periods."""

from __future__ import annotations

from typing import Protocol

from sop_finance.periods.models import FinancialYear, Period, PeriodStatus


class PeriodsPort(Protocol):
    async def list_years(self) -> list[FinancialYear]: ...

    async def get_year(self, start_year: int, *, lock: bool = False) -> FinancialYear | None: ...

    async def add_year(self, year: FinancialYear, periods: list[Period]) -> FinancialYear: ...

    async def update_year(self, year: FinancialYear) -> FinancialYear: ...

    async def list_periods(
        self, *, fiscal_year: int | None = None, status: PeriodStatus | None = None
    ) -> list[Period]: ...

    async def get_period(self, code: str, *, hold: bool = False) -> Period | None:
        """`hold=True` keeps the period's state from changing until the transaction ends (a
        posting holds its period, so a concurrent close waits for it)."""
        ...

    async def update_period(self, period: Period) -> Period: ...
