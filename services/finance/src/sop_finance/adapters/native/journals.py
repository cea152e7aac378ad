"""Native journals: headers, lines, and the balances they maintain as they post."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, func, select, type_coerce
from sqlmodel import col

from sop_finance.adapters.native.base import NativeStore
from sop_finance.adapters.native.tables import (
    NO_COST_CENTRE,
    AccountBalanceRow,
    JournalLineRow,
    JournalRow,
    LedgerBalanceRow,
    Pence,
)
from sop_finance.journals.ports import ZERO, Journal, JournalFilter, JournalLine
from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import PageRequest, RecordPage
from sop_finance.reports.ports import BalanceTotal
from sop_shared.rows import insert_for, row_values, table_of, to_domain

BalanceKey = tuple[int, str, str]  # period key, account, cost centre
Sums = dict[BalanceKey, list[Decimal]]  # [debit, credit] per balance row
AccountSums = dict[tuple[int, str], list[Decimal]]  # the same per period key and account
# Rows per upsert statement: six parameters a row stays under the driver's 32,767 limit.
UPSERT_CHUNK = 4000


def balance_sums(
    period_key: int,
    lines: Iterable[JournalLine],
    into: Sums | None = None,
) -> Sums:
    """Debit and credit totals of `lines` per balance key (added to `into` when given)."""
    sums = into if into is not None else defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        key = (period_key, line.account_code, line.cost_centre_code or NO_COST_CENTRE)
        sums[key][0] += line.debit
        sums[key][1] += line.credit
    return sums


class NativeJournals(NativeStore):
    async def add(self, journal: Journal) -> Journal:
        number = await self.take_number("journal", "JNL")
        row = await self.insert_row(
            JournalRow,
            journal,
            number=number,
            period_key=PeriodRef.parse(journal.period_code).key,
            total=journal.total_debit,
        )
        await self._insert_lines(journal)
        if journal.status == "posted":
            await self.apply_balances(PeriodRef.parse(journal.period_code).key, journal.lines)
        return await self._domain(row)

    async def get(self, journal_id: uuid.UUID, *, lock: bool = False) -> Journal | None:
        row = await self.row(JournalRow, journal_id, lock=lock)
        return await self._domain(row) if row else None

    async def find_by_source(self, source: str, source_reference: str) -> Journal | None:
        stmt = self.select(JournalRow).where(
            col(JournalRow.source) == source, col(JournalRow.source_reference) == source_reference
        )
        row = (await self.session.execute(stmt)).scalars().first()
        return await self._domain(row) if row else None

    async def line_totals(
        self,
        journal_id: uuid.UUID,
        *,
        account_codes: Iterable[str] | None = None,
        cost_centre_code: str | None = None,
    ) -> list[BalanceTotal]:
        t = table_of(JournalLineRow).c
        stmt = (
            select(
                t.account_code,
                t.cost_centre_code,
                type_coerce(func.sum(t.debit), Pence),
                type_coerce(func.sum(t.credit), Pence),
            )
            .where(t.tenant == self.tenant, t.journal_id == journal_id)
            .group_by(t.account_code, t.cost_centre_code)
        )
        if account_codes is not None:
            stmt = stmt.where(t.account_code.in_(list(account_codes)))
        if cost_centre_code is not None:
            stmt = stmt.where(t.cost_centre_code == cost_centre_code)
        rows = (await self.session.execute(stmt)).all()
        return [
            BalanceTotal(account_code=r[0], cost_centre_code=r[1], debit=r[2], credit=r[3])
            for r in rows
        ]

    async def list(self, flt: JournalFilter, page: PageRequest) -> RecordPage[Journal]:
        t = JournalRow
        stmt = self.select(t)
        if flt.status is not None:
            stmt = stmt.where(col(t.status) == flt.status)
        if flt.source is not None:
            stmt = stmt.where(col(t.source) == flt.source)
        if flt.source_reference is not None:
            stmt = stmt.where(col(t.source_reference) == flt.source_reference)
        if flt.period_code is not None:
            stmt = stmt.where(col(t.period_code) == flt.period_code)
        if flt.posting_date_from is not None:
            stmt = stmt.where(col(t.posting_date) >= flt.posting_date_from)
        if flt.posting_date_to is not None:
            stmt = stmt.where(col(t.posting_date) <= flt.posting_date_to)
        if flt.updated_since is not None:
            stmt = stmt.where(col(t.updated_at) >= flt.updated_since)
        if flt.ids:
            stmt = stmt.where(col(t.id).in_(flt.ids))
        rows, cursor = await self.page_rows(stmt, t, page)
        # Without their lines: the stored total stands in for the lines' sum.
        return RecordPage(
            [to_domain(r, Journal, lines=[], listed_total=r.total) for r in rows], cursor
        )

    async def update(self, journal: Journal, *, replace_lines: bool = False) -> Journal:
        extra: dict = {"period_key": PeriodRef.parse(journal.period_code).key}
        if replace_lines:
            extra["total"] = journal.total_debit
            await self.session.execute(
                delete(JournalLineRow).where(
                    col(JournalLineRow.tenant) == self.tenant,
                    col(JournalLineRow.journal_id) == journal.id,
                )
            )
            await self._insert_lines(journal)
        row = await self.update_row(JournalRow, journal, **extra)
        return await self._domain(row)

    async def delete(self, journal: Journal) -> None:
        row = await self.row(JournalRow, journal.id)
        if row is not None:
            await self.session.execute(
                delete(JournalLineRow).where(
                    col(JournalLineRow.tenant) == self.tenant,
                    col(JournalLineRow.journal_id) == journal.id,
                )
            )
            await self.session.delete(row)
            await self.session.flush()

    async def post(self, journal: Journal, period: PeriodRef) -> Journal:
        row = await self.update_row(
            JournalRow, journal, period_key=period.key, period_code=period.code
        )
        await self.apply_balances(period.key, journal.lines)
        return await self._domain(row)

    async def apply_balances(self, period_key: int, lines: Iterable[JournalLine]) -> None:
        await self.add_to_balances(balance_sums(period_key, lines))

    async def add_to_balances(self, sums: Sums) -> None:
        """Add debits and credits to the period balances, by cost centre and by account, with
        multi-row upserts whose conflict branch increments in place (`debit = debit +
        excluded.debit`): concurrent postings to the same balance row queue on its row lock
        instead of overwriting each other. Rows are locked in one order (cost-centre rows,
        then account rows, each sorted), so two postings cannot deadlock."""
        by_account: AccountSums = defaultdict(lambda: [ZERO, ZERO])
        for (period_key, account, _), (debit, credit) in sums.items():
            by_account[(period_key, account)][0] += debit
            by_account[(period_key, account)][1] += credit
        await self._upsert(
            table_of(LedgerBalanceRow),
            ("period_key", "account_code", "cost_centre_code"),
            sorted(sums.items()),
        )
        await self._upsert(
            table_of(AccountBalanceRow),
            ("period_key", "account_code"),
            sorted(by_account.items()),
        )

    async def _upsert(
        self, t: Table, key_columns: tuple[str, ...], items: Sequence[tuple[Any, Sequence[Decimal]]]
    ) -> None:
        rows = [
            {
                "tenant": self.tenant,
                **dict(zip(key_columns, key, strict=True)),
                "debit": d,
                "credit": c,
            }
            for key, (d, c) in items
        ]
        insert = insert_for(self.session)
        index = [t.c.tenant, *(t.c[name] for name in key_columns)]
        for start in range(0, len(rows), UPSERT_CHUNK):
            stmt = insert(t).values(rows[start : start + UPSERT_CHUNK])
            stmt = stmt.on_conflict_do_update(
                index_elements=index,
                set_={
                    "debit": t.c.debit + stmt.excluded.debit,
                    "credit": t.c.credit + stmt.excluded.credit,
                },
            )
            await self.session.execute(stmt)

    async def _insert_lines(self, journal: Journal) -> None:
        for number, line in enumerate(journal.lines, start=1):
            line.line_number = number
            self.session.add(
                JournalLineRow(
                    tenant=self.tenant,
                    journal_id=journal.id,
                    **row_values(line, JournalLineRow),
                )
            )
        await self.session.flush()

    async def _domain(self, row: JournalRow) -> Journal:
        stmt = (
            select(JournalLineRow)
            .where(
                col(JournalLineRow.tenant) == self.tenant, col(JournalLineRow.journal_id) == row.id
            )
            .order_by(col(JournalLineRow.line_number))
        )
        lines = [to_domain(r, JournalLine) for r in (await self.session.execute(stmt)).scalars()]
        return to_domain(row, Journal, lines=lines)
