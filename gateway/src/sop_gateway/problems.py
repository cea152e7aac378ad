"""The gateway's own problem types (RFC 9457), named as the kernel names its types
(`urn:sop:problem:<slug>`, see `sop_shared.errors`): refusals the gateway makes itself, before
or instead of any service answering."""

from __future__ import annotations

from sop_shared.errors import Problem


class HeadersTooLarge(Problem):
    """Too many request headers, or too many header bytes: as sent by the client, or once the
    gateway's own headers are added to the forwarded request."""

    status, slug, title = 431, "headers-too-large", "Request headers too large"


class DuplicateAuthorization(Problem):
    """Two `Authorization` headers: refused rather than the gateway picking one."""

    status, slug, title = 400, "duplicate-authorization", "More than one Authorization header"


class RequestTimeout(Problem):
    """The client took too long to send its request headers or body (see the
    `SOP_GATEWAY_*_TIMEOUT_SECONDS` settings)."""

    status, slug, title = 408, "request-timeout", "Request timed out"


class BadGateway(Problem):
    status, slug, title = 502, "bad-gateway", "Bad response from upstream"
