"""Requests held to the service's own OpenAPI document before routing: a method a documented
path does not have is 405 with the path's methods in `Allow`, and dates and numbers in the
query and path must be written as the document types them, else 422 naming the parameter.

FastAPI alone answers otherwise: 405 with the methods of whichever route matched first
(`Allow: POST` on a path that has GET too), a method a concrete path lacks goes to a templated
path beside it (GET /things/imports read as the thing "imports": 422), and pydantic reads
`?as_of=-1.4e-45` as 1970-01-01 (seconds since the epoch), `?limit=1.0` as 1 and `?ratio=nan`
as a float. Checked here, from the document, these checks come before authentication."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from sop_shared.errors import FieldError, problem_response

log = logging.getLogger("sop.http")

_METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")
_TEMPLATE = re.compile(r"\{([^}]+)\}")

# The one written form of each OpenAPI type (JSON's own for numbers: no NaN, no Infinity,
# no underscores, no padding, no "1." or ".5").
_FORMS: dict[str, tuple[re.Pattern[str], str]] = {
    "date": (re.compile(r"\d{4}-\d{2}-\d{2}"), "a date (YYYY-MM-DD)"),
    "date-time": (
        re.compile(
            r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?"
        ),
        "a date and time (RFC 3339, e.g. 2026-01-05T09:30:00Z)",
    ),
    "integer": (re.compile(r"-?\d+"), "a whole number"),
    "number": (re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?"), "a number"),
}


@dataclass(frozen=True)
class _Form:
    """What a parameter's values may look like: any of `checks` (None: anything)."""

    checks: tuple[Callable[[str], object], ...] | None
    wanted: str

    def admits(self, value: str) -> bool:
        return self.checks is None or any(check(value) for check in self.checks)


_ANYTHING = _Form(None, "")


def _leaves(schema: Any) -> Iterator[dict[str, Any]]:
    """The alternatives a parameter schema admits, through anyOf/oneOf and array items."""
    if not isinstance(schema, dict):
        return
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        for alternative in alternatives:
            yield from _leaves(alternative)
    elif schema.get("type") == "array":
        yield from _leaves(schema.get("items"))
    else:
        yield schema


def _is_decimal(leaves: list[dict[str, Any]]) -> bool:
    """pydantic documents a Decimal as a number or a string (of digits): read as a number."""
    kinds = [leaf.get("type") for leaf in leaves if leaf.get("type") != "null"]
    plain = [leaf for leaf in leaves if leaf.get("type") == "string" and len(leaf) == 1]
    return "number" in kinds and kinds.count("string") == len(plain) == 1 and len(kinds) == 2


def _form(schema: Any) -> _Form:
    checks: list[Callable[[str], object]] = []
    wanted: list[str] = []
    leaves = list(_leaves(schema))
    decimal = _is_decimal(leaves)
    for leaf in leaves:
        kind = leaf.get("type")
        if kind == "null" or (decimal and kind == "string"):
            continue
        if kind == "string" and leaf.get("format") in ("date", "date-time"):
            pattern, words = _FORMS[leaf["format"]]
            checks.append(pattern.fullmatch)
        elif kind in ("integer", "number"):
            pattern, words = _FORMS[kind]
            checks.append(pattern.fullmatch)
        elif kind == "string" and "pattern" in leaf and "enum" not in leaf:
            # A decimal's string form, say; JSON Schema patterns match anywhere.
            try:
                checks.append(re.compile(leaf["pattern"]).search)
            except re.error:
                return _ANYTHING
            words = "a number" if wanted else f"text matching {leaf['pattern']}"
        else:
            return _ANYTHING  # text, an enum, a boolean, a reference: its own validation
        if words not in wanted:
            wanted.append(words)
    if not checks:
        return _ANYTHING
    return _Form(tuple(checks), " or ".join(wanted))


@dataclass
class _Operation:
    query: dict[str, _Form] = field(default_factory=dict)
    path: dict[str, _Form] = field(default_factory=dict)


@dataclass
class _Path:
    template: str
    regex: re.Pattern[str]
    params: int
    operations: dict[str, _Operation]

    @property
    def allow(self) -> str:
        return ", ".join(sorted(self.operations))


def _compile(template: str) -> re.Pattern[str]:
    parts = _TEMPLATE.split(template)
    # split: literal, name, literal, name, ... literal
    out = []
    for i, part in enumerate(parts):
        out.append(f"(?P<p{i // 2}>[^/]+)" if i % 2 else re.escape(part))
    return re.compile("".join(out))


def _index(document: dict[str, Any]) -> list[_Path]:
    paths = []
    for template, item in (document.get("paths") or {}).items():
        operations: dict[str, _Operation] = {}
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            found = _Operation()
            for parameter in [*item.get("parameters", ()), *operation.get("parameters", ())]:
                where = parameter.get("in")
                form = _form(parameter.get("schema"))
                if form.checks is not None and where in ("query", "path"):
                    getattr(found, where)[parameter["name"]] = form
            operations[method.upper()] = found
        if operations:
            paths.append(_Path(template, _compile(template), template.count("{"), operations))
    # A concrete path before a templated one (OpenAPI's rule): /things/imports is not
    # /things/{thing_id}.
    paths.sort(key=lambda p: p.params)
    return paths


class DocumentedRequestsMiddleware:
    """Holds requests to paths of the service's OpenAPI document (`document()`, read when
    first needed) to the methods and parameter types it gives; other paths pass untouched."""

    def __init__(self, app: ASGIApp, *, document: Callable[[], dict[str, Any]]) -> None:
        self.app = app
        self.document = document
        self._source: dict[str, Any] | None = None
        self._paths: list[_Path] = []
        self._broken = False

    def _current(self) -> list[_Path]:
        if self._broken:
            return []
        try:
            document = self.document()
        except Exception:  # a broken document must not take the service down with it
            log.exception("could not build the OpenAPI document; requests go unchecked")
            self._broken = True
            return []
        if document is not self._source:
            self._paths, self._source = _index(document), document
        return self._paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        for candidate in self._current():
            match = candidate.regex.fullmatch(path)
            if match is None:
                continue
            operation = candidate.operations.get(scope["method"])
            if operation is None:
                response = problem_response(
                    405,
                    f"{scope['method']} is not a method of {path}; it has {candidate.allow}",
                    instance=path,
                    headers={"Allow": candidate.allow},
                )
                await response(scope, receive, send)
                return
            errors = _parameter_errors(scope, candidate, match, operation)
            if errors:
                detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
                await problem_response(422, detail, instance=path, errors=errors)(
                    scope, receive, send
                )
                return
            break
        await self.app(scope, receive, send)


def _parameter_errors(
    scope: Scope, candidate: _Path, match: re.Match[str], operation: _Operation
) -> list[FieldError]:
    errors: list[FieldError] = []
    if operation.path:
        names = _TEMPLATE.findall(candidate.template)
        for i, name in enumerate(names):
            form = operation.path.get(name)
            value = match.group(f"p{i}")
            if form is not None and not form.admits(value):
                errors.append(FieldError(field=name, message=f"must be {form.wanted}"))
    if operation.query:
        query = scope.get("query_string", b"").decode("latin-1")
        reported: set[str] = set()
        for name, value in parse_qsl(query, keep_blank_values=True):
            form = operation.query.get(name)
            if form is None or name in reported or form.admits(value):
                continue
            reported.add(name)
            errors.append(FieldError(field=name, message=f"must be {form.wanted}, not {value!r}"))
    return errors
