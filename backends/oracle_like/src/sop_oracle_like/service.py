"""Resource operations: list, read, nested create, effective-dated update, delete, render."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncConnection

from sop_oracle_like.codec import (
    OPEN_END,
    change_indicator,
    coerce,
    decode_uniq_id,
    encode_uniq_id,
    format_value,
    parse_date,
)
from sop_oracle_like.errors import OracleError
from sop_oracle_like.model import Resource, Row
from sop_oracle_like.query import (
    QueryScope,
    Shape,
    as_of_condition,
    build_shape,
    compile_finder,
    compile_node,
    parse_order_by,
    parse_q,
)
from sop_oracle_like.settings import OracleLikeSettings
from sop_oracle_like.storage import PARENT, ROWID, VERSION, Store

RANGE_MODES = ("UPDATE", "CORRECTION", "REPLACE_UPDATE")


@dataclass(frozen=True)
class EffectiveOf:
    """The parsed `Effective-Of` header of a write."""

    mode: str | None = None
    start: date | None = None
    end: date | None = None


def parse_effective_of(header: str | None) -> EffectiveOf:
    if not header:
        return EffectiveOf()
    values: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        key, sep, value = part.partition("=")
        if not sep:
            raise OracleError(
                400, f"The Effective-Of header {header!r} is not valid.", code="27520"
            )
        values[key.strip().lower()] = value.strip()
    mode = values.get("rangemode")
    if mode is not None:
        mode = mode.upper()
        if mode not in RANGE_MODES:
            raise OracleError(
                400,
                f"The range mode {mode} isn't supported; use one of {', '.join(RANGE_MODES)}.",
                code="27521",
            )
    try:
        start = parse_date(values["rangestartdate"]) if "rangestartdate" in values else None
        end = parse_date(values["rangeenddate"]) if "rangeenddate" in values else None
    except ValueError as exc:
        raise OracleError(
            400, f"The Effective-Of header {header!r} is not valid: {exc}.", code="27520"
        ) from exc
    return EffectiveOf(mode, start, end)


@dataclass
class Context:
    """One request's view of the simulator: connection, clock, caller and query options."""

    conn: AsyncConnection
    store: Store
    settings: OracleLikeSettings
    registry: dict[str, Resource]
    user: str
    now: datetime
    base_url: str
    version: str
    framework_version: int
    as_of: date
    effective_of: EffectiveOf = field(default_factory=EffectiveOf)
    default_start: date | None = None

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def scope(self) -> QueryScope:
        return QueryScope(self.store, self.as_of)

    def resource(self, dotted: str) -> Resource:
        """A resource by name, children as `workers.workRelationships.assignments`."""
        names = dotted.split(".")
        res = self.registry[names[0]]
        for name in names[1:]:
            child = res.child(name)
            assert child is not None, dotted
            res = child
        return res

    def collection_href(self, res: Resource) -> str:
        return f"{self.base_url}/{res.api}/resources/{self.version}/{res.name}"

    async def next_id(self) -> int:
        return await self.store.next_id(self.conn)

    async def find(
        self,
        res: Resource,
        *conditions: ColumnElement[bool],
        parent_id: int | None = None,
        as_of: date | None = None,
        order_by: tuple[str, ...] = (),
    ) -> list[Row]:
        """Rows of a resource; date-effective rows in force on `as_of` if one is given."""
        table = self.store.table(res)
        where = list(conditions)
        if parent_id is not None:
            where.append(table.c[PARENT] == parent_id)
        if as_of is not None and res.effective:
            where.append(as_of_condition(QueryScope(self.store, as_of), res))
        order = [table.c[name] for name in order_by] or [table.c[ROWID]]
        return await self.store.fetch(self.conn, res, where, order)

    def column(self, res: Resource, name: str) -> Any:
        return self.store.table(res).c[name]


# --- keys and hrefs -----------------------------------------------------------------------


def path_key(res: Resource, row: Row) -> str:
    if res.uniq_key:
        return encode_uniq_id([row[a] for a in res.key_attrs])
    return str(row[res.id_attr])


async def find_item(ctx: Context, res: Resource, parent_row: Row | None, key: str) -> Row:
    """The row a path segment names: a plain id, or a UniqID hashing id and start date."""
    table = ctx.store.table(res)
    where: list[ColumnElement[bool]] = []
    if res.parent is not None and parent_row is not None:
        where.append(table.c[PARENT] == parent_row[res.parent.id_attr])
    pick_as_of = False
    if key.isdigit():
        where.append(table.c[res.id_attr] == int(key))
        pick_as_of = res.effective
    else:
        values = decode_uniq_id(key)
        if not values or not isinstance(values[0], int):
            raise not_found(res)
        where.append(table.c[res.id_attr] == values[0])
        if res.effective:
            # The end date inside an older UniqID may have moved since (a later split);
            # the id and the start date still name the row.
            if len(values) < 2 or not isinstance(values[1], date):
                raise not_found(res)
            where.append(table.c.EffectiveStartDate == values[1])
    if pick_as_of:
        where.append(as_of_condition(ctx.scope, res))
    rows = await ctx.store.fetch(ctx.conn, res, where)
    if not rows:
        raise not_found(res)
    return rows[0]


def not_found(res: Resource) -> OracleError:
    return OracleError(
        404, f"The requested resource item of {res.name} was not found.", code="27010"
    )


# --- reading ------------------------------------------------------------------------------


@dataclass
class ListOptions:
    """The query parameters of a collection GET."""

    q: str | None = None
    finder: str | None = None
    order_by: str | None = None
    limit: int = 25
    offset: int = 0
    total_results: bool = False
    only_data: bool = False
    expand: str | None = None
    fields: str | None = None


async def list_collection(
    ctx: Context, res: Resource, parent_row: Row | None, href: str, opts: ListOptions
) -> dict[str, Any]:
    table = ctx.store.table(res)
    where: list[ColumnElement[bool]] = []
    if res.parent is not None and parent_row is not None:
        where.append(table.c[PARENT] == parent_row[res.parent.id_attr])
    if res.effective:
        where.append(as_of_condition(ctx.scope, res))
    if opts.q:
        where.append(compile_node(ctx.scope, res, parse_q(opts.q, ctx.framework_version)))
    if opts.finder:
        where.append(compile_finder(ctx.scope, res, opts.finder))
    order = []
    for name, desc in parse_order_by(res, opts.order_by or ""):
        column = table.c[name]
        order.append(column.desc() if desc else column.asc())
    # Paging must be stable, so the key always breaks ties.
    order.append(table.c[res.id_attr].asc())
    if res.effective:
        order.append(table.c.EffectiveStartDate.asc())
    shape = build_shape(res, opts.expand, opts.fields)
    rows = await ctx.store.fetch(ctx.conn, res, where, order, opts.limit + 1, opts.offset)
    has_more = len(rows) > opts.limit
    rows = rows[: opts.limit]
    items = await render_rows(
        ctx, res, rows, [f"{href}/{path_key(res, r)}" for r in rows], shape, opts.only_data
    )
    body: dict[str, Any] = {"items": items}
    if opts.total_results:
        body["totalResults"] = await ctx.store.count(ctx.conn, res, where)
    body.update(count=len(items), hasMore=has_more, limit=opts.limit, offset=opts.offset)
    if not opts.only_data:
        body["links"] = [{"rel": "self", "href": href, "name": res.name, "kind": "collection"}]
    return body


async def child_rows(ctx: Context, child: Resource, parent_ids: list[Any]) -> dict[Any, list[Row]]:
    table = ctx.store.table(child)
    where: list[ColumnElement[bool]] = [table.c[PARENT].in_(parent_ids)]
    if child.effective:
        where.append(as_of_condition(ctx.scope, child))
    order = [table.c[child.id_attr]]
    if child.effective:
        order.append(table.c.EffectiveStartDate)
    grouped: dict[Any, list[Row]] = {pid: [] for pid in parent_ids}
    for row in await ctx.store.fetch(ctx.conn, child, where, order):
        grouped.setdefault(row[PARENT], []).append(row)
    return grouped


async def render_rows(
    ctx: Context,
    res: Resource,
    rows: list[Row],
    hrefs: list[str],
    shape: Shape,
    only_data: bool,
) -> list[dict[str, Any]]:
    """Rows as ADF items, with expanded children fetched once per child resource."""
    items = []
    for row in rows:
        item: dict[str, Any] = {}
        for attr in res.all_attrs:
            if shape.attrs is None or attr.name in shape.attrs:
                item[attr.name] = format_value(attr, row[attr.name])
        items.append(item)
    parent_ids = [row[res.id_attr] for row in rows]
    for child_name, child_shape in shape.children.items():
        child = res.child(child_name)
        assert child is not None
        grouped = await child_rows(ctx, child, parent_ids) if rows else {}
        for item, row, href in zip(items, rows, hrefs, strict=True):
            kids = grouped.get(row[res.id_attr], [])
            kid_hrefs = [f"{href}/child/{child.name}/{path_key(child, k)}" for k in kids]
            item[child_name] = await render_rows(
                ctx, child, kids, kid_hrefs, child_shape, only_data
            )
    if not only_data:
        for item, row, href in zip(items, rows, hrefs, strict=True):
            item["links"] = item_links(res, row, href)
    return items


def item_links(res: Resource, row: Row, href: str) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = [
        {
            "rel": "self",
            "href": href,
            "name": res.name,
            "kind": "item",
            "properties": {"changeIndicator": change_indicator(row[VERSION])},
        },
        {"rel": "canonical", "href": href, "name": res.name, "kind": "item"},
    ]
    if res.parent is not None:
        parent_href = href.rsplit("/child/", 1)[0]
        links.append(
            {"rel": "parent", "href": parent_href, "name": res.parent.name, "kind": "item"}
        )
    links += [
        {"rel": "child", "href": f"{href}/child/{c.name}", "name": c.name, "kind": "collection"}
        for c in res.children
    ]
    links += [
        {"rel": "action", "href": f"{href}/action/{a.name}", "name": a.name, "kind": "other"}
        for a in res.actions
    ]
    return links


async def render_item(
    ctx: Context,
    res: Resource,
    row: Row,
    href: str,
    *,
    expand: str | None = None,
    fields: str | None = None,
    only_data: bool = False,
    shape: Shape | None = None,
) -> dict[str, Any]:
    shape = shape or build_shape(res, expand, fields)
    return (await render_rows(ctx, res, [row], [href], shape, only_data))[0]


# --- writing ------------------------------------------------------------------------------


def _check_payload(res: Resource, payload: Any, *, creating: bool) -> dict[str, list[Any]]:
    """Refuse unknown and read-only attributes; return the nested child payloads."""
    if not isinstance(payload, dict):
        raise OracleError(
            400, f"The request body for {res.name} must be a JSON object.", code="27001"
        )
    nested: dict[str, list[Any]] = {}
    for key, value in payload.items():
        if key in ("links", "@context"):
            continue
        child = res.child(key)
        if child is not None:
            if not creating:
                raise OracleError(
                    400,
                    f"The child {key} can't be changed through {res.name}; use its own resource.",
                    code="27012",
                    path=f"/{key}",
                )
            if not isinstance(value, list):
                raise OracleError(
                    400, f"The child {key} must be an array.", code="27001", path=f"/{key}"
                )
            nested[key] = value
            continue
        attr = res.attr(key)
        if attr is None:
            raise OracleError(
                400,
                f"The attribute {key} is not valid for the resource {res.name}.",
                code="27013",
                path=f"/{key}",
            )
        allowed = attr.creatable if creating else attr.updatable
        if not allowed:
            raise OracleError(
                400,
                f"The attribute {key} of {res.name} is read-only.",
                code="27015",
                path=f"/{key}",
            )
    return nested


def _coerce_payload(res: Resource, payload: dict[str, Any]) -> Row:
    values: Row = {}
    for key, value in payload.items():
        attr = res.attr(key)
        if attr is None:
            continue
        coerced = coerce(attr, value)
        if attr.choices is not None and coerced is not None and coerced not in attr.choices:
            raise OracleError(
                400,
                f"The value {coerced!r} of the attribute {key} isn't valid; "
                f"valid values are {', '.join(attr.choices)}.",
                code="27016",
                path=f"/{key}",
            )
        values[key] = coerced
    return values


def _check_required(res: Resource, row: Row) -> None:
    for attr in res.all_attrs:
        if attr.required and row.get(attr.name) in (None, ""):
            raise OracleError(
                400,
                f"The attribute {attr.name} of {res.name} is required.",
                code="27011",
                path=f"/{attr.name}",
            )


async def resolve_references(ctx: Context, res: Resource, row: Row, as_of: date) -> None:
    """Fill in the id or the code of each reference and refuse ones that name nothing."""
    for ref in res.references:
        target = ctx.resource(ref.target)
        ident, code = row.get(ref.id_attr), row.get(ref.code_attr)
        if ident is None and code is None:
            continue
        column = ref.target_id if ident is not None else ref.target_code
        value = ident if ident is not None else code
        found = await ctx.find(target, ctx.column(target, column) == value, as_of=as_of)
        if not found:
            found = await ctx.find(target, ctx.column(target, column) == value)
        if not found:
            attr_name = ref.id_attr if ident is not None else ref.code_attr
            raise OracleError(
                400,
                f"The value {value} of the attribute {attr_name} doesn't match any {target.title}.",
                code=ref.error_code,
                path=f"/{attr_name}",
            )
        row[ref.id_attr] = found[0][ref.target_id]
        row[ref.code_attr] = found[0][ref.target_code]


def _stamp_created(ctx: Context, res: Resource, row: Row) -> None:
    row[res.created_by] = row[res.last_updated_by] = ctx.user
    row[res.creation_date] = row[res.last_update_date] = ctx.now


def _stamp_updated(ctx: Context, res: Resource, row: Row) -> None:
    row[res.last_updated_by] = ctx.user
    row[res.last_update_date] = ctx.now


async def create_item(
    ctx: Context, res: Resource, parent_row: Row | None, payload: Any
) -> tuple[Row, Shape]:
    """Insert a row and any nested children; returns it with the shape that shows them."""
    nested = _check_payload(res, payload, creating=True)
    values = _coerce_payload(res, payload)
    row: Row = {a.name: a.default for a in res.all_attrs if a.default is not None}
    row.update(values)
    if not row.get(res.id_attr):
        row[res.id_attr] = await ctx.next_id()
    saved_default = ctx.default_start
    if res.payload_start is not None:
        start = res.payload_start(payload)
        if start is not None:
            ctx.default_start = start
    try:
        if res.effective:
            start = row.get("EffectiveStartDate") or ctx.effective_of.start
            if (
                start is None
                and parent_row is not None
                and res.parent
                and res.parent.child_start_attr
            ):
                start = parent_row.get(res.parent.child_start_attr)
            row["EffectiveStartDate"] = start or ctx.default_start or ctx.today
            row["EffectiveEndDate"] = OPEN_END
        if res.parent is not None and parent_row is not None:
            row[PARENT] = parent_row[res.parent.id_attr]
        if res.before_create is not None:
            await res.before_create(ctx, res, row, parent_row)
        await resolve_references(ctx, res, row, row.get("EffectiveStartDate") or ctx.today)
        _check_required(res, row)
        _stamp_created(ctx, res, row)
        row[VERSION] = 1
        stored = await ctx.store.insert(ctx.conn, res, row)
        if res.after_create is not None:
            await res.after_create(ctx, res, stored)
        shape = Shape()
        for name, items in nested.items():
            child = res.child(name)
            assert child is not None
            child_shape = Shape()
            for item in items:
                _, child_shape = await create_item(ctx, child, stored, item)
            shape.children[name] = child_shape
        return stored, shape
    finally:
        ctx.default_start = saved_default


async def upsert_item(
    ctx: Context, res: Resource, parent_row: Row | None, payload: Any
) -> tuple[Row, Shape, bool]:
    """`Upsert-Mode: true`: update the row the payload's keys name, else create one."""
    if res.effective:
        raise OracleError(
            400, "The upsert operation isn't supported for date-effective resources.", code="27017"
        )
    if not isinstance(payload, dict):
        raise OracleError(
            400, f"The request body for {res.name} must be a JSON object.", code="27001"
        )
    table = ctx.store.table(res)
    for key in (res.id_attr, *res.alternate_keys):
        if payload.get(key) is None:
            continue
        attr = res.attr(key)
        assert attr is not None
        where = [table.c[key] == coerce(attr, payload[key])]
        if res.parent is not None and parent_row is not None:
            where.append(table.c[PARENT] == parent_row[res.parent.id_attr])
        existing = await ctx.store.fetch(ctx.conn, res, where)
        if existing:
            # The keys only find the row; everything else updates it.
            changes = {
                k: v for k, v in payload.items() if k not in (res.id_attr, *res.alternate_keys)
            }
            row = await update_item(ctx, res, existing[0], changes)
            return row, Shape(), False
    row, shape = await create_item(ctx, res, parent_row, payload)
    return row, shape, True


async def update_item(
    ctx: Context, res: Resource, row: Row, payload: Any, *, replace: bool = False
) -> Row:
    """PATCH (or PUT with replace) of one row, honouring the Effective-Of range mode."""
    _check_payload(res, payload, creating=False)
    changes = _coerce_payload(res, payload)
    if replace:
        for attr in res.attrs:
            if attr.updatable and attr.name not in changes:
                changes[attr.name] = attr.default
    eff = ctx.effective_of
    if res.effective and eff.mode in ("UPDATE", "REPLACE_UPDATE"):
        if eff.start is None:
            raise OracleError(
                400, "The Effective-Of header needs a RangeStartDate for an update.", code="27522"
            )
        return await split_row(
            ctx, res, row, changes, eff.start, eff.end, eff.mode == "REPLACE_UPDATE"
        )
    target = row
    if res.effective and eff.mode == "CORRECTION" and eff.start is not None:
        target = await _row_in_force(ctx, res, row[res.id_attr], eff.start, row.get(PARENT))
    new = {**target, **changes}
    if res.before_update is not None:
        await res.before_update(ctx, res, target, new)
    await resolve_references(ctx, res, new, new.get("EffectiveStartDate") or ctx.today)
    _check_required(res, new)
    _stamp_updated(ctx, res, new)
    new[VERSION] = target[VERSION] + 1
    diff = {k: v for k, v in new.items() if k != ROWID and target.get(k) != v}
    await ctx.store.update(ctx.conn, res, target[ROWID], diff)
    return new


async def _row_in_force(ctx: Context, res: Resource, ident: int, on: date, parent: Any) -> Row:
    table = ctx.store.table(res)
    rows = await ctx.find(res, table.c[res.id_attr] == ident, as_of=on)
    rows = [r for r in rows if r.get(PARENT) == parent]
    if not rows:
        raise OracleError(
            400,
            f"No {res.title} row is in force on {on.isoformat()} for this record.",
            code="27523",
        )
    return rows[0]


async def split_row(
    ctx: Context,
    res: Resource,
    row: Row,
    changes: Row,
    start: date,
    end: date | None,
    replace_future: bool,
) -> Row:
    """UPDATE: end the row in force at `start` the day before, and insert a changed row from it."""
    current = await _row_in_force(ctx, res, row[res.id_attr], start, row.get(PARENT))
    if current["EffectiveStartDate"] == start:
        raise OracleError(
            400,
            f"A change already starts on {start.isoformat()}; use the CORRECTION range mode "
            "to change it.",
            code="27524",
        )
    table = ctx.store.table(res)
    original_end = current["EffectiveEndDate"]
    if replace_future:
        later = await ctx.find(
            res,
            table.c[res.id_attr] == row[res.id_attr],
            table.c.EffectiveStartDate > current["EffectiveStartDate"],
        )
        await ctx.store.delete_rows(ctx.conn, res, [r[ROWID] for r in later])
        original_end = OPEN_END
    new = {**current, **changes}
    new.pop(ROWID)
    new["EffectiveStartDate"] = start
    new["EffectiveEndDate"] = original_end
    if end is not None:
        if end < start:
            raise OracleError(400, "RangeEndDate is before RangeStartDate.", code="27520")
        if end < original_end:
            new["EffectiveEndDate"] = end
            tail = {**current, "EffectiveStartDate": end + timedelta(days=1), VERSION: 1}
            tail.pop(ROWID)
            _stamp_created(ctx, res, tail)
            await ctx.store.insert(ctx.conn, res, tail)
    if res.before_update is not None:
        await res.before_update(ctx, res, current, new)
    await resolve_references(ctx, res, new, start)
    _check_required(res, new)
    await ctx.store.update(
        ctx.conn,
        res,
        current[ROWID],
        {
            "EffectiveEndDate": start - timedelta(days=1),
            VERSION: current[VERSION] + 1,
            res.last_updated_by: ctx.user,
            res.last_update_date: ctx.now,
        },
    )
    _stamp_created(ctx, res, new)
    new[VERSION] = 1
    return await ctx.store.insert(ctx.conn, res, new)


async def delete_item(ctx: Context, res: Resource, row: Row) -> None:
    """Delete a row (all rows of a date-effective record) and its descendants."""
    table = ctx.store.table(res)
    rows = [row]
    if res.effective:
        rows = await ctx.find(res, table.c[res.id_attr] == row[res.id_attr])
    await _delete_descendants(ctx, res, [row[res.id_attr]])
    await ctx.store.delete_rows(ctx.conn, res, [r[ROWID] for r in rows])


async def _delete_descendants(ctx: Context, res: Resource, ids: list[Any]) -> None:
    for child in res.children:
        table = ctx.store.table(child)
        kids = await ctx.store.fetch(ctx.conn, child, [table.c[PARENT].in_(ids)])
        if kids:
            await _delete_descendants(ctx, child, list({k[child.id_attr] for k in kids}))
            await ctx.store.delete_rows(ctx.conn, child, [k[ROWID] for k in kids])


# --- helpers for hooks ----------------------------------------------------------------------

_NON_DIGITS = re.compile(r"\D")


def digits(text: str) -> str:
    return _NON_DIGITS.sub("", text)
