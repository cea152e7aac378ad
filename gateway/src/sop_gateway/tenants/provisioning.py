"""Provisioning a tenant in each service: `PUT /_internal/tenants/{slug}` with an internal
token (`platform:admin`, audience `sop-<service>`). Services treat it as idempotent, so a
partial run is completed by running it again."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx

from sop_gateway.identity.internal import InternalTokens

log = logging.getLogger("sop.gateway.provisioning")

ADMIN_SCOPES = frozenset({"platform:admin"})


@dataclass(frozen=True)
class Actor:
    subject: str
    client_id: str


class Provisioner:
    def __init__(
        self,
        *,
        services: dict[str, str],
        tokens: InternalTokens,
        client: httpx.AsyncClient | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.services = services  # name -> base URL
        self.tokens = tokens
        self.client = client  # may be set later, once there is an event loop
        self.timeout = timeout

    async def provision(self, slug: str, cluster: str, actor: Actor) -> dict[str, str]:
        """Provision in every service at once; returns {service: reason} for those that failed."""
        names = list(self.services)
        results = await asyncio.gather(*(self._one(n, slug, cluster, actor) for n in names))
        return {n: r for n, r in zip(names, results, strict=True) if r is not None}

    async def _one(self, service: str, slug: str, cluster: str, actor: Actor) -> str | None:
        token = self.tokens.mint(
            audience=f"sop-{service}",
            subject=actor.subject,
            client_id=actor.client_id,
            tenant=None,
            cluster=None,
            scopes=ADMIN_SCOPES,
        )
        url = f"{self.services[service].rstrip('/')}/_internal/tenants/{slug}"
        assert self.client is not None, "the provisioner has no HTTP client yet"
        try:
            async with asyncio.timeout(self.timeout):
                resp = await self.client.put(
                    url,
                    json={"cluster": cluster},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=self.timeout,
                )
        except (TimeoutError, httpx.TimeoutException):
            return "timed out"
        except httpx.HTTPError as exc:
            log.warning("provisioning %s in %s failed: %s", slug, service, exc)
            return "unreachable"
        if resp.is_success:
            return None
        log.warning(
            "provisioning %s in %s: %s %s", slug, service, resp.status_code, resp.text[:300]
        )
        return f"answered {resp.status_code}"
