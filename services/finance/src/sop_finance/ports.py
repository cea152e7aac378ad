"""The finance backend: the set of ports an adapter provides for one tenant."""

from __future__ import annotations

from dataclasses import dataclass

from sop_finance.accounts.ports import ChartOfAccountsPort
from sop_finance.budgets.ports import BudgetsPort
from sop_finance.journals.ports import JournalsPort
from sop_finance.payables.ports import PayablesPort
from sop_finance.periods.ports import PeriodsPort
from sop_finance.reports.ports import BalancesPort


@dataclass(frozen=True)
class FinanceBackend:
    accounts: ChartOfAccountsPort
    periods: PeriodsPort
    journals: JournalsPort
    balances: BalancesPort
    budgets: BudgetsPort
    payables: PayablesPort
