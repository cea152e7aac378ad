"""`GET /_internal/clusters/{cluster}/binding`: which backend serves a cluster's HR records now,
and why: `switch` when HR's own database binds it (the supplier switch flipped it there),
`config` when the platform config does. The gateway's cluster view asks this, so after `sop
clusters migrate` it shows the new adapter rather than the config's. Internal token with
`platform:admin`, like provisioning (`sop_shared.provisioning`); never any credential: the
adapter and the backend's URL (without user info, query or fragment) only."""

# No `from __future__ import annotations` here: FastAPI must resolve the route's annotations,
# which name variables local to the router factory.

from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Path
from pydantic import BaseModel

from sop_hr.switch.bindings import BindingDirectory, ClusterBinding, resolve
from sop_shared.context import Principal
from sop_shared.db import SessionDep
from sop_shared.errors import NotFound, problem_responses
from sop_shared.security import platform_scopes


class ClusterBindingView(BaseModel):
    cluster: str
    service: Literal["hr"] = "hr"
    adapter: str
    base_url: str | None
    source: Literal["switch", "config"]
    # A switch is copying the cluster's records: reads are served, writes wait.
    frozen: bool


def shown_url(url: str | None) -> str | None:
    """A backend URL fit to show: no user info (a password may sit there), query or fragment."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def cluster_binding_router(bindings: BindingDirectory) -> APIRouter:
    router = APIRouter(prefix="/_internal", tags=["internal"], include_in_schema=False)

    @router.get(
        "/clusters/{cluster}/binding",
        response_model=ClusterBindingView,
        responses=problem_responses(401, 403, 404),
    )
    async def cluster_binding(
        cluster: Annotated[str, Path(min_length=1, max_length=63)],
        session: SessionDep,
        _principal: Annotated[Principal, platform_scopes("platform:admin")],
    ) -> ClusterBindingView:
        row = await session.get(ClusterBinding, cluster)
        override = row.binding if row is not None else None
        config = bindings.config()
        configured = config.clusters.get(cluster)
        if not override and (configured is None or "hr" not in configured.bindings):
            raise NotFound(f"cluster {cluster} has no HR binding")
        binding = resolve(config, cluster, override)
        return ClusterBindingView(
            cluster=cluster,
            adapter=binding.adapter,
            base_url=shown_url(binding.base_url),
            source="switch" if override else "config",
            frozen=bool(row is not None and row.frozen),
        )

    return router
