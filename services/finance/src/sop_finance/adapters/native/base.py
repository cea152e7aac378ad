"""The finance native stores' base: the kernel's tenant-bound store, with finance's
counter table and the problems a stale or vanished record raise."""

from __future__ import annotations

from sop_finance.adapters.native.tables import SequenceRow
from sop_finance.ports import RecordGone, StaleRecord
from sop_shared.rows import TenantStore


class NativeStore(TenantStore):
    sequences = SequenceRow
    gone = RecordGone
    stale = StaleRecord
