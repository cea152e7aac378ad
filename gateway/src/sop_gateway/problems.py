"""The gateway's own problem types (RFC 9457), named as the kernel names its types
(`urn:sop:problem:<slug>`, see `sop_shared.errors`): refusals the gateway makes itself, before
or instead of any service answering."""

from __future__ import annotations

from sop_shared.errors import HeadersTooLarge, Problem, RequestTimeout

# Defined once, in the kernel (a service may refuse them too); named here as before.
__all__ = ["BadGateway", "DuplicateAuthorization", "HeadersTooLarge", "RequestTimeout"]


class DuplicateAuthorization(Problem):
    """Two `Authorization` headers: refused rather than the gateway picking one."""

    status, slug, title = 400, "duplicate-authorization", "More than one Authorization header"


class BadGateway(Problem):
    status, slug, title = 502, "bad-gateway", "Bad response from upstream"
