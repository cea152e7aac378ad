"""What payroll's routers share: the prefix, created/page helpers, and response examples for
the OpenAPI document, computed from the real calculation and kept
whole: FastAPI drops every null from the document it generates, examples included, so an
answer shown there would lack the keys a real one carries as null (a top band's `upper`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response

from sop_shared.concurrency import set_etag
from sop_shared.errors import PreconditionFailed, problem_responses
from sop_shared.pagination import Page, RecordPage, link_next

# (method, path) -> {example name: {"summary": ..., "value": ...}}
_EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {}


def example_responses(
    method: str, path: str, examples: dict[str, dict[str, Any]], *problems: int
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: its 200 examples (remembered for `with_null_examples`) and
    the problems it can answer."""
    _EXAMPLES[(method.lower(), path)] = examples
    responses = problem_responses(*problems)
    responses[200] = {"content": {"application/json": {"examples": examples}}}
    return responses


def with_null_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """The generated document with every remembered example put back as it was."""
    for (method, path), examples in _EXAMPLES.items():
        operation = schema["paths"][path][method]
        operation["responses"]["200"]["content"]["application/json"]["examples"] = examples
    return schema


PREFIX = "/payroll/v1"


def created(response: Response, path: str, version: int) -> None:
    response.headers["Location"] = f"{PREFIX}{path}"
    set_etag(response, version)


def page_of(
    request: Request, response: Response, found: RecordPage[Any], out: Callable[[Any], Any]
) -> Page[Any]:
    """The route's page body (its `response_model` names the item type) and `Link` header."""
    link_next(request, response, found.next_cursor)
    return Page[Any](items=[out(item) for item in found.items], next_cursor=found.next_cursor)


def if_match_version(request: Request) -> int | None:
    """The version an optional `If-Match` names (`"7"`), None when absent or `*`; a header that
    names no version of ours is a 412 (it cannot match)."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise PreconditionFailed(f"If-Match {header!r} names no version of this resource")
    return int(value)
