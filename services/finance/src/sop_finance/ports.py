"""The vocabulary every finance port shares: what each record carries, page requests and pages
(the kernel's), the errors an adapter may raise, and `FinanceBackend`, the bundle of ports one
adapter provides for one tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sop_shared.db import utcnow
from sop_shared.errors import NotFound, PreconditionFailed
from sop_shared.ids import uuid7
from sop_shared.pagination import PageRequest, RecordPage

if TYPE_CHECKING:
    from sop_finance.accounts.ports import ChartOfAccountsPort
    from sop_finance.budgets.ports import BudgetsPort
    from sop_finance.journals.ports import JournalsPort
    from sop_finance.payables.ports import PayablesPort
    from sop_finance.payment_batches.ports import PaymentBatchesPort
    from sop_finance.periods.ports import PeriodsPort
    from sop_finance.reports.ports import BalancesPort

__all__ = [
    "FinanceBackend",
    "PageRequest",
    "Record",
    "RecordGone",
    "RecordPage",
    "StaleRecord",
]


@dataclass(kw_only=True)
class Record:
    """Identity, version and timestamps: the same on every adapter."""

    id: uuid.UUID = field(default_factory=uuid7)
    version: int = 1
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)


class StaleRecord(PreconditionFailed):
    """An update named a version the system of record no longer holds (412)."""


class RecordGone(NotFound):
    """An update named a record the system of record no longer holds (404)."""


@dataclass(frozen=True, slots=True)
class FinanceBackend:
    """The ports of one system of record for one tenant, as the composition root hands them
    to a request."""

    accounts: ChartOfAccountsPort
    periods: PeriodsPort
    journals: JournalsPort
    balances: BalancesPort
    budgets: BudgetsPort
    payables: PayablesPort
    payment_batches: PaymentBatchesPort
