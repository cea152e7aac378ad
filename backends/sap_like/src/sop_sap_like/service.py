"""Entity operations: queries in a date window, rendering, and writes with effective dating."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.ext.asyncio import AsyncConnection

from sop_sap_like.edm import (
    DATETIME,
    OPEN_END,
    EntitySet,
    Prop,
    Row,
    coerce,
    format_key_literal,
    format_value,
)
from sop_sap_like.errors import ODataError, bad_request
from sop_sap_like.filter import Compiler, DateWindow
from sop_sap_like.settings import SapLikeSettings
from sop_sap_like.storage import ROWID, VERSION, Store

AUDIT = ("createdBy", "createdDateTime", "lastModifiedBy", "lastModifiedDateTime")


@dataclass
class Context:
    """One request's view: connection, clock, caller, service root and date window."""

    conn: AsyncConnection
    store: Store
    settings: SapLikeSettings
    catalog: dict[str, EntitySet]
    user: str
    now: datetime
    service_root: str
    window: DateWindow

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def compiler(self) -> Compiler:
        return Compiler(self.catalog, self.store.table, self.window)

    def entity(self, name: str) -> EntitySet:
        return self.catalog[name]

    def column(self, es: EntitySet, name: str) -> Any:
        return self.store.table(es).c[name]

    async def find(
        self, es: EntitySet, *conditions: ColumnElement[bool], on: date | None = None
    ) -> list[Row]:
        """Rows matching the conditions; effective-dated ones in force on `on` if given."""
        table = self.store.table(es)
        where = list(conditions)
        if on is not None and es.effective is not None:
            where += [table.c[es.start] <= on, table.c[es.end] >= on]
        order = [table.c[k.name] for k in es.keys]
        return await self.store.fetch(self.conn, es, where, order)

    async def by_key(self, es: EntitySet, key: dict[str, Any]) -> Row | None:
        rows = await self.find(es, *(self.column(es, k) == v for k, v in key.items()))
        return rows[0] if rows else None


# --- keys, URIs and ETags -----------------------------------------------------------------


def key_of(es: EntitySet, row: Row) -> dict[str, Any]:
    return {k.name: row[k.name] for k in es.keys}


def key_predicate(es: EntitySet, values: dict[str, Any]) -> str:
    keys = es.keys
    if len(keys) == 1:
        return f"({format_key_literal(keys[0], values[keys[0].name])})"
    return "(" + ",".join(f"{k.name}={format_key_literal(k, values[k.name])}" for k in keys) + ")"


def entity_uri(ctx: Context, es: EntitySet, row: Row) -> str:
    return f"{ctx.service_root}/{es.name}{key_predicate(es, key_of(es, row))}"


def etag(es: EntitySet, row: Row) -> str:
    if es.audit and row.get("lastModifiedDateTime") is not None:
        stamp = row["lastModifiedDateTime"].strftime("%Y-%m-%dT%H%%3A%M%%3A%S.%f")[:-3]
        return f"W/\"datetimeoffset'{stamp}Z'\""
    return f'W/"{row[VERSION]}"'


def etag_matches(if_match: str, es: EntitySet, row: Row) -> bool:
    current = etag(es, row)
    for candidate in if_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag == current or tag.removeprefix("W/") == current.removeprefix("W/"):
            return True
    return False


def key_text(es: EntitySet, row: Row) -> str:
    """The key as the upsert results show it: `EmpJob/seqNumber=1,startDate=/Date(...)/,...`."""
    parts = []
    for prop in es.keys:
        value = row.get(prop.name)
        text = format_value(prop, value) if prop.type == DATETIME else value
        parts.append(f"{prop.name}={text}")
    return f"{es.name}/" + ",".join(parts)


# --- shapes: $select and $expand -----------------------------------------------------------


@dataclass
class Shape:
    """Which properties (None: all) and navigations an entity shows, and which are expanded."""

    props: set[str] | None = None
    navs: set[str] = field(default_factory=set)
    expand: dict[str, Shape] = field(default_factory=dict)


def _unknown(es: EntitySet, name: str) -> ODataError:
    return ODataError(
        400,
        "COE_PROPERTY_NOT_FOUND",
        f"[COE0021] Invalid property names: {es.name}/{name}.",
        target=name,
    )


def build_shape(
    catalog: dict[str, EntitySet], es: EntitySet, select: str | None, expand: str | None
) -> Shape:
    shape = Shape()
    for item in filter(None, (e.strip() for e in (expand or "").split(","))):
        node, current = shape, es
        for name in item.split("/"):
            nav = current.nav(name)
            if nav is None:
                raise _unknown(current, name)
            node = node.expand.setdefault(name, Shape())
            current = catalog[nav.target]
    if select:
        _apply_select(catalog, es, shape, [s.strip() for s in select.split(",") if s.strip()])
    return shape


def _apply_select(
    catalog: dict[str, EntitySet], es: EntitySet, shape: Shape, items: list[str]
) -> None:
    shape.props = set()
    nested: dict[str, list[str]] = {}
    for item in items:
        head, _, rest = item.partition("/")
        if head == "*":
            shape.props = None
            shape.navs = {n.name for n in es.navs}
            continue
        if es.nav(head) is not None:
            shape.navs.add(head)
            if rest:
                nested.setdefault(head, []).append(rest)
            continue
        if es.prop(head) is None or rest:
            raise _unknown(es, item)
        if shape.props is not None:
            shape.props.add(head)
    for nav_name, sub in nested.items():
        nav = es.nav(nav_name)
        assert nav is not None
        if nav_name in shape.expand:
            _apply_select(catalog, catalog[nav.target], shape.expand[nav_name], sub)


# --- rendering ----------------------------------------------------------------------------


def _effective_window(ctx: Context, es: EntitySet) -> list[ColumnElement[bool]]:
    if es.effective is None:
        return []
    table = ctx.store.table(es)
    return [table.c[es.start] <= ctx.window.end, table.c[es.end] >= ctx.window.start]


async def nav_rows(
    ctx: Context, source: EntitySet, nav_name: str, rows: list[Row]
) -> dict[tuple[Any, ...], list[Row]]:
    """The target rows of one navigation for many source rows, grouped by join values."""
    nav = source.nav(nav_name)
    assert nav is not None
    target = ctx.entity(nav.target)
    table = ctx.store.table(target)
    keys = {tuple(r[a] for a, _ in nav.join) for r in rows}
    keys = {k for k in keys if None not in k}
    if not keys:
        return {}
    match: ColumnElement[bool]
    if len(nav.join) == 1:
        match = table.c[nav.join[0][1]].in_([k[0] for k in keys])
    else:
        match = or_(
            *(and_(*(table.c[b] == v for (_, b), v in zip(nav.join, k, strict=True))) for k in keys)
        )
    order = [table.c[k.name] for k in target.keys]
    grouped: dict[tuple[Any, ...], list[Row]] = {}
    for row in await ctx.store.fetch(
        ctx.conn, target, [match, *_effective_window(ctx, target)], order
    ):
        grouped.setdefault(tuple(row[b] for _, b in nav.join), []).append(row)
    return grouped


async def render(
    ctx: Context, es: EntitySet, rows: list[Row], shape: Shape
) -> list[dict[str, Any]]:
    """Rows as OData v2 JSON entities: __metadata, properties, deferred or expanded navigations."""
    out = []
    for row in rows:
        uri = entity_uri(ctx, es, row)
        item: dict[str, Any] = {
            "__metadata": {"uri": uri, "type": es.type_name, "etag": etag(es, row)}
        }
        for prop in es.props:
            if shape.props is None or prop.name in shape.props:
                item[prop.name] = format_value(prop, row[prop.name])
        for nav in es.navs:
            if nav.name in shape.expand:
                continue
            if shape.props is None or nav.name in shape.navs:
                item[nav.name] = {"__deferred": {"uri": f"{uri}/{nav.name}"}}
        out.append(item)
    for nav_name, sub_shape in shape.expand.items():
        expanded = es.nav(nav_name)
        assert expanded is not None
        target = ctx.entity(expanded.target)
        grouped = await nav_rows(ctx, es, nav_name, rows)
        for item, row in zip(out, rows, strict=True):
            kids = grouped.get(tuple(row[a] for a, _ in expanded.join), [])
            rendered = await render(ctx, target, kids, sub_shape)
            item[nav_name] = (
                {"results": rendered} if expanded.many else (rendered[0] if rendered else None)
            )
    return out


# --- writes -------------------------------------------------------------------------------


def _stamp(ctx: Context, es: EntitySet, row: Row, old: Row | None) -> None:
    if not es.audit:
        return
    stamp = ctx.now
    previous = old.get("lastModifiedDateTime") if old else None
    # ETags derive from lastModifiedDateTime, so it must move on every change.
    if previous is not None and stamp <= previous:
        stamp = previous + timedelta(milliseconds=1)
    if old is None:
        row["createdBy"], row["createdDateTime"] = ctx.user, stamp
    row["lastModifiedBy"], row["lastModifiedDateTime"] = ctx.user, stamp


def _check_payload(es: EntitySet, payload: Any) -> tuple[Row, dict[str, list[Any]]]:
    """Coerce a payload's properties; split off deep-insert navigations."""
    if not isinstance(payload, dict):
        raise bad_request(f"[COE0019] The {es.name} payload must be a JSON object.")
    values: Row = {}
    deep: dict[str, list[Any]] = {}
    for name, raw in payload.items():
        if name == "__metadata" or name in AUDIT:
            continue
        nav = es.nav(name)
        if nav is not None:
            items = raw.get("results") if isinstance(raw, dict) else raw
            if not nav.many or not isinstance(items, list):
                raise bad_request(
                    f"[COE0019] Only to-many navigations can be deep-inserted; {name} can't.", name
                )
            deep[name] = items
            continue
        prop = es.prop(name)
        if prop is None:
            raise _unknown(es, name)
        if not prop.upsertable and not prop.key:
            raise bad_request(f"[COE0023] The property {es.name}/{name} isn't upsertable.", name)
        value = coerce(prop, raw)
        if prop.picklist is not None and value is not None and value not in prop.picklist:
            raise bad_request(
                f"[COE0019] Invalid picklist value {value!r} for {es.name}/{name}; valid values "
                f"are {', '.join(prop.picklist)}.",
                name,
            )
        values[name] = value
    return values, deep


def _check_required(es: EntitySet, row: Row) -> None:
    for prop in es.props:
        if (prop.required or prop.key) and row.get(prop.name) in (None, ""):
            raise bad_request(
                f"[COE0020] The property {es.name}/{prop.name} is required.", prop.name
            )


async def write_entity(
    ctx: Context,
    es: EntitySet,
    payload: Any,
    *,
    mode: str,
    existing: Row | None = None,
) -> tuple[Row, bool]:
    """Insert or change one entity (and deep-inserted children); returns (row, inserted).

    `mode` is create (refuse an existing key), upsert, merge (change the given row), or
    replace/full (change it, resetting what the payload leaves out).
    """
    values, deep = _check_payload(es, payload)
    if existing is None:
        for name, factory in es.generated.items():
            if values.get(name) is None:
                values[name] = await factory(ctx, values)
        missing = [k.name for k in es.keys if values.get(k.name) is None]
        if missing:
            raise bad_request(
                f"[COE0020] The key property {es.name}/{missing[0]} is missing.", missing[0]
            )
        existing = await ctx.by_key(es, {k.name: values[k.name] for k in es.keys})
        if existing is not None and mode == "create":
            raise ODataError(
                409,
                "COE_GENERAL_BAD_REQUEST",
                f"[COE0024] The entity {key_text(es, existing)} already exists.",
            )
    else:
        for k in es.keys:
            if k.name in values and values[k.name] != existing[k.name]:
                raise bad_request(
                    f"[COE0025] The key property {es.name}/{k.name} can't change.", k.name
                )
    if existing is not None:
        if not es.updatable:
            raise ODataError(403, "COE_GENERAL_FORBIDDEN", f"{es.name} entities can't be changed.")
        row = dict(existing)
        if mode in ("replace", "full"):
            for prop in es.props:
                if prop.upsertable and not prop.key and prop.name not in values:
                    row[prop.name] = prop.default
        row.update(values)
    else:
        if not es.creatable:
            raise ODataError(403, "COE_GENERAL_FORBIDDEN", f"{es.name} entities can't be created.")
        row = {p.name: p.default for p in es.props}
        if es.effective is not None:
            # A new time slice starts from the record in force on its start date.
            base = await _slice_in_force(ctx, es, values, values.get(es.start))
            if base is not None:
                row.update({p.name: base[p.name] for p in es.props if p.upsertable and not p.key})
        row.update(values)
        if es.effective is not None:
            row[es.end] = OPEN_END
    if es.before_write is not None:
        await es.before_write(ctx, es, row, existing)
    _check_required(es, row)
    _stamp(ctx, es, row, existing)
    if existing is not None:
        row[VERSION] = existing[VERSION] + 1
        await ctx.store.update(ctx.conn, es, existing[ROWID], row)
    else:
        row = await ctx.store.insert(ctx.conn, es, row)
    if es.effective is not None:
        await recompute_slices(ctx, es, row)
    if es.after_write is not None:
        await es.after_write(ctx, es, row, existing)
    for nav_name, items in deep.items():
        nav = es.nav(nav_name)
        assert nav is not None
        target = ctx.entity(nav.target)
        for item in items:
            child = dict(item) if isinstance(item, dict) else item
            if isinstance(child, dict):
                for a, b in nav.join:
                    child[b] = format_value(target.prop(b) or Prop(b), row[a])
            await write_entity(ctx, target, child, mode="upsert")
    fresh = await ctx.by_key(es, key_of(es, row))
    assert fresh is not None
    return fresh, existing is None


async def _slice_in_force(ctx: Context, es: EntitySet, values: Row, on: date | None) -> Row | None:
    if on is None or any(values.get(g) is None for g in es.group):
        return None
    rows = await ctx.find(es, *(ctx.column(es, g) == values[g] for g in es.group), on=on)
    return rows[-1] if rows else None


async def recompute_slices(ctx: Context, es: EntitySet, row: Row) -> None:
    """Each time slice ends the day before the next one starts; the last one is open."""
    table = ctx.store.table(es)
    order = [table.c[es.start]]
    if es.prop("seqNumber") is not None:
        order.append(table.c.seqNumber)
    slices = await ctx.store.fetch(ctx.conn, es, [table.c[g] == row[g] for g in es.group], order)
    for current, following in zip(slices, [*slices[1:], None], strict=True):
        if following is None:
            end = OPEN_END
        elif following[es.start] > current[es.start]:
            end = following[es.start] - timedelta(days=1)
        else:
            end = current[es.start]
        if current[es.end] != end:
            changes: Row = {es.end: end, VERSION: current[VERSION] + 1}
            _stamp(ctx, es, changes, current)
            changes.pop("createdBy", None)
            changes.pop("createdDateTime", None)
            await ctx.store.update(ctx.conn, es, current[ROWID], changes)


async def delete_entity(ctx: Context, es: EntitySet, row: Row) -> None:
    if not es.deletable:
        raise ODataError(403, "COE_GENERAL_FORBIDDEN", f"{es.name} entities can't be deleted.")
    if es.before_delete is not None:
        await es.before_delete(ctx, es, row, None)
    await ctx.store.delete_rows(ctx.conn, es, [row[ROWID]])
    if es.effective is not None:
        remaining = await ctx.find(es, *(ctx.column(es, g) == row[g] for g in es.group))
        if remaining:
            await recompute_slices(ctx, es, remaining[0])


async def require(ctx: Context, es_name: str, message: str, target: str, **key: Any) -> Row:
    """The row with this key, or a 400 naming the property that pointed at nothing."""
    es = ctx.entity(es_name)
    rows = await ctx.find(es, *(ctx.column(es, k) == v for k, v in key.items()))
    if not rows:
        raise bad_request(message, target)
    return rows[0]


__all__ = [
    "Context",
    "Shape",
    "build_shape",
    "delete_entity",
    "entity_uri",
    "etag",
    "etag_matches",
    "key_of",
    "key_text",
    "nav_rows",
    "render",
    "require",
    "write_entity",
]
