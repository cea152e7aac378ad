"""Balance figures as the reports read them, and the port that sums maintained balances."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


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


class BalancesPort(Protocol):
    async def totals(
        self,
        *,
        to_key: int,
        from_key: int | None = None,
        by_cost_centre: bool = False,
        cost_centre_code: str | None = None,
        account_codes: Iterable[str] | None = None,
    ) -> list[BalanceTotal]:
        """Debits and credits per account (and per cost centre when `by_cost_centre`) over
        periods `from_key`..`to_key` inclusive (period keys such as 202605; no `from_key`:
        since the ledger began). Cost is bounded by accounts x cost centres x periods, never by
        the number of journal lines."""
        ...
