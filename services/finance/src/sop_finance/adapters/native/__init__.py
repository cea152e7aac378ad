"""The native adapter: every finance port implemented on the service's own database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sop_finance.adapters.native.accounts import NativeChartOfAccounts
from sop_finance.adapters.native.budgets import NativeBudgets
from sop_finance.adapters.native.journals import NativeJournals
from sop_finance.adapters.native.payables import NativePayables
from sop_finance.adapters.native.periods import NativePeriods
from sop_finance.adapters.native.reports import NativeBalances
from sop_finance.ports import FinanceBackend


def native_backend(session: AsyncSession, tenant: str) -> FinanceBackend:
    return FinanceBackend(
        accounts=NativeChartOfAccounts(session, tenant),
        periods=NativePeriods(session, tenant),
        journals=NativeJournals(session, tenant),
        balances=NativeBalances(session, tenant),
        budgets=NativeBudgets(session, tenant),
        payables=NativePayables(session, tenant),
    )
