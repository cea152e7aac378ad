"""The native ledger's bulk path (PostgreSQL COPY) for ledger imports and benchmarks."""

# Journals and lines go in with COPY and their totals are added to the period balances in the
# same transaction with the same increment-upserts a posting makes, so reports stay consistent.
# It skips the API's checks except the one that matters to the books: every journal must
# balance (the caller, an administrator's import, answers for accounts and open periods).

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from sop_finance.adapters.native.journals import NativeJournals, Sums, balance_sums
from sop_finance.adapters.native.tables import Pence
from sop_finance.journals.ports import ZERO, Journal
from sop_shared.ids import uuid7

JOURNAL_COLUMNS = (
    "id", "tenant", "version", "created_at", "updated_at", "number", "description",
    "posting_date", "period_code", "period_key", "adjustment", "status", "source",
    "source_reference", "total", "prepared_by", "posted_by", "posted_at",
)  # fmt: skip
LINE_COLUMNS = (
    "id", "tenant", "journal_id", "line_number", "account_code", "cost_centre_code",
    "programme", "project", "debit", "credit", "description",
)  # fmt: skip


def _pence(amount: Decimal) -> int:
    return Pence().process_bind_param(amount, None) or 0


async def bulk_post(session: AsyncSession, tenant: str, journals: Sequence[Journal]) -> int:
    """Store `journals` as posted and update balances; returns the number of lines written."""
    for journal in journals:
        if journal.total_debit != journal.total_credit or len(journal.lines) < 2:
            raise ValueError(f"journal {journal.description!r} does not balance")
    if session.bind is None or session.bind.dialect.name != "postgresql":
        raise NotImplementedError("the bulk path uses PostgreSQL COPY")
    store = NativeJournals(session, tenant)
    first = await store.reserve_numbers("journal", len(journals))
    journal_rows, line_rows = [], []
    sums: Sums = defaultdict(lambda: [ZERO, ZERO])
    for offset, j in enumerate(journals):
        key = j.period.key
        journal_rows.append((
            j.id, tenant, 1, j.created_at, j.updated_at, f"JNL-{first + offset:06d}",
            j.description, j.posting_date, j.period_code, key, j.adjustment, "posted", j.source,
            j.source_reference, _pence(j.total), j.prepared_by, j.posted_by or j.prepared_by,
            j.posted_at or j.created_at,
        ))  # fmt: skip
        for number, ln in enumerate(j.lines, start=1):
            line_rows.append((
                uuid7(), tenant, j.id, number, ln.account_code, ln.cost_centre_code,
                ln.programme, ln.project, _pence(ln.debit), _pence(ln.credit), ln.description,
            ))  # fmt: skip
        balance_sums(key, j.lines, sums)
    raw = (await (await session.connection()).get_raw_connection()).driver_connection
    if raw is None:  # the pool hands out live connections: never, but say so rather than guess
        raise RuntimeError("no driver connection for COPY")
    await raw.copy_records_to_table("journals", records=journal_rows, columns=JOURNAL_COLUMNS)
    await raw.copy_records_to_table("journal_lines", records=line_rows, columns=LINE_COLUMNS)
    await store.add_to_balances(sums)
    return len(line_rows)
