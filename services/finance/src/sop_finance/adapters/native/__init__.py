"""The native adapter: every finance port implemented on the service's own database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sop_finance.adapters.native.accounts import NativeChartOfAccounts
from sop_finance.adapters.native.budgets import NativeBudgets
from sop_finance.adapters.native.journals import NativeJournals
from sop_finance.adapters.native.payables import NativePayables
from sop_finance.adapters.native.periods import NativePeriods
from sop_finance.adapters.native.reports import NativeBalances
from sop_finance.ports import FinanceBackend

if TYPE_CHECKING:
    from sop_finance.adapters.registry import AdapterContext


def native_backend(context: AdapterContext) -> FinanceBackend:
    """Every port on finance's own database, in the request's session, for one tenant."""
    session, tenant = context.session, context.tenant
    return FinanceBackend(
        accounts=NativeChartOfAccounts(session, tenant),
        periods=NativePeriods(session, tenant),
        journals=NativeJournals(session, tenant),
        balances=NativeBalances(session, tenant),
        budgets=NativeBudgets(session, tenant),
        payables=NativePayables(session, tenant),
    )
