"""The platform config file (`deploy/platform.yaml`, `SOP_PLATFORM_CONFIG`): services' URLs and,
for each cluster, the adapter each service binds to with its settings."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

_ENV_REF = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


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


class ServiceEndpoint(BaseModel):
    model_config = ConfigDict(extra="allow")

    url: str


class PlatformConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    services: dict[str, ServiceEndpoint] = Field(default_factory=dict)
    clusters: dict[str, ClusterConfig] = Field(default_factory=dict)

    def binding(self, cluster: str | None, service: str) -> AdapterBinding:
        """The binding of `service` for `cluster`; a cluster that names none uses native."""
        if cluster and cluster in self.clusters:
            found = self.clusters[cluster].bindings.get(service)
            if found is not None:
                return found
        return AdapterBinding()


def _expand(value: Any) -> Any:
    if isinstance(value, str):
        return _ENV_REF.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), value)
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v) for v in value]
    return value


_cache: dict[str, tuple[float, PlatformConfig]] = {}


def load_platform_config(path: str | Path) -> PlatformConfig:
    """Parse the file (with `${VAR}` / `${VAR:-default}` taken from the environment); re-read
    only when its modification time changes, so a binding flip is picked up without restart."""
    p = Path(path)
    if not p.exists():
        return PlatformConfig()
    mtime = p.stat().st_mtime
    key = str(p.resolve())
    hit = _cache.get(key)
    if hit and hit[0] == mtime:
        return hit[1]
    data = yaml.safe_load(p.read_text()) or {}
    config = PlatformConfig.model_validate(_expand(data))
    _cache[key] = (mtime, config)
    return config
