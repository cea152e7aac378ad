"""Provisioning a tenant in each service: `PUT /_internal/tenants/{slug}` with an internal
token (`platform:admin`, audience `sop-<service>`). Services treat it as idempotent, so a
partial run is completed by running it again."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import aiohttp

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
        session: aiohttp.ClientSession | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.services = services  # name -> base URL
        self.tokens = tokens
        self.session = session  # may be set later, once there is an event loop
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
        assert self.session is not None, "the provisioner has no HTTP session yet"
        try:
            async with self.session.put(
                url,
                json={"cluster": cluster},
                headers={"Authorization": f"Bearer {token}"},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as resp:
                if 200 <= resp.status < 300:
                    return None
                text = (await resp.text())[:300]
                log.warning("provisioning %s in %s: %s %s", slug, service, resp.status, text)
                return f"answered {resp.status}"
        except TimeoutError:
            return "timed out"
        except aiohttp.ClientError as exc:
            log.warning("provisioning %s in %s failed: %s", slug, service, exc)
            return "unreachable"
