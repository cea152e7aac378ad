"""What every service's tests check of its OpenAPI document and of how the service answers
what the document leaves out (the checks schemathesis `--checks all` makes through the
gateway): each lists what is wrong, so a failing test names every offender."""

from __future__ import annotations

import re
from typing import Any

import httpx

PROBLEM = "application/problem+json"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation in the document."""
    return [
        (method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method.upper() in (*METHODS, "HEAD", "OPTIONS", "TRACE") and isinstance(op, dict)
    ]


def errors_not_problem_json(spec: dict[str, Any]) -> list[str]:
    """Every 4xx/5xx response documented with anything but problem+json (ProblemDocument)."""
    wrong = []
    for method, path, op in operations(spec):
        for status, response in op.get("responses", {}).items():
            if status[:1] not in ("4", "5"):
                continue
            content = response.get("content", {})
            schema = content.get(PROBLEM, {}).get("schema")
            if set(content) != {PROBLEM} or schema != {
                "$ref": "#/components/schemas/ProblemDocument"
            }:
                wrong.append(f"{method} {path} {status}: {sorted(content)}")
    return wrong


def bodies_without_400_and_422(spec: dict[str, Any]) -> list[str]:
    """Operations taking a body that do not document 400 (not JSON) and 422 (not valid)."""
    return [
        f"{method} {path}"
        for method, path, op in operations(spec)
        if "requestBody" in op and not {"400", "422"} <= set(op.get("responses", {}))
    ]


def _example_path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "01a252fd-4f6f-70fd-9901-fff9ac1d08eb", template)


async def wrong_405s(
    client: httpx.AsyncClient, spec: dict[str, Any], headers: dict[str, str] | None = None
) -> list[str]:
    """Asks every documented path with each method it does not document: each must answer
    405 problem+json with the documented methods in `Allow`."""
    wrong = []
    for template, item in spec["paths"].items():
        documented = sorted(m.upper() for m in item if m.upper() in METHODS)
        for method in METHODS:
            if method in documented:
                continue
            r = await client.request(method, _example_path(template), headers=headers)
            allow = r.headers.get("allow")
            if (r.status_code, allow) != (405, ", ".join(documented)) or (
                r.headers.get("content-type") != PROBLEM
            ):
                wrong.append(f"{method} {template}: {r.status_code}, Allow {allow!r}")
    return wrong
