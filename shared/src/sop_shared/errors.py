"""Problem types (RFC 9457) with their HTTP status, and the handlers that render them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from sop_shared.context import request_id_var, trace_id_var

log = logging.getLogger("sop.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "urn:sop:problem:"


class FieldError(BaseModel):
    field: str
    message: str


class ProblemDocument(BaseModel):
    """The body of every error response (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    trace_id: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class Problem(Exception):
    """A failure the client can act on. Subclasses fix the status, type and title."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Iterable[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = [FieldError(field=f, message=m) for f, m in errors] if errors else None
        self.headers = dict(headers or {})
        self.extensions = extensions

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug


class BadRequest(Problem):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="sop"'})
        super().__init__(detail, **kw)


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class MethodNotAllowed(Problem):
    """The path exists but not with this method; `Allow` lists the methods it has."""

    status, slug, title = 405, "method-not-allowed", "Method not allowed"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


class PayloadTooLarge(Problem):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class PreconditionFailed(Problem):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class ValidationFailed(Problem):
    status, slug, title = 422, "validation-failed", "Request is not valid"


class PreconditionRequired(Problem):
    status, slug, title = 428, "precondition-required", "Precondition required"


class HeadersTooLarge(Problem):
    """Too many request headers, or too many header bytes (the gateway's caps): as sent by the
    client, or once the gateway's own headers are added to the forwarded request."""

    status, slug, title = 431, "headers-too-large", "Request headers too large"


class RequestTimeout(Problem):
    """The client took too long to send its request headers or body (the gateway's
    `SOP_GATEWAY_*_TIMEOUT_SECONDS` settings; answered by `observability.ClientGuard`)."""

    status, slug, title = 408, "request-timeout", "Request timed out"


class TooManyRequests(Problem):
    status, slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1, **kw: Any) -> None:
        kw.setdefault("headers", {"Retry-After": str(retry_after)})
        super().__init__(detail, **kw)


class ServiceUnavailable(Problem):
    status, slug, title = 503, "service-unavailable", "Service unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int = 5, **kw: Any) -> None:
        kw.setdefault("headers", {"Retry-After": str(retry_after)})
        super().__init__(detail, **kw)


class GatewayTimeout(Problem):
    status, slug, title = 504, "gateway-timeout", "Upstream timed out"


_STATUS_PROBLEMS: dict[int, type[Problem]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        PreconditionFailed,
        ValidationFailed,
        PreconditionRequired,
        HeadersTooLarge,
        TooManyRequests,
        ServiceUnavailable,
        GatewayTimeout,
    )
}


def problem_body(
    *,
    status: int,
    type_: str,
    title: str,
    detail: str | None,
    instance: str | None,
    errors: list[FieldError] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> bytes:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body["trace_id"] = trace_id_var.get() or None
    body["request_id"] = request_id_var.get() or None
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    if extensions:
        body.update(extensions)
    return orjson.dumps(body)


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    """A problem response for a bare status (used where no Problem was raised)."""
    cls = _STATUS_PROBLEMS.get(status)
    slug = cls.slug if cls else "about-blank"
    title = cls.title if cls else "Error"
    return Response(
        problem_body(
            status=status,
            type_=PROBLEM_BASE + slug,
            title=title,
            detail=detail,
            instance=instance,
            errors=errors,
        ),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def render_problem(problem: Problem, instance: str | None) -> Response:
    return Response(
        problem_body(
            status=problem.status,
            type_=problem.type,
            title=problem.title,
            detail=problem.detail,
            instance=instance,
            errors=problem.errors,
            extensions=problem.extensions,
        ),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers,
    )


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _json_position(document: Any, position: Any) -> str:
    """Where a JSON parser stopped, as `json` itself says it: line and column (1-based)."""
    if not isinstance(document, str) or not isinstance(position, int):
        return ""
    line = document.count("\n", 0, position) + 1
    column = position - document.rfind("\n", 0, position)
    return f": line {line} column {column}"


def validation_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            # FastAPI's own: loc ("body", offset), msg "JSON decode error", ctx {"error":
            # "Expecting ',' delimiter"}; the client needs the reason and where.
            loc = tuple(err.get("loc", ()))
            reason = str((err.get("ctx") or {}).get("error") or "not valid JSON")
            where = _json_position(getattr(exc, "body", None), loc[1] if len(loc) > 1 else None)
            out.append(FieldError(field="body", message=reason + where))
            continue
        message = str(err.get("msg", "invalid"))
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        out.append(FieldError(field=_field_of(tuple(err.get("loc", ()))), message=message))
    return out


def install_problem_handlers(app: FastAPI) -> None:
    """Every error leaves as problem+json; nothing leaks a stack trace."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return render_problem(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = validation_errors(exc)
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            detail = f"the request body is not valid JSON: {errors[0].message}"
        else:
            detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        return problem_response(422, detail, instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No route {request.method} {request.url.path}"
        elif exc.status_code == 400 and detail == "There was an error parsing the body":
            # FastAPI's answer to a body it cannot even decode (not UTF-8, say).
            detail = "the request body could not be read as JSON (UTF-8 text)"
        return problem_response(
            exc.status_code,
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500, "An unexpected error occurred; quote the request id.", instance=request.url.path
        )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries so each route's OpenAPI lists the problems it can return."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        cls = _STATUS_PROBLEMS.get(status)
        out[status] = {
            "description": cls.title if cls else "Error",
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}
            },
        }
    return out
