"""The procurement native stores' base: the kernel's tenant-bound store, with procurement's
counter table and the problems a stale or vanished record raise."""

from __future__ import annotations

from sop_procurement.adapters.native.tables import SequenceRow
from sop_procurement.ports import RecordGone, StaleRecord
from sop_shared.rows import TenantStore


class NativeStore(TenantStore):
    sequences = SequenceRow
    gone = RecordGone
    stale = StaleRecord
