"""Platform configs for tests: which clusters exist and what each binds, without a file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sop_shared.platform_config import (
    AdapterBinding,
    ClusterConfig,
    PlatformConfig,
    PlatformConfigSource,
)

SERVICES = ("hr", "finance", "procurement", "payroll")
# The clusters test tokens name (TokenMinter's default is "matrix").
TEST_CLUSTERS = ("matrix", "synergy", "unity", "defence", "overseas")


def native_platform(
    clusters: Iterable[str] = TEST_CLUSTERS,
    *,
    services: Iterable[str] = SERVICES,
    bindings: Mapping[str, Mapping[str, AdapterBinding | Mapping[str, Any]]] | None = None,
) -> PlatformConfigSource:
    """A platform where every cluster in `clusters` binds every service to `native`, except
    what `bindings` ({cluster: {service: binding}}) says. Clusters not named are unbound."""
    config = PlatformConfig(
        clusters={
            cluster: ClusterConfig(
                bindings={service: AdapterBinding(adapter="native") for service in services}
            )
            for cluster in clusters
        }
    )
    for cluster, by_service in (bindings or {}).items():
        found = config.clusters.setdefault(cluster, ClusterConfig())
        for service, binding in by_service.items():
            found.bindings[service] = AdapterBinding.model_validate(binding)
    return PlatformConfigSource.of(config)
