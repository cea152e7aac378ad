"""The hot path: a raw ASGI handler that authenticates, authorises, rate-limits and forwards a
request to its service over pooled keep-alive connections, streaming bodies both ways. The
external token never leaves the gateway; the service gets a short-lived internal one."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.types import Receive, Scope, Send

from sop_gateway.access import Gatekeeper
from sop_gateway.identity.internal import InternalTokens
from sop_gateway.problems import BadGateway, HeadersTooLarge
from sop_gateway.ratelimit import RateLimiter, retry_after
from sop_gateway.routes import ScopeRules, Upstream
from sop_gateway.upstream import (
    UpstreamBroken,
    UpstreamPool,
    UpstreamResponse,
    UpstreamTimeout,
    UpstreamUnreachable,
)
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
BUFFERED_RESPONSE = 256 * 1024

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
# Credentials, framing and the headers the gateway sets itself never pass through.
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
# The gateway's server frames the body and adds its own request id, date and server headers.
RESPONSE_DROPPED = HOP_BY_HOP | {b"x-request-id", b"date", b"server"}


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
    if "/." not in path and "_internal" not in path:
        return False
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


async def _streamed_body(receive: Receive, limit: int) -> AsyncIterator[bytes]:
    """The client's body as it arrives, cut off (and the exchange abandoned) past `limit`."""
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
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
        pools: dict[str, UpstreamPool],
        max_body_bytes: int,
        max_header_count: int = 100,
        max_header_bytes: int = 32 * 1024,
    ) -> None:
        self.gate = gate
        self.rules = rules
        self.limiter = limiter
        self.tokens = tokens
        self.pools = pools
        self.max_body_bytes = max_body_bytes
        # The caps the gateway puts on a client's headers hold for what it forwards too
        # (its own authorization, request id, traceparent and forwarding headers included).
        self.max_header_count = max_header_count
        self.max_header_bytes = max_header_bytes

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send, upstream: Upstream
    ) -> None:
        scope["route"] = upstream.label  # the metrics label: the prefix, not the raw path
        try:
            await self._forward(scope, receive, send, upstream)
        except Problem as problem:
            # Problems are only raised before the response starts (see `_relay`).
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
        chunked = has_host = False
        headers: list[tuple[bytes, bytes]] = []
        for key, value in scope["headers"]:
            if key in REQUEST_DROPPED:
                if key == b"authorization":
                    authorization = value
                elif key == b"content-length":
                    content_length = value
                elif key == b"transfer-encoding":
                    chunked = True
                continue
            if key == b"host":
                has_host = True
            headers.append((key, value))

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
                acting_service=identity.actors[0] if identity.actors else None,
            )
        )

        token = self.tokens.for_service(identity, service=upstream.name, cluster=tenant.cluster)
        headers.append((b"authorization", b"Bearer " + token.encode()))
        headers.append((b"x-request-id", request_id_var.get().encode()))
        headers.append((b"traceparent", traceparent_var.get().encode()))
        if not has_host:
            headers.append((b"host", upstream.host_header))
        client = scope.get("client")
        if client:
            headers.append((b"x-forwarded-for", client[0].encode()))
        headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode()))
        if len(headers) > self.max_header_count:
            raise HeadersTooLarge(f"more than {self.max_header_count} headers to forward")
        if sum(len(k) + len(v) for k, v in headers) > self.max_header_bytes:
            raise HeadersTooLarge(f"the headers to forward exceed {self.max_header_bytes} bytes")

        body: bytes | AsyncIterator[bytes] | None = None
        size: int | None = None
        if content_length is not None:
            try:
                size = int(content_length)
            except ValueError:
                raise BadRequest("Content-Length is not a number") from None
            if size > self.max_body_bytes:
                raise PayloadTooLarge(f"the request body exceeds {self.max_body_bytes} bytes")
            if size <= BUFFERED_BODY:
                body = await _read_body(receive, self.max_body_bytes)
            else:
                body = _streamed_body(receive, self.max_body_bytes)
        elif chunked:
            body = _streamed_body(receive, self.max_body_bytes)

        target = upstream.base_path + (scope.get("raw_path") or path.encode())
        if query := scope.get("query_string"):
            target += b"?" + query
        try:
            response = await self.pools[upstream.name].request(
                method.encode(), target, headers, body, size
            )
        except _BodyTooLarge:
            raise PayloadTooLarge(f"the request body exceeds {self.max_body_bytes} bytes") from None
        except UpstreamUnreachable:
            raise ServiceUnavailable(
                f"the {upstream.name} service is unreachable; retry shortly", retry_after=5
            ) from None
        except UpstreamTimeout:
            raise GatewayTimeout(f"the {upstream.name} service did not answer in time") from None
        except UpstreamBroken:
            raise BadGateway(f"the {upstream.name} service failed to answer properly") from None
        try:
            await self._relay(response, send, upstream)
        finally:
            response.release()

    @staticmethod
    async def _relay(response: UpstreamResponse, send: Send, upstream: Upstream) -> None:
        headers = [
            (name.lower(), value)
            for name, value in response.headers
            if name.lower() not in RESPONSE_DROPPED
        ]
        start = {"type": "http.response.start", "status": response.status, "headers": headers}
        length = response.content_length
        if length is not None and length <= BUFFERED_RESPONSE:
            try:
                body = await response.read()
            except UpstreamTimeout:
                raise GatewayTimeout(f"the {upstream.name} service stalled mid-response") from None
            except UpstreamBroken:
                raise BadGateway(f"the {upstream.name} service broke off its response") from None
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        await send(start)
        # Past this point the status is sent: a failure can only cut the connection.
        async for chunk in response.chunks():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
