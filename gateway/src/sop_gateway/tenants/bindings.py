"""The bindings the cluster view shows: each service's own answer where it keeps one, the
platform config's otherwise.

A service whose binding can change without the platform config (HR, by its supplier switch)
serves `GET /_internal/clusters/{cluster}/binding` (internal token, `platform:admin`, as for
provisioning) answering the binding in force and its source (`switch` or `config`), without
credentials. The gateway asks every service it routes, all at once and bounded by a timeout;
a service that does not serve the route (404) is using the config's binding (`source: config`,
`live: true`); one that cannot be asked (down, slow, an error) is shown with the config's
binding and `live: false`, which it may not be using."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from sop_gateway.identity.internal import InternalTokens
from sop_gateway.tenants.provisioning import ADMIN_SCOPES, Actor
from sop_gateway.tenants.schemas import BindingOut
from sop_shared.platform_config import ClusterConfig

log = logging.getLogger("sop.gateway.bindings")

BINDING_PATH = "/_internal/clusters/{cluster}/binding"
SOURCES = frozenset({"switch", "config"})


class _NotServed:
    """The service answered 404: it keeps no binding of its own for the cluster."""


NOT_SERVED = _NotServed()
Answer = BindingOut | _NotServed | None  # None: the service could not be asked


def shown_url(url: str | None) -> str | None:
    """A backend URL fit to show: no user info (a password may sit there), query or fragment."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class LiveBindings:
    def __init__(
        self,
        *,
        services: dict[str, str],
        tokens: InternalTokens,
        timeout: float,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.services = services  # name -> base URL (the services the gateway routes)
        self.tokens = tokens
        self.timeout = timeout
        self.client = client  # set at start-up, on the serving loop

    async def bindings(
        self, cluster: str, configured: ClusterConfig, actor: Actor
    ) -> dict[str, BindingOut]:
        names = list(self.services)
        answers: dict[str, Answer] = dict(
            zip(
                names,
                await asyncio.gather(*(self._ask(name, cluster, actor) for name in names)),
                strict=True,
            )
        )
        shown: dict[str, BindingOut] = {}
        for service in sorted(set(configured.bindings) | set(answers)):
            answer = answers.get(service)
            if isinstance(answer, BindingOut):
                shown[service] = answer
            elif service in configured.bindings:
                binding = configured.bindings[service]
                shown[service] = BindingOut(
                    adapter=binding.adapter,
                    base_url=shown_url(binding.base_url),
                    source="config",
                    live=answer is NOT_SERVED,
                )
        return shown

    async def _ask(self, service: str, cluster: str, actor: Actor) -> Answer:
        token = self.tokens.mint(
            audience=f"sop-{service}",
            subject=actor.subject,
            client_id=actor.client_id,
            tenant=None,
            cluster=None,
            scopes=ADMIN_SCOPES,
        )
        url = self.services[service].rstrip("/") + BINDING_PATH.format(
            cluster=quote(cluster, safe="")
        )
        assert self.client is not None, "the cluster view has no HTTP client yet"
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.client.get(
                    url,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                    timeout=self.timeout,
                )
        except (TimeoutError, httpx.HTTPError) as exc:
            log.info("cluster %s: %s not asked for its binding: %r", cluster, service, exc)
            return None
        if response.status_code == 404:
            return NOT_SERVED
        if response.status_code != 200:
            log.warning(
                "cluster %s: %s answered %s for its binding", cluster, service, response.status_code
            )
            return None
        try:
            body: Any = response.json()
            adapter, source = body["adapter"], body["source"]
            if not isinstance(adapter, str) or source not in SOURCES:
                raise ValueError(body)
            base_url = body.get("base_url")
            return BindingOut(
                adapter=adapter,
                base_url=shown_url(base_url if isinstance(base_url, str) else None),
                source=source,
                live=True,
            )
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("cluster %s: %s answered an unreadable binding: %s", cluster, service, exc)
            return None
