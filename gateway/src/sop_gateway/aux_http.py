"""The gateway's HTTP client for everything off the proxy path: discovery and JWKS, the
services' OpenAPI documents, provisioning, the launcher's health checks. The proxy path has
its own client (`sop_gateway.upstream`, ADR 0102).

One pooled `httpx.AsyncClient` per process part, with explicit timeouts; it keeps no cookies
(one caller's cookies must never reach another's request), follows no redirects (a JWKS or
discovery URL that redirects is an error, not a hint) and ignores proxy settings from the
environment (its calls go to configured URLs only)."""

from __future__ import annotations

import asyncio
from http.cookiejar import CookieJar
from typing import Any

import httpx

from sop_shared.platform_client import NoCookies


def aux_client(
    *,
    timeout: float = 10.0,
    connect: float = 3.0,
    max_connections: int = 50,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """A pooled client: `timeout` bounds each read, write and wait for a pooled connection,
    `connect` each connection attempt (callers wanting a bound on the whole exchange wrap the
    call in `asyncio.timeout`, as `get_json` does)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=connect),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=10),
        cookies=CookieJar(policy=NoCookies()),
        follow_redirects=False,
        trust_env=False,
        transport=transport,
    )


async def get_json(client: httpx.AsyncClient, url: str, *, total: float = 10.0) -> Any:
    """GET a JSON document: any status but 2xx (a redirect too) raises `httpx.HTTPStatusError`,
    and the whole exchange is bounded by `total` seconds (`TimeoutError`)."""
    async with asyncio.timeout(total):
        response = await client.get(url, headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()
