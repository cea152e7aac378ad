"""Native journals: headers, lines, and the balances they maintain as they post."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import delete, select

from sop_finance.adapters.native.base import NativeStore, insert_for, row_values, to_domain
from sop_finance.adapters.native.tables import (
    NO_COST_CENTRE,
    JournalLineRow,
    JournalRow,
    LedgerBalanceRow,
)
from sop_finance.canonical import Slice
from sop_finance.journals.models import ZERO, Journal, JournalFilter, JournalLine
from sop_finance.periods.models import PeriodRef
from sop_shared.pagination import PageParams

BalanceKey = tuple[int, str, str]  # period key, account, cost centre


class NativeJournals(NativeStore):
    async def add(self, journal: Journal) -> Journal:
        number = await self.next_number("journal", "JNL")
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
            JournalRow.source == source, JournalRow.source_reference == source_reference
        )
        row = (await self.session.execute(stmt)).scalars().first()
        return await self._domain(row) if row else None

    async def list(self, flt: JournalFilter, page: PageParams) -> Slice[Journal]:
        t = JournalRow
        stmt = self.select(t)
        if flt.status is not None:
            stmt = stmt.where(t.status == flt.status)
        if flt.source is not None:
            stmt = stmt.where(t.source == flt.source)
        if flt.source_reference is not None:
            stmt = stmt.where(t.source_reference == flt.source_reference)
        if flt.period_code is not None:
            stmt = stmt.where(t.period_code == flt.period_code)
        if flt.posting_date_from is not None:
            stmt = stmt.where(t.posting_date >= flt.posting_date_from)
        if flt.posting_date_to is not None:
            stmt = stmt.where(t.posting_date <= flt.posting_date_to)
        if flt.updated_since is not None:
            stmt = stmt.where(t.updated_at >= flt.updated_since)
        if flt.ids:
            stmt = stmt.where(t.id.in_(flt.ids))  # type: ignore[attr-defined]
        return await self.page(stmt, t, page, Journal, lines=[])

    async def update(self, journal: Journal, *, replace_lines: bool = False) -> Journal:
        extra: dict = {"period_key": PeriodRef.parse(journal.period_code).key}
        if replace_lines:
            extra["total"] = journal.total_debit
            await self.session.execute(
                delete(JournalLineRow).where(
                    JournalLineRow.tenant == self.tenant, JournalLineRow.journal_id == journal.id
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
                    JournalLineRow.tenant == self.tenant, JournalLineRow.journal_id == journal.id
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

    async def apply_balances(self, period_key: int, lines: list[JournalLine]) -> None:
        """Add the lines to the period balances with one multi-row upsert whose conflict branch
        increments in place (`debit = debit + excluded.debit`): concurrent postings to the same
        balance row queue on its row lock instead of overwriting each other. Keys are sorted so
        two postings lock shared rows in the same order and cannot deadlock."""
        sums: dict[BalanceKey, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for line in lines:
            key = (period_key, line.account_code, line.cost_centre_code or NO_COST_CENTRE)
            sums[key][0] += line.debit
            sums[key][1] += line.credit
        if not sums:
            return
        t = LedgerBalanceRow.__table__
        values = [
            {
                "tenant": self.tenant,
                "period_key": key[0],
                "account_code": key[1],
                "cost_centre_code": key[2],
                "debit": debit,
                "credit": credit,
            }
            for key, (debit, credit) in sorted(sums.items())
        ]
        stmt = insert_for(self.session)(t).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.tenant, t.c.period_key, t.c.account_code, t.c.cost_centre_code],
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
            .where(JournalLineRow.tenant == self.tenant, JournalLineRow.journal_id == row.id)
            .order_by(JournalLineRow.line_number)
        )
        lines = [to_domain(r, JournalLine) for r in (await self.session.execute(stmt)).scalars()]
        return to_domain(row, Journal, lines=lines)
