"""Native balance queries: sums over the maintained `ledger_balances`, never journal lines."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, type_coerce

from sop_finance.adapters.native.base import NativeStore
from sop_finance.adapters.native.tables import (
    AccountBalanceRow,
    LedgerBalanceRow,
    Pence,
)
from sop_finance.reports.ports import BalanceTotal
from sop_shared.rows import table_of


class NativeBalances(NativeStore):
    async def totals(
        self,
        *,
        to_key: int,
        from_key: int | None = None,
        by_cost_centre: bool = False,
        cost_centre_code: str | None = None,
        account_codes: Iterable[str] | None = None,
    ) -> list[BalanceTotal]:
        detailed = by_cost_centre or cost_centre_code is not None
        t = table_of(LedgerBalanceRow if detailed else AccountBalanceRow).c
        group = [t.account_code, t.cost_centre_code] if by_cost_centre else [t.account_code]
        stmt = (
            select(
                *group,
                type_coerce(func.sum(t.debit), Pence),
                type_coerce(func.sum(t.credit), Pence),
            )
            .where(t.tenant == self.tenant, t.period_key <= to_key)
            .group_by(*group)
        )
        if from_key is not None:
            stmt = stmt.where(t.period_key >= from_key)
        if cost_centre_code is not None:
            stmt = stmt.where(t.cost_centre_code == cost_centre_code)
        if account_codes is not None:
            stmt = stmt.where(t.account_code.in_(list(account_codes)))
        rows = (await self.session.execute(stmt)).all()
        return [
            BalanceTotal(
                account_code=r[0],
                cost_centre_code=(r[1] or None) if by_cost_centre else None,
                debit=r[-2],
                credit=r[-1],
            )
            for r in rows
        ]
