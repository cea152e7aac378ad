"""The adapter registry: each system-of-record technology by name, and what a factory gets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sop_hr.adapters.native import native_records
from sop_hr.adapters.oracle_like import oracle_like_records
from sop_hr.adapters.sap_like import sap_like_records
from sop_hr.records import HRRecords
from sop_shared.platform_config import AdapterBinding


@dataclass(frozen=True, slots=True)
class AdapterContext:
    """What the composition root hands an adapter factory for one request."""

    binding: AdapterBinding  # the cluster's settings for HR: base URL, credentials, timeouts
    # HR's own database in the request's transaction: the native adapter's records live here,
    # and any adapter keeps its id cross-references here.
    session: AsyncSession
    # Lives as long as the app: where an adapter keeps HTTP clients and circuit breakers.
    shared: dict[str, Any] = field(default_factory=dict)


AdapterFactory = Callable[[AdapterContext], HRRecords]


ADAPTERS: dict[str, AdapterFactory] = {
    "native": native_records,
    "oracle_like": oracle_like_records,
    "sap_like": sap_like_records,
}
