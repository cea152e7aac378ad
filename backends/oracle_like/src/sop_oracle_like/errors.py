"""ADF REST errors: plain text by default, the ADF error JSON when the client asks for it."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

ERROR_MEDIA_TYPE = "application/vnd.oracle.adf.error+json"

_STATUS_TYPES = {
    400: "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1",
    401: "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2",
    404: "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5",
    405: "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.6",
    412: "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.13",
    415: "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.16",
    500: "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1",
    503: "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.4",
}


class OracleError(Exception):
    """An error the simulator answers with, carrying its HTTP status and ADF error code."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.path = path
        self.headers = headers or {}

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase

    def detail_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"detail": self.detail}
        if self.code:
            entry["o:errorCode"] = self.code
        if self.path:
            entry["o:errorPath"] = self.path
        return entry

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title, "status": str(self.status)}
        if self.status in _STATUS_TYPES:
            body = {"type": _STATUS_TYPES[self.status], **body}
        body["o:errorDetails"] = [self.detail_json()]
        return body


def wants_adf_json(accept: str | None) -> bool:
    return accept is not None and ERROR_MEDIA_TYPE in accept.lower()


def render_error(error: OracleError, accept: str | None) -> tuple[bytes, str]:
    """The body and media type of an error response for a client with this Accept header."""
    if wants_adf_json(accept):
        return json.dumps(error.as_json()).encode(), ERROR_MEDIA_TYPE
    return error.detail.encode(), "text/plain; charset=utf-8"
