"""The hot path: a raw ASGI handler that authenticates, authorises, rate-limits and forwards a
request to its service over one pooled aiohttp session, streaming bodies both ways. The
external token never leaves the gateway; the service gets a short-lived internal one."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from starlette.types import Message, Receive, Scope, Send
from yarl import URL

from sop_gateway.access import Gatekeeper
from sop_gateway.identity.internal import InternalTokens
from sop_gateway.ratelimit import RateLimiter, retry_after
from sop_gateway.routes import ScopeRules, Upstream
from sop_shared.context import Principal, principal_var, request_id_var, traceparent_var
from sop_shared.errors import (
    BadRequest,
    GatewayTimeout,
    NotFound,
    PayloadTooLarge,
    Problem,
    ServiceUnavailable,
    TooManyRequests,
    render_problem,
)

# Read whole bodies up to this size (one write upstream); stream anything larger.
BUFFERED_BODY = 64 * 1024
BUFFERED_RESPONSE = 1024 * 1024

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Credentials and the headers the gateway sets itself never pass through from the client.
REQUEST_DROPPED = HOP_BY_HOP | {
    b"authorization",
    b"cookie",
    b"content-length",
    b"expect",
    b"x-request-id",
    b"traceparent",
    b"forwarded",
    b"x-forwarded-for",
    b"x-forwarded-host",
    b"x-forwarded-proto",
}
# The gateway's server adds its own request id, date and server headers.
RESPONSE_DROPPED = HOP_BY_HOP | {b"x-request-id", b"date", b"server"}


class BadGateway(Problem):
    status, slug, title = 502, "bad-gateway", "Bad response from upstream"


class _BodyTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


async def send_problem(send: Send, problem: Problem, instance: str) -> None:
    response = render_problem(problem, instance)
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": response.body})


def forbidden_path(path: str) -> bool:
    """Dot segments and `_internal` anywhere: the services' internal routes are unreachable
    through the gateway however the path is spelt (the decoded path is checked)."""
    return any(seg in (".", "..", "_internal") for seg in path.split("/"))


async def _read_body(receive: Receive, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body exceeds {limit} bytes")
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


class _StreamedBody:
    """The client's body as an async iterator for aiohttp, enforcing the size limit."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.too_large = False

    async def chunks(self) -> Any:
        size = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                self.too_large = True
                raise _BodyTooLarge
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


class Proxy:
    def __init__(
        self,
        *,
        gate: Gatekeeper,
        rules: ScopeRules,
        limiter: RateLimiter,
        tokens: InternalTokens,
        max_body_bytes: int,
    ) -> None:
        self.gate = gate
        self.rules = rules
        self.limiter = limiter
        self.tokens = tokens
        self.max_body_bytes = max_body_bytes
        self.session: aiohttp.ClientSession | None = None  # set at start-up (needs the loop)

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send, upstream: Upstream
    ) -> None:
        scope["route"] = upstream.label  # the metrics label: the prefix, not the raw path
        started = [False]

        async def tracked_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started[0] = True
            await send(message)

        try:
            await self._forward(scope, receive, tracked_send, upstream)
        except Problem as problem:
            if started[0]:
                raise
            await send_problem(send, problem, scope["path"])
        except _ClientGone:
            return

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, upstream: Upstream
    ) -> None:
        path: str = scope["path"]
        if forbidden_path(path):
            raise NotFound(f"No route {scope['method']} {path}")
        method: str = scope["method"]
        authorization = content_length = None
        chunked = False
        headers: list[tuple[str, str]] = []
        for key, value in scope["headers"]:
            if key == b"authorization":
                authorization = value
            elif key == b"content-length":
                content_length = value
            elif key == b"transfer-encoding":
                chunked = True
            if key not in REQUEST_DROPPED:
                headers.append((key.decode("latin-1"), value.decode("latin-1")))

        identity = await self.gate.identify(
            authorization.decode("latin-1") if authorization else None
        )
        tenant = self.gate.tenant_of(identity)
        self.gate.require(identity, self.rules.required(upstream.name, method, path))
        wait = await self.limiter.hit(identity.limit_key)
        if wait > 0:
            raise TooManyRequests(
                f"rate limit for tenant {identity.tenant} and client {identity.client_id} exceeded",
                retry_after=retry_after(wait),
            )
        principal_var.set(
            Principal(
                subject=identity.subject,
                client_id=identity.client_id,
                tenant=identity.tenant,
                cluster=tenant.cluster,
                scopes=identity.scopes,
            )
        )

        token = self.tokens.for_service(identity, service=upstream.name, cluster=tenant.cluster)
        headers.append(("Authorization", "Bearer " + token))
        headers.append(("X-Request-ID", request_id_var.get()))
        headers.append(("traceparent", traceparent_var.get()))
        client = scope.get("client")
        if client:
            headers.append(("X-Forwarded-For", client[0]))
        headers.append(("X-Forwarded-Proto", scope.get("scheme", "http")))

        data: Any = None
        streamed: _StreamedBody | None = None
        if content_length is not None:
            try:
                size = int(content_length)
            except ValueError:
                raise BadRequest("Content-Length is not a number") from None
            if size > self.max_body_bytes:
                raise PayloadTooLarge(f"the request body exceeds {self.max_body_bytes} bytes")
            if size <= BUFFERED_BODY:
                data = await _read_body(receive, self.max_body_bytes)
            else:
                streamed = _StreamedBody(receive, self.max_body_bytes)
                data = streamed.chunks()
                headers.append(("Content-Length", str(size)))
        elif chunked:
            streamed = _StreamedBody(receive, self.max_body_bytes)
            data = streamed.chunks()

        query = scope.get("query_string", b"")
        raw_path = scope.get("raw_path") or path.encode()
        target = upstream.base_url + raw_path.decode("latin-1")
        if query:
            target += "?" + query.decode("latin-1")
        assert self.session is not None
        responded = [False]
        try:
            async with self.session.request(
                method, URL(target, encoded=True), headers=headers, data=data, allow_redirects=False
            ) as response:
                await self._relay(response, send, method, responded)
        except (Problem, _ClientGone):
            raise
        except Exception as exc:
            if responded[0]:
                raise  # mid-stream: the connection is cut, there is no status left to send
            if streamed is not None and streamed.too_large:
                raise PayloadTooLarge(
                    f"the request body exceeds {self.max_body_bytes} bytes"
                ) from None
            if isinstance(exc, TimeoutError | asyncio.TimeoutError):
                raise GatewayTimeout(
                    f"the {upstream.name} service did not answer in time"
                ) from None
            if isinstance(exc, aiohttp.ClientConnectorError):
                raise ServiceUnavailable(
                    f"the {upstream.name} service is unreachable; retry shortly", retry_after=5
                ) from None
            if isinstance(exc, aiohttp.ClientError):
                raise BadGateway(f"the {upstream.name} service failed to answer properly") from None
            raise

    @staticmethod
    async def _relay(
        response: aiohttp.ClientResponse, send: Send, method: str, responded: list[bool]
    ) -> None:
        headers = [
            (name.lower(), value)
            for name, value in response.raw_headers
            if name.lower() not in RESPONSE_DROPPED
        ]
        start = {"type": "http.response.start", "status": response.status, "headers": headers}
        length = response.content_length
        if method == "HEAD" or (length is not None and length <= BUFFERED_RESPONSE):
            body = await response.read()
            responded[0] = True
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        responded[0] = True
        await send(start)
        async for chunk in response.content.iter_any():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
