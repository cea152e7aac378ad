"""The adapter registry: each technology by name, and what a factory gets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from sop_payroll.adapters.native import native_backend
from sop_payroll.ports import PayrollBackend
from sop_shared.errors import ServiceUnavailable
from sop_shared.platform_config import AdapterBinding


@dataclass(frozen=True, slots=True)
class AdapterContext:
    binding: AdapterBinding
    session: AsyncSession  # payroll's own database, in the request's transaction
    tenant: str


AdapterFactory = Callable[[AdapterContext], PayrollBackend]

ADAPTERS: dict[str, AdapterFactory] = {"native": native_backend}


def backend_for(
    binding: AdapterBinding, session: AsyncSession, *, cluster: str | None, tenant: str
) -> PayrollBackend:
    factory = ADAPTERS.get(binding.adapter)
    if factory is None:
        raise ServiceUnavailable(
            f"payroll for cluster {cluster!r} is bound to the {binding.adapter!r} adapter, "
            "which this payroll service does not provide",
            retry_after=30,
        )
    return factory(AdapterContext(binding=binding, session=session, tenant=tenant))
