"""The platform config file (`deploy/platform.yaml`, `SOP_PLATFORM_CONFIG`): services' URLs and,
for each cluster, the adapter each service binds to with its settings."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sop_shared.errors import ServiceUnavailable

log = logging.getLogger("sop.platform_config")

_ENV_REF = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")
_SCOPE = re.compile(r"^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$")


class AdapterBinding(BaseModel):
    """Which technology serves one service for one cluster, and how to reach it."""

    model_config = ConfigDict(extra="allow")

    adapter: str = "native"
    base_url: str | None = None
    username: str | None = None
    password: str | None = None
    token: str | None = None
    timeout_seconds: float = 5.0
    retries: int = 2
    breaker_failures: int = 5
    breaker_reset_seconds: float = 10.0


class ClusterConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = ""
    bindings: dict[str, AdapterBinding] = Field(default_factory=dict)


class ServiceClient(BaseModel):
    """A service as a client of the gateway (token exchange, ADR 0108): the public keys it
    signs its client assertions with, the scopes it may obtain, and whether it may act for a
    named tenant without a person's token (scheduled work)."""

    model_config = ConfigDict(extra="forbid")

    client_id: str | None = Field(None, max_length=63)  # default `sop-<service>`
    jwks_file: str | None = None
    jwks_url: str | None = None
    scopes: str = ""  # the allow-list, space-separated
    scheduled: bool = False

    @field_validator("client_id", "jwks_file", "jwks_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`${VAR:-}` left empty means: not configured."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("scopes", mode="before")
    @classmethod
    def _scope_list(cls, value: object) -> object:
        if isinstance(value, list):
            return " ".join(str(v) for v in value)
        return "" if value is None else value

    @field_validator("scopes")
    @classmethod
    def _scopes_shaped(cls, value: str) -> str:
        bad = [s for s in value.split() if not _SCOPE.match(s)]
        if bad:
            raise ValueError(f"not scopes (area:verb): {' '.join(bad)}")
        return " ".join(value.split())

    @property
    def allowed_scopes(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class ServiceEndpoint(BaseModel):
    model_config = ConfigDict(extra="allow")

    url: str
    client: ServiceClient | None = None


class ClusterNotBound(ServiceUnavailable):
    """The caller's cluster is unknown to this replica's platform config, or binds no adapter
    for this service. Never guessed: a stale config must not write a department's records to
    the wrong system of record."""

    slug, title = "cluster-not-bound", "Cluster not bound"


class PlatformConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    services: dict[str, ServiceEndpoint] = Field(default_factory=dict)
    clusters: dict[str, ClusterConfig] = Field(default_factory=dict)

    def binding(self, cluster: str | None, service: str) -> AdapterBinding:
        """The binding of `service` for `cluster` (503 `cluster-not-bound` when there is none)."""
        found = self.clusters[cluster].bindings.get(service) if cluster in self.clusters else None
        if found is None:
            log.warning("cluster %r has no %s binding in the platform config", cluster, service)
            raise ClusterNotBound(
                f"cluster {cluster!r} has no {service} binding in this platform's configuration",
                retry_after=30,
            )
        return found


def _expand(value: Any) -> Any:
    if isinstance(value, str):
        return _ENV_REF.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), value)
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v) for v in value]
    return value


def load_platform_config(path: str | Path) -> PlatformConfig:
    """Parse the file, with `${VAR}` / `${VAR:-default}` taken from the environment. A missing
    file is an error: without it no cluster is bound."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"platform config {str(p)!r} not found (SOP_PLATFORM_CONFIG)")
    data = yaml.safe_load(p.read_text()) or {}
    return PlatformConfig.model_validate(_expand(data))


class PlatformConfigSource:
    """The platform config a service process holds: read at start-up, then re-read by a timer
    when the file changes (so a replica picks up a new cluster without a restart), never on a
    request's path. A change that does not parse is logged and the last good config kept."""

    def __init__(self, path: str | Path, *, refresh_seconds: float = 2.0) -> None:
        self.path = Path(path)
        self.refresh_seconds = refresh_seconds
        self._mtime = self._stat()
        self.current = load_platform_config(self.path)

    @classmethod
    def of(cls, config: PlatformConfig) -> PlatformConfigSource:
        """A fixed config (tests, tools): never refreshed."""
        source = cls.__new__(cls)
        source.path, source.refresh_seconds, source._mtime = Path(), 0.0, None
        source.current = config
        return source

    def binding(self, cluster: str | None, service: str) -> AdapterBinding:
        return self.current.binding(cluster, service)

    def _stat(self) -> float | None:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None

    def refresh(self) -> bool:
        """Re-read the file if it changed since the last read; True when the config changed."""
        if not self.refresh_seconds:
            return False
        mtime = self._stat()
        if mtime is None or mtime == self._mtime:
            return False
        try:
            self.current = load_platform_config(self.path)
        except Exception:
            log.exception(
                "platform config %s changed but could not be read; keeping the last", self.path
            )
            return False
        finally:
            self._mtime = mtime
        log.info("platform config %s reloaded", self.path)
        return True

    async def keep_fresh(self) -> None:
        """Run for the process's lifetime (the app's lifespan starts and cancels it)."""
        if not self.refresh_seconds:
            return
        while True:
            await asyncio.sleep(self.refresh_seconds)
            self.refresh()
