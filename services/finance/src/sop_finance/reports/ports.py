"""What the reports need from a system of record: sums of maintained balances."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sop_finance.reports.models import BalanceTotal


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
