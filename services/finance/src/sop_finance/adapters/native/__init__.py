"""The native adapter: every finance port implemented on the service's own database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sop_finance.adapters.native.accounts import NativeChartOfAccounts
from sop_finance.adapters.native.budgets import NativeBudgets
from sop_finance.adapters.native.journals import NativeJournals
from sop_finance.adapters.native.payables import NativePayables
from sop_finance.adapters.native.payment_batches import NativePaymentBatches
from sop_finance.adapters.native.periods import NativePeriods
from sop_finance.adapters.native.reports import NativeBalances
from sop_finance.ports import FinanceBackend

if TYPE_CHECKING:
    from sop_finance.adapters.registry import AdapterContext


def native_backend(context: AdapterContext) -> FinanceBackend:
    """Every port on finance's own database, in the request's session, for one tenant, stamping
    rows with the kernel clock."""
    session, tenant, clock = context.session, context.tenant, context.clock
    return FinanceBackend(
        accounts=NativeChartOfAccounts(session, tenant, clock),
        periods=NativePeriods(session, tenant, clock),
        journals=NativeJournals(session, tenant, clock),
        balances=NativeBalances(session, tenant, clock),
        budgets=NativeBudgets(session, tenant, clock),
        payables=NativePayables(session, tenant, clock),
        payment_batches=NativePaymentBatches(session, tenant, clock),
    )
