"""Which backend serves each cluster's HR, as HR's own database overrides the platform config
(the supplier switch flips it here), and the write freeze a switch holds while it copies."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, col

from sop_hr.db import Base
from sop_hr.ports import BackendUnavailable
from sop_shared.db import utcnow
from sop_shared.platform_config import AdapterBinding, PlatformConfig, PlatformConfigSource

log = logging.getLogger("sop.hr.bindings")

FROZEN_RETRY_AFTER = 30  # seconds a client is asked to wait while a switch copies records


class ClusterBinding(Base, table=True):
    """One cluster's HR binding as HR's database holds it.

    `binding` None: the platform config decides. Otherwise `{"adapter": ..., "like_cluster":
    ..., <binding fields>}`: the settings of `like_cluster`'s HR binding in the platform config
    (so credentials stay in the config and its environment, never in this table), with the
    fields given here on top. `frozen`: a switch is copying this cluster's records; writes
    are refused with 503 until it ends."""

    __tablename__ = "cluster_bindings"

    cluster: str = Field(max_length=63, primary_key=True)
    binding: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    frozen: bool = Field(default=False)
    note: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class WritesFrozen(BackendUnavailable):
    """The cluster's records are being moved to another backend: reads work, writes wait."""


def resolve(
    config: PlatformConfig, cluster: str | None, override: dict[str, Any] | None
) -> AdapterBinding:
    """The binding in force: the override's, else the platform config's."""
    if not override:
        return config.binding(cluster, "hr")
    fields: dict[str, Any] = {}
    like = override.get("like_cluster")
    if like:
        fields = config.binding(like, "hr").model_dump()
    fields.update({k: v for k, v in override.items() if k != "like_cluster"})
    return AdapterBinding.model_validate(fields)


@dataclass
class _Cached:
    expires: float
    override: dict[str, Any] | None


class BindingDirectory:
    """Looks bindings up for requests: the override row (cached for `cache_seconds`, so every
    HR replica sees a flip within that time without a restart), else the platform config."""

    def __init__(self, platform: PlatformConfigSource, cache_seconds: float) -> None:
        self.platform = platform
        self.cache_seconds = cache_seconds
        self._cache: dict[str, _Cached] = {}

    def config(self) -> PlatformConfig:
        return self.platform.current

    async def for_read(self, session: AsyncSession, cluster: str | None) -> AdapterBinding:
        if not cluster:
            return self.config().binding(cluster, "hr")
        hit = self._cache.get(cluster)
        if hit is None or hit.expires <= time.monotonic():
            row = await session.get(ClusterBinding, cluster)
            hit = _Cached(time.monotonic() + self.cache_seconds, row.binding if row else None)
            self._cache[cluster] = hit
        return resolve(self.config(), cluster, hit.override)

    async def for_write(self, session: AsyncSession, cluster: str | None) -> AdapterBinding:
        """The binding for a request that changes records, read afresh with a shared lock
        held to the end of the request's transaction: a switch's freeze waits for writes in
        flight to finish, and writes after it see the freeze (503) or the new binding."""
        if not cluster:
            return self.config().binding(cluster, "hr")
        stmt = select(ClusterBinding).where(col(ClusterBinding.cluster) == cluster)
        row = (await session.execute(stmt.with_for_update(read=True))).scalar_one_or_none()
        if row is not None and row.frozen:
            raise WritesFrozen(
                f"HR records of cluster {cluster} are moving to another backend; "
                "reads work, changes are paused until the move ends",
                retry_after=FROZEN_RETRY_AFTER,
            )
        override = row.binding if row is not None else None
        self._cache[cluster] = _Cached(time.monotonic() + self.cache_seconds, override)
        return resolve(self.config(), cluster, override)

    def forget(self) -> None:
        self._cache.clear()


async def ensure_cluster(session: AsyncSession, cluster: str) -> ClusterBinding:
    """The cluster's row, made when its first tenant is provisioned, so every write of the
    cluster has a row to take its shared lock on before any switch starts."""
    row = await session.get(ClusterBinding, cluster)
    if row is not None:
        return row
    try:
        async with session.begin_nested():
            row = ClusterBinding(cluster=cluster, binding=None, frozen=False, updated_at=utcnow())
            session.add(row)
    except IntegrityError:  # a concurrent provisioning made it first
        row = await session.get(ClusterBinding, cluster)
        assert row is not None
    return row
