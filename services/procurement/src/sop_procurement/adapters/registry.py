"""The adapter registry: each system-of-record technology by name, what a factory gets, and
`backend_for`, which picks the one a cluster's binding names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from sop_procurement.adapters.native import native_backend
from sop_procurement.ports import ProcurementBackend
from sop_procurement.problems import AdapterUnavailable
from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.platform_config import AdapterBinding
from sop_shared.resilience import BackendConnections


@dataclass(frozen=True, slots=True)
class AdapterContext:
    """What the composition root hands an adapter factory for one request."""

    binding: (
        AdapterBinding  # the cluster's settings for procurement: base URL, credentials, timeouts
    )
    # Procurement's own database in the request's transaction: the native adapter's records live
    # here, and any adapter keeps its id cross-references here.
    session: AsyncSession
    tenant: str  # every port a factory returns acts for this tenant only
    # Lives as long as the app: the vendor suites' pooled clients and circuit breakers.
    backends: BackendConnections
    # The kernel clock: what the native adapter stamps created_at/updated_at with, so a record's
    # times agree with the instants the service writes (posted_at, approved_at).
    clock: Clock = SYSTEM_CLOCK


AdapterFactory = Callable[[AdapterContext], ProcurementBackend]

# One entry per technology; the Oracle-like and SAP-like adapters register here when they land.
ADAPTERS: dict[str, AdapterFactory] = {"native": native_backend}


def backend_for(
    binding: AdapterBinding,
    session: AsyncSession,
    backends: BackendConnections,
    *,
    tenant: str,
    cluster: str | None,
    clock: Clock = SYSTEM_CLOCK,
) -> ProcurementBackend:
    """The ports of the system of record `binding` names, for `tenant` (503
    `adapter-unavailable` when this release has no such adapter)."""
    factory = ADAPTERS.get(binding.adapter)
    if factory is None:
        raise AdapterUnavailable(
            f"cluster {cluster!r} is bound to the {binding.adapter!r} procurement adapter, "
            "which this release does not provide",
            retry_after=60,
        )
    return factory(
        AdapterContext(
            binding=binding, session=session, tenant=tenant, backends=backends, clock=clock
        )
    )
