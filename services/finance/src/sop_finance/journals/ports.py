"""What the service needs from a system of record for journals and their posting."""

from __future__ import annotations

import uuid
from typing import Protocol

from sop_finance.canonical import Slice
from sop_finance.journals.models import Journal, JournalFilter
from sop_finance.periods.models import PeriodRef
from sop_shared.pagination import PageParams


class JournalsPort(Protocol):
    async def add(self, journal: Journal) -> Journal:
        """Store a new journal (draft, or already marked posted by the service — then its
        balances are applied too, as `post` does). The store assigns `number`."""
        ...

    async def get(self, journal_id: uuid.UUID, *, lock: bool = False) -> Journal | None:
        """With its lines. `lock=True` serialises concurrent changes to this journal."""
        ...

    async def find_by_source(self, source: str, source_reference: str) -> Journal | None: ...

    async def list(self, flt: JournalFilter, page: PageParams) -> Slice[Journal]:
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
