"""Turn one ADF REST call (method, path, query, headers, body) into a reply; batches reuse it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sop_oracle_like.codec import change_indicator, etag_matches, parse_date
from sop_oracle_like.errors import OracleError
from sop_oracle_like.model import Resource, Row
from sop_oracle_like.service import (
    Context,
    ListOptions,
    create_item,
    delete_item,
    find_item,
    list_collection,
    not_found,
    parse_effective_of,
    path_key,
    render_item,
    update_item,
    upsert_item,
)
from sop_oracle_like.storage import VERSION

ITEM = "application/vnd.oracle.adf.resourceitem+json"
COLLECTION = "application/vnd.oracle.adf.resourcecollection+json"
ACTION_RESULT = "application/vnd.oracle.adf.actionresult+json"
BATCH = "application/vnd.oracle.adf.batch+json"
DESCRIPTION = "application/vnd.oracle.adf.description+json"

APIS = ("hcmRestApi", "fscmRestApi")
VERSIONS = ("11.13.18.05", "latest")
BATCH_OPERATIONS = {
    "get": "GET",
    "create": "POST",
    "update": "PATCH",
    "replace": "PUT",
    "delete": "DELETE",
    "upsert": "POST",
}


@dataclass
class ApiCall:
    """A vendor API call, independent of HTTP plumbing, so batch parts can be replayed."""

    method: str
    api: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any = None


@dataclass
class Reply:
    status: int
    body: Any = None
    media_type: str = ITEM
    headers: dict[str, str] = field(default_factory=dict)


class BatchFailed(Exception):
    """A batch part failed: everything is rolled back and this reply is sent."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("batch failed")
        self.reply = reply


# --- query options ------------------------------------------------------------------------


def _bool_param(query: Mapping[str, str], name: str) -> bool:
    raw = query.get(name)
    if raw is None:
        return False
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise OracleError(
        400,
        f"The value {raw!r} of the parameter {name} isn't valid.",
        code="27501",
        path=f"/{name}",
    )


def _int_param(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise OracleError(
            400,
            f"The value {raw!r} of the parameter {name} isn't valid.",
            code="27501",
            path=f"/{name}",
        )
    return value


def list_options(ctx: Context, query: Mapping[str, str]) -> ListOptions:
    limit = _int_param(query, "limit", ctx.settings.default_limit)
    if limit == 0:
        raise OracleError(
            400, "The value of the parameter limit must be positive.", code="27501", path="/limit"
        )
    return ListOptions(
        q=query.get("q") or None,
        finder=query.get("finder") or None,
        order_by=query.get("orderBy") or None,
        # Oracle clamps large pages silently rather than refusing them.
        limit=min(limit, ctx.settings.max_limit),
        offset=_int_param(query, "offset", 0),
        total_results=_bool_param(query, "totalResults"),
        only_data=_bool_param(query, "onlyData"),
        expand=query.get("expand") or None,
        fields=query.get("fields"),
    )


def effective_date(query: Mapping[str, str], today: date) -> date:
    raw = query.get("effectiveDate")
    if not raw:
        return today
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise OracleError(
            400,
            f"The effectiveDate {raw!r} isn't a date in the format yyyy-MM-dd.",
            code="27501",
            path="/effectiveDate",
        ) from exc


# --- dispatch -----------------------------------------------------------------------------


def _item_reply(
    status: int, body: dict[str, Any], row: Row, headers: dict[str, str] | None = None
) -> Reply:
    all_headers = {"ETag": f'"{change_indicator(row[VERSION])}"', **(headers or {})}
    return Reply(status, body, ITEM, all_headers)


def _check_if_match(headers: Mapping[str, str], row: Row) -> None:
    if_match = headers.get("if-match")
    if if_match and not etag_matches(if_match, row[VERSION]):
        raise OracleError(
            412,
            "The resource has been changed since you read it; read it again and retry.",
            code="27040",
        )


async def handle(ctx: Context, call: ApiCall) -> Reply:
    segments = [s for s in call.path.split("/") if s]
    if not segments:
        if call.method == "POST":
            return await _batch(ctx, call)
        if call.method == "GET":
            return _catalog(ctx, call.api)
        raise OracleError(405, f"The method {call.method} isn't allowed here.", code="27050")
    top = ctx.registry.get(segments[0])
    if top is None or top.api != call.api:
        raise OracleError(404, f"The resource {segments[0]} was not found.", code="27010")
    res: Resource = top
    parent_row: Row | None = None
    href = ctx.collection_href(top)
    i = 1
    while True:
        if i == len(segments):
            return await _collection(ctx, call, res, parent_row, href)
        segment = segments[i]
        if segment == "describe" and i == len(segments) - 1 and parent_row is None:
            if call.method != "GET":
                raise OracleError(405, "Only GET is allowed on describe.", code="27050")
            return Reply(200, describe(ctx, res), DESCRIPTION)
        row = await find_item(ctx, res, parent_row, segment)
        item_href = f"{href}/{path_key(res, row)}"
        i += 1
        if i == len(segments):
            return await _item(ctx, call, res, row, item_href)
        if segments[i] == "child" and i + 1 < len(segments):
            child = res.child(segments[i + 1])
            if child is None:
                raise OracleError(404, f"The child {segments[i + 1]} was not found.", code="27010")
            res, parent_row, href = child, row, f"{item_href}/child/{child.name}"
            i += 2
            continue
        if segments[i] == "action" and i + 2 == len(segments):
            return await _action(ctx, call, res, row, segments[i + 1])
        raise not_found(res)


async def _collection(
    ctx: Context, call: ApiCall, res: Resource, parent_row: Row | None, href: str
) -> Reply:
    if call.method == "GET":
        body = await list_collection(ctx, res, parent_row, href, list_options(ctx, call.query))
        return Reply(200, body, COLLECTION)
    if call.method != "POST":
        raise OracleError(
            405, f"The method {call.method} isn't allowed on {res.name}.", code="27050"
        )
    if not res.creatable:
        raise OracleError(405, f"Items of {res.name} can't be created.", code="27050")
    created = True
    if (call.headers.get("upsert-mode") or "").lower() == "true":
        row, shape, created = await upsert_item(ctx, res, parent_row, call.body)
    else:
        row, shape = await create_item(ctx, res, parent_row, call.body)
    item_href = f"{href}/{path_key(res, row)}"
    opts = list_options(ctx, call.query)
    body = await render_item(
        ctx,
        res,
        row,
        item_href,
        shape=None if (opts.expand or opts.fields is not None) else shape,
        expand=opts.expand,
        fields=opts.fields,
        only_data=opts.only_data,
    )
    return _item_reply(201 if created else 200, body, row, {"Location": item_href})


async def _item(ctx: Context, call: ApiCall, res: Resource, row: Row, href: str) -> Reply:
    opts = list_options(ctx, call.query)
    if call.method == "GET":
        if_none_match = call.headers.get("if-none-match")
        if if_none_match and etag_matches(if_none_match, row[VERSION]):
            return Reply(304, None, ITEM, {"ETag": f'"{change_indicator(row[VERSION])}"'})
        body = await render_item(
            ctx, res, row, href, expand=opts.expand, fields=opts.fields, only_data=opts.only_data
        )
        return _item_reply(200, body, row)
    if call.method in ("PATCH", "PUT"):
        if not res.updatable:
            raise OracleError(405, f"Items of {res.name} can't be changed.", code="27050")
        _check_if_match(call.headers, row)
        updated = await update_item(ctx, res, row, call.body, replace=call.method == "PUT")
        new_href = f"{href.rsplit('/', 1)[0]}/{path_key(res, updated)}"
        body = await render_item(
            ctx,
            res,
            updated,
            new_href,
            expand=opts.expand,
            fields=opts.fields,
            only_data=opts.only_data,
        )
        return _item_reply(200, body, updated)
    if call.method == "DELETE":
        if not res.deletable:
            raise OracleError(405, f"Items of {res.name} can't be deleted.", code="27050")
        _check_if_match(call.headers, row)
        await delete_item(ctx, res, row)
        return Reply(204)
    raise OracleError(
        405, f"The method {call.method} isn't allowed on {res.name} items.", code="27050"
    )


async def _action(ctx: Context, call: ApiCall, res: Resource, row: Row, name: str) -> Reply:
    action = res.action(name)
    if action is None:
        raise OracleError(404, f"The action {name} isn't defined for {res.name}.", code="27010")
    if call.method != "POST":
        raise OracleError(405, "Custom actions are invoked with POST.", code="27050")
    _check_if_match(call.headers, row)
    body = call.body if call.body is not None else {}
    if not isinstance(body, dict):
        raise OracleError(400, "The action payload must be a JSON object.", code="27001")
    params: dict[str, Any] = {}
    # ADF's own form is {"name": ..., "parameters": [{...}]}; a flat object is accepted too.
    if isinstance(body.get("parameters"), list):
        for entry in body["parameters"]:
            if isinstance(entry, dict):
                params.update(entry)
    else:
        params = {k: v for k, v in body.items() if k != "name"}
    result = await action.handler(ctx, res, row, params)
    return Reply(200, {"result": result}, ACTION_RESULT)


async def _batch(ctx: Context, call: ApiCall) -> Reply:
    body = call.body
    if not isinstance(body, dict) or not isinstance(body.get("parts"), list) or not body["parts"]:
        raise OracleError(400, 'A batch request needs a non-empty "parts" array.', code="27060")
    results = []
    for part in body["parts"]:
        results.append(await _batch_part(ctx, call, part))
    return Reply(200, {"parts": results}, BATCH)


async def _batch_part(ctx: Context, call: ApiCall, part: Any) -> dict[str, Any]:
    if not isinstance(part, dict):
        raise OracleError(400, "Each batch part must be a JSON object.", code="27060")
    echo = {k: part.get(k) for k in ("id", "path", "operation")}
    operation = str(part.get("operation", "")).lower()
    if_match = part.get("ifMatch")
    try:
        if operation not in BATCH_OPERATIONS or not isinstance(part.get("path"), str):
            raise OracleError(
                400,
                f"The batch part {part.get('id')!r} needs a path and an operation "
                f"({', '.join(BATCH_OPERATIONS)}).",
                code="27060",
            )
        api, path, query = _split_part_path(ctx, part["path"])
        headers = {
            k: v
            for k, v in call.headers.items()
            if k not in ("if-match", "content-type", "effective-of")
        }
        for key, value in (part.get("headers") or {}).items():
            headers[str(key).lower()] = str(value)
        if if_match:
            headers["if-match"] = str(if_match)
        if operation == "upsert":
            headers["upsert-mode"] = "true"
        sub_ctx = dataclasses.replace(
            ctx,
            as_of=effective_date(query, ctx.today),
            effective_of=parse_effective_of(headers.get("effective-of")),
        )
        sub_call = ApiCall(
            BATCH_OPERATIONS[operation], api, path, query, headers, part.get("payload")
        )
        if not [s for s in path.split("/") if s]:
            raise OracleError(400, "A batch part can't contain another batch.", code="27060")
        reply = await handle(sub_ctx, sub_call)
    except OracleError as exc:
        failed = {**echo, "exception": exc.as_json()}
        if if_match:
            failed["preconditionSucceeded"] = exc.status != 412
        raise BatchFailed(Reply(exc.status, {"parts": [failed]}, BATCH)) from exc
    result: dict[str, Any] = dict(echo)
    if if_match:
        result["preconditionSucceeded"] = True
    if reply.body is not None:
        result["payload"] = reply.body
    return result


def _split_part_path(ctx: Context, raw: str) -> tuple[str, str, dict[str, str]]:
    """A part's path, absolute or relative to the version root, as (api, path, query)."""
    parts = urlsplit(raw)
    path = parts.path.strip("/")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    segments = path.split("/")
    if len(segments) >= 3 and segments[0] in APIS and segments[1] == "resources":
        return segments[0], "/".join(segments[3:]), query
    top = ctx.registry.get(segments[0])
    return (top.api if top else "hcmRestApi"), path, query


def _catalog(ctx: Context, api: str) -> Reply:
    items = [
        {
            "rel": "child",
            "href": ctx.collection_href(res),
            "name": res.name,
            "kind": "collection",
        }
        for res in ctx.registry.values()
        if res.api == api
    ]
    return Reply(200, {"links": items}, COLLECTION)


def describe(ctx: Context, res: Resource) -> dict[str, Any]:
    """Resource metadata in the shape of ADF's `describe` document."""

    def one(node: Resource) -> dict[str, Any]:
        return {
            "title": node.title,
            "attributes": [
                {
                    "name": a.name,
                    "type": a.kind,
                    "updatable": a.updatable,
                    "mandatory": a.required,
                    "queryable": a.queryable,
                    "allowChanges": "always"
                    if a.updatable
                    else ("create" if a.creatable else "never"),
                    **({"maxLength": str(a.max_length)} if a.max_length else {}),
                    **({"title": a.title} if a.title else {}),
                    **({"lov": {"values": list(a.choices)}} if a.choices else {}),
                }
                for a in node.all_attrs
            ],
            "collection": {
                "rangeSize": ctx.settings.default_limit,
                "finders": [
                    {
                        "name": f.name,
                        "attributes": [{"name": v, "type": "string"} for v in f.variables],
                    }
                    for f in node.finders
                ],
                "actions": [{"name": "get"}, *([{"name": "create"}] if node.creatable else [])],
            },
            "item": {
                "actions": [
                    {"name": "get"},
                    *([{"name": "update"}, {"name": "replace"}] if node.updatable else []),
                    *([{"name": "delete"}] if node.deletable else []),
                    *({"name": a.name, "title": a.title} for a in node.actions),
                ],
            },
            "children": {child.name: one(child) for child in node.children},
            "effectiveDated": node.effective,
        }

    return {"Resources": {res.name: one(res)}}
