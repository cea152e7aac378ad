"""Every service's OpenAPI document says what the kernel answers: each error as problem+json
(RFC 9457, `ProblemDocument`), whatever a route declared or FastAPI added on its own (its 422
is `application/json` with a shape the kernel never sends), 400 for a body that cannot be read
as JSON, and 503 on every operation (its database or vendor backend is down)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi.openapi.utils import get_openapi
from starlette.routing import BaseRoute

from sop_shared.errors import PROBLEM_MEDIA_TYPE, ProblemDocument, problem_responses

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDocument"}
# FastAPI's own descriptions of the 422 it adds to every operation with parameters or a body.
_FASTAPI_SCHEMAS = ("HTTPValidationError", "ValidationError")
_OPERATIONS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def service_openapi(
    *,
    title: str,
    version: str,
    description: str | None,
    routes: Sequence[BaseRoute],
    tags: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    schema = get_openapi(
        title=title, version=version, description=description, routes=routes, tags=tags
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemDocument"] = ProblemDocument.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    for name, sub in components["ProblemDocument"].pop("$defs", {}).items():
        components.setdefault(name, sub)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in _OPERATIONS and isinstance(operation, dict):
                _problems_of(operation)
    _drop_unreferenced(schema, _FASTAPI_SCHEMAS)
    return schema


def _problems_of(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "requestBody" in operation:
        # A body that is not text FastAPI can decode as JSON (invalid UTF-8, say) is 400.
        responses.setdefault("400", problem_responses(400)[400])
    responses.setdefault("503", problem_responses(503)[503])
    for status, response in responses.items():
        if not (status[:1] in ("4", "5") or status == "default"):
            continue
        if "$ref" in response:
            continue
        if status == "422" and response.get("description") == "Validation Error":
            response["description"] = problem_responses(422)[422]["description"]
        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": dict(PROBLEM_REF)}}


def _drop_unreferenced(schema: dict[str, Any], names: Sequence[str]) -> None:
    components = schema.get("components", {}).get("schemas", {})
    for name in names:
        if name not in components:
            continue
        rest = {k: v for k, v in components.items() if k != name}
        others = json.dumps({**schema, "components": {**schema["components"], "schemas": rest}})
        if f'"#/components/schemas/{name}"' not in others:
            del components[name]
