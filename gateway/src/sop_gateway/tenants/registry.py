"""The tenant registry as the hot path sees it: every tenant's status, cluster and issuer held
in memory, reloaded every few seconds (so all replicas converge) and at once after a change
made through this process. A database outage leaves the last good copy in service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sop_gateway.identity.config import IssuerConfig
from sop_gateway.tenants import repository
from sop_shared.db import Database

log = logging.getLogger("sop.gateway.tenants")


@dataclass(frozen=True, slots=True)
class TenantEntry:
    slug: str
    cluster: str
    status: str
    issuer: IssuerConfig | None


class TenantRegistry:
    def __init__(
        self,
        database: Database,
        *,
        ttl: float = 5.0,
        on_change: Callable[[dict[str, TenantEntry]], None] | None = None,
    ) -> None:
        self.database = database
        self.ttl = ttl
        self.entries: dict[str, TenantEntry] = {}
        self._on_change = on_change
        self._lock = asyncio.Lock()

    def get(self, slug: str) -> TenantEntry | None:
        return self.entries.get(slug)

    async def load(self) -> None:
        async with self._lock:
            async with self.database.transaction() as session:
                rows = await repository.all_rows(session)
            entries = {
                r.slug: TenantEntry(
                    slug=r.slug,
                    cluster=r.cluster,
                    status=r.status,
                    issuer=IssuerConfig.model_validate(r.issuer_config)
                    if r.issuer_config
                    else None,
                )
                for r in rows
            }
            if entries != self.entries:
                self.entries = entries
                if self._on_change is not None:
                    self._on_change(entries)

    async def keep_fresh(self) -> None:
        while True:
            await asyncio.sleep(self.ttl)
            try:
                await self.load()
            except Exception as exc:
                log.warning("tenant registry reload failed, keeping the last copy: %s", exc)
