"""Resource paths and query options of the OData v2 service, turned into replies."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NoReturn
from urllib.parse import urlencode

from sqlalchemy import ColumnElement

from sop_sap_like.edm import EntitySet, format_value, literal_for, parse_literal
from sop_sap_like.errors import ODataError, bad_request, not_found
from sop_sap_like.filter import DateWindow, parse_filter
from sop_sap_like.metadata import metadata_document
from sop_sap_like.service import (
    Context,
    Shape,
    build_shape,
    delete_entity,
    entity_uri,
    etag,
    etag_matches,
    key_of,
    key_text,
    recompute_slices,
    render,
    write_entity,
)
from sop_sap_like.storage import ROWID

JSON = "application/json;charset=utf-8"
_SYSTEM_OPTIONS = {
    "$filter",
    "$select",
    "$expand",
    "$orderby",
    "$top",
    "$skip",
    "$skiptoken",
    "$inlinecount",
    "$format",
}
_EARLIEST = date(1900, 1, 1)
_LATEST = date(9999, 12, 31)


@dataclass
class Call:
    """An OData call independent of the HTTP plumbing."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any = None


@dataclass
class Reply:
    status: int
    body: Any = None
    media_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)


# --- query options ------------------------------------------------------------------------


def _date_option(query: Mapping[str, str], name: str) -> date | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise bad_request(f"[COE0019] The {name} {raw!r} isn't a date (yyyy-MM-dd).", name) from exc


def date_window(query: Mapping[str, str], today: date) -> DateWindow:
    """asOfDate, or fromDate/toDate, or today: which effective-dated records a call sees."""
    as_of = _date_option(query, "asOfDate")
    start, end = _date_option(query, "fromDate"), _date_option(query, "toDate")
    if as_of is not None and (start is not None or end is not None):
        raise bad_request(
            "[COE0019] asOfDate can't be combined with fromDate or toDate.", "asOfDate"
        )
    if as_of is not None:
        return DateWindow(as_of, as_of)
    if start is not None or end is not None:
        window = DateWindow(start or _EARLIEST, end or _LATEST)
        if window.end < window.start:
            raise bad_request("[COE0019] toDate is before fromDate.", "toDate")
        return window
    return DateWindow(today, today)


def _int_option(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise bad_request(
            f"[COE0019] The value {raw!r} of {name} isn't a non-negative integer.", name
        )
    return int(raw)


def _check_options(query: Mapping[str, str]) -> None:
    for name in query:
        if name.startswith("$") and name not in _SYSTEM_OPTIONS:
            raise bad_request(f"[COE0019] The system query option {name} isn't supported.", name)
    fmt = query.get("$format")
    if fmt is not None and fmt.lower() != "json":
        raise ODataError(
            415, "COE_GENERAL_BAD_REQUEST", f"The format {fmt!r} isn't supported; use json."
        )
    count = query.get("$inlinecount")
    if count is not None and count not in ("allpages", "none"):
        raise bad_request(
            f"[COE0019] $inlinecount must be allpages or none, not {count!r}.", "$inlinecount"
        )


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _decode_token(token: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded.encode()))["o"]
        if not isinstance(offset, int) or offset < 0:
            raise ValueError(offset)
        return offset
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise bad_request("[COE0019] The $skiptoken isn't valid.", "$skiptoken") from exc


def _order(ctx: Context, es: EntitySet, text: str | None) -> list[Any]:
    table = ctx.store.table(es)
    order: list[Any] = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        bits = part.split()
        name = bits[0]
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if es.prop(name) is None:
            raise ODataError(
                400,
                "COE_PROPERTY_NOT_FOUND",
                f"[COE0021] Invalid property names: {es.name}/{name}.",
                target=name,
            )
        if direction not in ("asc", "desc") or len(bits) > 2:
            raise bad_request(f"[COE0019] Invalid $orderby {text!r}.", "$orderby")
        column = table.c[name]
        order.append(column.desc() if direction == "desc" else column.asc())
    # Paging must be stable, so the keys always break ties.
    order += [table.c[k.name].asc() for k in es.keys]
    return order


# --- paths --------------------------------------------------------------------------------

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<keys>.*)\))?$")


def _split_keys(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_key(es: EntitySet, text: str) -> dict[str, Any]:
    keys = es.keys
    values: dict[str, Any] = {}
    try:
        for part in _split_keys(text):
            name, sep, raw = part.partition("=")
            if not sep:
                if len(keys) != 1:
                    raise ValueError("name each key property")
                name, raw = keys[0].name, part
            prop = es.prop(name.strip())
            if prop is None or not prop.key:
                raise ValueError(f"{name.strip()} isn't a key property")
            literal = parse_literal(raw.strip())
            values[prop.name] = literal_for(prop, literal)
    except ValueError as exc:
        raise bad_request(
            f"[COE0019] Invalid key predicate ({text}) for {es.name}: {exc}."
        ) from exc
    if set(values) != {k.name for k in keys}:
        raise bad_request(f"[COE0019] The key of {es.name} is ({', '.join(k.name for k in keys)}).")
    return values


def _resolve_entity_set(ctx: Context, name: str) -> EntitySet:
    es = ctx.catalog.get(name)
    if es is None:
        raise not_found(f"[COE0003] The entity set {name} doesn't exist.")
    return es


async def _load(ctx: Context, es: EntitySet, keys: str) -> dict[str, Any]:
    row = await ctx.by_key(es, parse_key(es, keys))
    if row is None:
        raise not_found(f"[COE0004] The entity {es.name}({keys}) doesn't exist.")
    return row


# --- handlers -----------------------------------------------------------------------------


async def handle(ctx: Context, call: Call) -> Reply:
    _check_options(call.query)
    segments = [s for s in call.path.split("/") if s]
    if not segments:
        if call.method != "GET":
            _not_allowed(call.method)
        return Reply(200, {"d": {"EntitySets": sorted(ctx.catalog)}})
    if segments == ["$metadata"]:
        return Reply(
            200, metadata_document(list(ctx.catalog.values())), "application/xml;charset=utf-8"
        )
    if segments == ["upsert"]:
        if call.method != "POST":
            _not_allowed(call.method)
        return await _upsert(ctx, call)
    if segments == ["$batch"]:
        raise ODataError(
            501, "COE_GENERAL_BAD_REQUEST", "$batch isn't supported by this simulator; use upsert."
        )
    match = _SEGMENT.match(segments[0])
    if not match:
        raise not_found(f"[COE0003] The resource {segments[0]} doesn't exist.")
    es = _resolve_entity_set(ctx, match.group("name"))
    keys = match.group("keys")
    rest = segments[1:]
    if keys is None:
        if rest == ["$count"]:
            return await _count(ctx, es, [], call)
        if rest:
            raise not_found(f"[COE0003] The resource {call.path} doesn't exist.")
        if call.method == "GET":
            return await _collection(ctx, es, [], call)
        if call.method == "POST":
            row, _ = await write_entity(ctx, es, call.body, mode="create")
            return await _entity_reply(ctx, es, row, call, status=201, location=True)
        _not_allowed(call.method)
    row = await _load(ctx, es, keys)
    if not rest:
        return await _entity(ctx, es, row, call)
    nav = es.nav(rest[0])
    if nav is None:
        prop = es.prop(rest[0])
        if prop is not None and len(rest) == 1 and call.method == "GET":
            return Reply(200, {"d": {prop.name: format_value(prop, row[prop.name])}})
        raise not_found(f"[COE0003] {es.name} has no navigation {rest[0]}.")
    if call.method != "GET":
        _not_allowed(call.method)
    target = ctx.entity(nav.target)
    table = ctx.store.table(target)
    join = [table.c[b] == row[a] for a, b in nav.join]
    if rest[1:] == ["$count"]:
        return await _count(ctx, target, join, call)
    if rest[1:]:
        raise not_found(f"[COE0003] The resource {call.path} doesn't exist.")
    if nav.many:
        return await _collection(ctx, target, join, call)
    reply = await _collection(ctx, target, join, call)
    results = reply.body["d"]["results"]
    if not results:
        raise not_found(f"[COE0004] {es.name}/{nav.name} has no entity.")
    return Reply(200, {"d": results[0]})


def _not_allowed(method: str) -> NoReturn:
    raise ODataError(405, "COE_GENERAL_BAD_REQUEST", f"The method {method} isn't allowed here.")


def _conditions(
    ctx: Context, es: EntitySet, base: list[ColumnElement[bool]], call: Call
) -> list[Any]:
    where = list(base)
    if es.effective is not None:
        table = ctx.store.table(es)
        where += [table.c[es.start] <= ctx.window.end, table.c[es.end] >= ctx.window.start]
    text = call.query.get("$filter")
    if text:
        where.append(ctx.compiler.compile(es, parse_filter(text)))
    return where


async def _count(ctx: Context, es: EntitySet, base: list[Any], call: Call) -> Reply:
    total = await ctx.store.count(ctx.conn, es, _conditions(ctx, es, base, call))
    return Reply(200, str(total), "text/plain;charset=utf-8")


def _page_size(ctx: Context, query: Mapping[str, str]) -> int:
    """The server's page size, or the client's `customPageSize` (SuccessFactors' option for
    server-side paging with smaller pages; `__next` keeps it)."""
    custom = _int_option(query, "customPageSize")
    if custom is None:
        return ctx.settings.page_size
    if not 1 <= custom <= 1000:
        raise bad_request("[COE0019] customPageSize must be between 1 and 1000.", "customPageSize")
    return custom


async def _collection(ctx: Context, es: EntitySet, base: list[Any], call: Call) -> Reply:
    where = _conditions(ctx, es, base, call)
    shape = build_shape(ctx.catalog, es, call.query.get("$select"), call.query.get("$expand"))
    skip = _int_option(call.query, "$skip") or 0
    top = _int_option(call.query, "$top")
    token = call.query.get("$skiptoken")
    delivered = _decode_token(token) if token else 0
    remaining = None if top is None else max(top - delivered, 0)
    page_size = _page_size(ctx, call.query)
    page = page_size if remaining is None else min(page_size, remaining)
    rows = []
    if page > 0:
        rows = await ctx.store.fetch(
            ctx.conn,
            es,
            where,
            _order(ctx, es, call.query.get("$orderby")),
            page + 1,
            skip + delivered,
        )
    more = len(rows) > page
    rows = rows[:page]
    body: dict[str, Any] = {}
    if call.query.get("$inlinecount") == "allpages":
        body["__count"] = str(await ctx.store.count(ctx.conn, es, where))
    body["results"] = await render(ctx, es, rows, shape)
    if more and (remaining is None or remaining > page):
        query = {k: v for k, v in call.query.items() if k != "$skiptoken"}
        query["$skiptoken"] = _encode_token(delivered + page)
        encoded = urlencode(query, safe="$',()/")
        body["__next"] = f"{ctx.service_root}/{call.path.strip('/')}?{encoded}"
    return Reply(200, {"d": body})


async def _entity_reply(
    ctx: Context,
    es: EntitySet,
    row: dict[str, Any],
    call: Call,
    *,
    status: int = 200,
    location: bool = False,
) -> Reply:
    shape = build_shape(ctx.catalog, es, call.query.get("$select"), call.query.get("$expand"))
    body = (await render(ctx, es, [row], shape))[0]
    headers = {"ETag": etag(es, row)}
    if location:
        headers["Location"] = entity_uri(ctx, es, row)
    return Reply(status, {"d": body}, headers=headers)


def _precondition(es: EntitySet, row: dict[str, Any], headers: Mapping[str, str]) -> None:
    if_match = headers.get("if-match")
    if not if_match:
        raise ODataError(
            428,
            "COE_PRECONDITION_REQUIRED",
            "[COE0030] This change needs an If-Match header with the entity's ETag.",
        )
    if not etag_matches(if_match, es, row):
        raise ODataError(
            412,
            "COE_PRECONDITION_FAILED",
            "[COE0031] The entity has changed since it was read; read it again and retry.",
        )


async def _entity(ctx: Context, es: EntitySet, row: dict[str, Any], call: Call) -> Reply:
    method = call.method
    if method == "GET":
        if_none_match = call.headers.get("if-none-match")
        if if_none_match and etag_matches(if_none_match, es, row):
            return Reply(304, None, headers={"ETag": etag(es, row)})
        return await _entity_reply(ctx, es, row, call)
    if method in ("MERGE", "PATCH", "PUT"):
        _precondition(es, row, call.headers)
        mode = "replace" if method == "PUT" else "merge"
        updated, _ = await write_entity(ctx, es, call.body, mode=mode, existing=row)
        return Reply(204, None, headers={"ETag": etag(es, updated)})
    if method == "DELETE":
        _precondition(es, row, call.headers)
        await delete_entity(ctx, es, row)
        return Reply(204)
    _not_allowed(method)


# --- upsert -------------------------------------------------------------------------------

_URI_ENTITY = re.compile(r"(?:^|/)(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<keys>.*)\))?$")


def _target_of(ctx: Context, item: dict[str, Any]) -> tuple[EntitySet, dict[str, Any]]:
    meta = item.get("__metadata")
    if not isinstance(meta, dict):
        raise bad_request("[COE0019] Each upserted entity needs __metadata with its uri or type.")
    uri = str(meta.get("uri") or "").split("?")[0].rstrip("/")
    type_name = str(meta.get("type") or "")
    name = type_name.removeprefix("SFOData.") if type_name else ""
    keys: dict[str, Any] = {}
    if uri:
        match = _URI_ENTITY.search(uri)
        if not match:
            raise bad_request(f"[COE0019] The __metadata uri {uri!r} doesn't name an entity.")
        if name and match.group("name") != name:
            raise bad_request("[COE0019] The __metadata uri and type name different entities.")
        name = match.group("name")
        es = _resolve_entity_set(ctx, name)
        if match.group("keys"):
            keys = parse_key(es, match.group("keys"))
    if not name:
        raise bad_request("[COE0019] Each upserted entity needs __metadata with its uri or type.")
    return _resolve_entity_set(ctx, name), keys


async def _upsert(ctx: Context, call: Call) -> Reply:
    body = call.body
    items = body if isinstance(body, list) else [body] if isinstance(body, dict) else None
    if not items:
        raise bad_request("[COE0019] The upsert body must be an entity or an array of entities.")
    purge = (call.query.get("purgeType") or "incremental").lower()
    if purge not in ("incremental", "full"):
        raise bad_request(
            f"[COE0019] purgeType must be incremental or full, not {purge!r}.", "purgeType"
        )
    results: list[dict[str, Any]] = []
    upserted: dict[str, tuple[EntitySet, dict[tuple[Any, ...], set[tuple[Any, ...]]]]] = {}
    for index, item in enumerate(items):
        savepoint = await ctx.conn.begin_nested()
        try:
            if not isinstance(item, dict):
                raise bad_request("[COE0019] Each upserted entity must be a JSON object.")
            es, keys = _target_of(ctx, item)
            payload = {k: v for k, v in item.items() if k != "__metadata"}
            for name, value in keys.items():
                prop = es.prop(name)
                assert prop is not None
                payload.setdefault(name, format_value(prop, value))
            mode = "full" if purge == "full" and es.effective is None else "upsert"
            row, inserted = await write_entity(ctx, es, payload, mode=mode)
        except ODataError as error:
            await savepoint.rollback()
            results.append(
                {
                    "key": None,
                    "status": "ERROR",
                    "editStatus": None,
                    "message": error.message,
                    "index": index,
                    "httpCode": error.status,
                    "inlineResults": None,
                }
            )
            continue
        await savepoint.commit()
        if es.effective is not None:
            groups = upserted.setdefault(es.name, (es, {}))[1]
            groups.setdefault(tuple(row[g] for g in es.group), set()).add(
                tuple(key_of(es, row).values())
            )
        results.append(
            {
                "key": key_text(es, row),
                "status": "OK",
                "editStatus": "INSERTED" if inserted else "UPSERTED",
                "message": None,
                "index": index,
                "httpCode": 201 if inserted else 200,
                "inlineResults": None,
            }
        )
    if purge == "full":
        await _purge_other_slices(ctx, upserted)
    return Reply(200, {"d": results})


async def _purge_other_slices(
    ctx: Context, upserted: dict[str, tuple[EntitySet, dict[tuple[Any, ...], set[tuple[Any, ...]]]]]
) -> None:
    """purgeType=full: the upserted time slices replace a record's whole history."""
    for es, groups in upserted.values():
        for group, kept in groups.items():
            rows = await ctx.find(
                es, *(ctx.column(es, g) == v for g, v in zip(es.group, group, strict=True))
            )
            doomed = [r for r in rows if tuple(key_of(es, r).values()) not in kept]
            await ctx.store.delete_rows(ctx.conn, es, [r[ROWID] for r in doomed])
            survivors = [r for r in rows if r not in doomed]
            if survivors:
                await recompute_slices(ctx, es, survivors[0])


__all__ = ["Call", "Reply", "Shape", "date_window", "handle"]
