"""The adapter registry: each system-of-record technology by name, what a factory gets, and
`backend_for`, which picks the one a cluster's binding names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from sop_hr.adapters.native import native_records
from sop_hr.adapters.oracle_like import oracle_like_records
from sop_hr.adapters.sap_like import sap_like_records
from sop_hr.ports import BackendUnavailable, HRBackend
from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.platform_config import AdapterBinding
from sop_shared.resilience import BackendConnections


@dataclass(frozen=True, slots=True)
class AdapterContext:
    """What the composition root hands an adapter factory for one request."""

    binding: AdapterBinding  # the cluster's settings for HR: base URL, credentials, timeouts
    # HR's own database in the request's transaction: the native adapter's records live here,
    # and any adapter keeps its id cross-references here.
    session: AsyncSession
    # Lives as long as the app: the vendor suites' pooled clients and circuit breakers.
    backends: BackendConnections
    clock: Clock = SYSTEM_CLOCK


AdapterFactory = Callable[[AdapterContext], HRBackend]


ADAPTERS: dict[str, AdapterFactory] = {
    "native": native_records,
    "oracle_like": oracle_like_records,
    "sap_like": sap_like_records,
}


def backend_for(
    binding: AdapterBinding,
    session: AsyncSession,
    backends: BackendConnections,
    *,
    cluster: str | None,
    clock: Clock = SYSTEM_CLOCK,
) -> HRBackend:
    """The ports of the system of record `binding` names."""
    factory = ADAPTERS.get(binding.adapter)
    if factory is None:
        raise BackendUnavailable(
            f"HR for cluster {cluster!r} is bound to the {binding.adapter!r} adapter, "
            "which this HR service does not provide",
            retry_after=30,
        )
    return factory(AdapterContext(binding=binding, session=session, backends=backends, clock=clock))
