"""Journals and their lines as every adapter speaks them, and the port for journals and
their posting."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import PageRequest, Record, RecordPage
from sop_finance.reports.ports import BalanceTotal

ZERO = Decimal("0.00")

JournalStatus = Literal["draft", "approved", "posted"]
JOURNAL_STATUSES: tuple[JournalStatus, ...] = ("draft", "approved", "posted")

MANUAL = "manual"
# Sources the service writes itself; clients may not claim them.
REVERSAL, YEAR_END, PAYABLES = "reversal", "year_end", "payables"
RESERVED_SOURCES = frozenset({REVERSAL, YEAR_END, PAYABLES})


@dataclass(kw_only=True)
class JournalLine:
    account_code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    cost_centre_code: str | None = None
    programme: str | None = None
    project: str | None = None
    description: str | None = None
    line_number: int = 0


@dataclass(kw_only=True)
class Journal(Record):
    description: str
    posting_date: date
    period_code: str
    lines: list[JournalLine]
    # Whoever last set the lines: the person an approver must differ from.
    prepared_by: str
    number: str = ""  # the store assigns it
    adjustment: bool = False
    status: JournalStatus = "draft"
    source: str = MANUAL
    source_reference: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    posted_by: str | None = None
    posted_at: datetime | None = None
    reverses_journal_id: uuid.UUID | None = None
    reversed_by_journal_id: uuid.UUID | None = None
    # The stored total of a journal read without its lines (a list): `total` is then this.
    listed_total: Decimal | None = None

    @property
    def period(self) -> PeriodRef:
        return PeriodRef.parse(self.period_code)

    @property
    def total(self) -> Decimal:
        """The journal's value: its debits (equal to its credits once it balances)."""
        if not self.lines and self.listed_total is not None:
            return self.listed_total
        return self.total_debit

    @property
    def total_debit(self) -> Decimal:
        return sum((ln.debit for ln in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((ln.credit for ln in self.lines), ZERO)


@dataclass(kw_only=True)
class JournalFilter:
    status: JournalStatus | None = None
    source: str | None = None
    source_reference: str | None = None
    period_code: str | None = None
    posting_date_from: date | None = None
    posting_date_to: date | None = None
    updated_since: datetime | None = None
    ids: list[uuid.UUID] = field(default_factory=list)


class JournalsPort(Protocol):
    async def add(self, journal: Journal) -> Journal:
        """Store a new journal (draft, or already marked posted by the service — then its
        balances are applied too, as `post` does). The store assigns `number`."""
        ...

    async def get(self, journal_id: uuid.UUID, *, lock: bool = False) -> Journal | None:
        """With its lines. `lock=True` serialises concurrent changes to this journal."""
        ...

    async def find_by_source(self, source: str, source_reference: str) -> Journal | None: ...

    async def line_totals(
        self,
        journal_id: uuid.UUID,
        *,
        account_codes: Iterable[str] | None = None,
        cost_centre_code: str | None = None,
    ) -> list[BalanceTotal]:
        """Debits and credits of one journal's lines per account and cost centre (only those
        asked for): what that journal added to the balances. Cost is bounded by the journal's
        lines."""
        ...

    async def list(self, flt: JournalFilter, page: PageRequest) -> RecordPage[Journal]:
        """Without lines (lists stay light); `get` gives the lines."""
        ...

    async def update(self, journal: Journal, *, replace_lines: bool = False) -> Journal:
        """Store a header change (approval, a linked reversal); with `replace_lines`, a draft's
        new lines too."""
        ...

    async def delete(self, journal: Journal) -> None: ...

    async def post(self, journal: Journal, period: PeriodRef) -> Journal:
        """Mark the (already validated) journal posted into `period` and add its lines to the
        period balances, atomically with the rest of the transaction."""
        ...
