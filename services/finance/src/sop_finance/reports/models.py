"""Canonical balance figures and the report objects built from them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class BalanceTotal:
    """Debits and credits summed over a range of periods for one account (and, when asked
    for, one cost centre)."""

    account_code: str
    debit: Decimal
    credit: Decimal
    cost_centre_code: str | None = None

    @property
    def net(self) -> Decimal:
        """Debit minus credit: positive is a debit balance."""
        return self.debit - self.credit
