"""Response examples for the OpenAPI document, computed from the real calculation and kept
whole: FastAPI drops every null from the document it generates, examples included, so an
answer shown there would lack the keys a real one carries as null (a top band's `upper`)."""

from __future__ import annotations

from typing import Any

from sop_shared.errors import problem_responses

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
