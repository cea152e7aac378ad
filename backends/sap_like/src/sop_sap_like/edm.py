"""Entity metadata (properties, keys, navigations) and OData v2 value formats in and out."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sop_sap_like.errors import ODataError

if TYPE_CHECKING:
    from sop_sap_like.service import Context

Row = dict[str, Any]
OPEN_END = date(9999, 12, 31)
EPOCH = datetime.fromtimestamp(0, UTC).replace(tzinfo=None)

STRING = "Edm.String"
INT32 = "Edm.Int32"
INT64 = "Edm.Int64"
DECIMAL = "Edm.Decimal"
BOOLEAN = "Edm.Boolean"
DATETIME = "Edm.DateTime"
DATETIMEOFFSET = "Edm.DateTimeOffset"

WriteHook = Callable[["Context", "EntitySet", Row, "Row | None"], Awaitable[None]]
AfterHook = Callable[["Context", "EntitySet", Row, "Row | None"], Awaitable[None]]
DefaultFactory = Callable[["Context", Row], Awaitable[Any]]


@dataclass(frozen=True)
class Prop:
    """A property of an entity type, with the sap: annotations SuccessFactors publishes."""

    name: str
    type: str = STRING
    key: bool = False
    required: bool = False
    upsertable: bool = True
    updatable: bool = True
    filterable: bool = True
    max_length: int | None = None
    picklist: tuple[str, ...] | None = None
    label: str | None = None
    default: Any = None
    scale: int | None = None


@dataclass(frozen=True)
class Nav:
    """A navigation property: the target entity set and the property pairs that join them."""

    name: str
    target: str
    many: bool
    join: tuple[tuple[str, str], ...]


@dataclass(eq=False)
class EntitySet:
    """An entity set (named like its type, as in SuccessFactors) and how it behaves."""

    name: str
    label: str
    props: list[Prop]
    navs: list[Nav] = field(default_factory=list)
    # Effective-dated entities: (start, end) property names and the keys one record's
    # time slices share (e.g. EmpJob slices share userId).
    effective: tuple[str, str] | None = None
    group: tuple[str, ...] = ()
    audit: bool = True
    creatable: bool = True
    updatable: bool = True
    deletable: bool = True
    generated: dict[str, DefaultFactory] = field(default_factory=dict)
    before_write: WriteHook | None = None
    after_write: AfterHook | None = None
    before_delete: AfterHook | None = None

    def __post_init__(self) -> None:
        if self.audit:
            self.props = [
                *self.props,
                Prop("createdBy", upsertable=False, updatable=False),
                Prop("createdDateTime", DATETIMEOFFSET, upsertable=False, updatable=False),
                Prop("lastModifiedBy", upsertable=False, updatable=False),
                Prop("lastModifiedDateTime", DATETIMEOFFSET, upsertable=False, updatable=False),
            ]
        self._props = {p.name: p for p in self.props}
        self._navs = {n.name: n for n in self.navs}

    @property
    def keys(self) -> list[Prop]:
        return [p for p in self.props if p.key]

    @property
    def type_name(self) -> str:
        return f"SFOData.{self.name}"

    @property
    def table_name(self) -> str:
        return f"sf_{self.name}"

    def prop(self, name: str) -> Prop | None:
        return self._props.get(name)

    def nav(self, name: str) -> Nav | None:
        return self._navs.get(name)

    @property
    def start(self) -> str:
        assert self.effective is not None
        return self.effective[0]

    @property
    def end(self) -> str:
        assert self.effective is not None
        return self.effective[1]


# --- JSON values --------------------------------------------------------------------------


def _millis(value: date | datetime) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return int((value - EPOCH) / timedelta(milliseconds=1))
    return (value - EPOCH.date()).days * 86_400_000


def format_value(prop: Prop, value: Any) -> Any:
    """A stored value as SuccessFactors writes it in OData v2 JSON."""
    if value is None:
        return None
    if prop.type == DATETIME:
        return f"/Date({_millis(value)})/"
    if prop.type == DATETIMEOFFSET:
        return f"/Date({_millis(value)}+0000)/"
    if prop.type == DECIMAL:
        return format_decimal(Decimal(value), prop.scale)
    if prop.type == INT64:
        return str(int(value))
    if prop.type == INT32:
        return int(value)
    if prop.type == BOOLEAN:
        return bool(value)
    return value


def format_decimal(value: Decimal, scale: int | None) -> str:
    if scale is not None:
        return str(value.quantize(Decimal(1).scaleb(-scale)))
    text = format(value.normalize(), "f")
    return text


_JSON_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_json_datetime(text: str) -> datetime:
    """`/Date(ms)/`, `/Date(ms+0000)/` or ISO 8601 text as a naive UTC datetime."""
    match = _JSON_DATE.match(text.strip())
    if match:
        value = EPOCH + timedelta(milliseconds=int(match.group(1)))
        if match.group(2):
            sign = 1 if match.group(2)[0] == "+" else -1
            offset = timedelta(hours=int(match.group(2)[1:3]), minutes=int(match.group(2)[3:5]))
            value -= sign * offset
        return value
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def coerce(prop: Prop, value: Any) -> Any:
    """A JSON payload value converted to the property's storage type, or a 400."""
    if value is None:
        return None
    try:
        if prop.type == STRING:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise ValueError("expected a string")
            text = str(value)
            if prop.max_length is not None and len(text) > prop.max_length:
                raise ValueError(f"longer than {prop.max_length} characters")
            return text
        if prop.type in (INT32, INT64):
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError("expected an integer")
            return int(value)
        if prop.type == DECIMAL:
            if isinstance(value, bool):
                raise ValueError("expected a decimal")
            return Decimal(str(value))
        if prop.type == BOOLEAN:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise ValueError("expected true or false")
        if prop.type == DATETIME:
            if not isinstance(value, str):
                raise ValueError("expected /Date(...)/")
            return parse_json_datetime(value).date()
        if prop.type == DATETIMEOFFSET:
            if not isinstance(value, str):
                raise ValueError("expected /Date(...)/")
            return parse_json_datetime(value)
    except (ValueError, InvalidOperation, TypeError) as exc:
        raise ODataError(
            400,
            "COE_GENERAL_BAD_REQUEST",
            f"[COE0019] Invalid value {value!r} for property {prop.name} ({prop.type}): {exc}.",
            target=prop.name,
        ) from exc
    raise AssertionError(prop.type)


# --- URI literals -------------------------------------------------------------------------


def format_key_literal(prop: Prop, value: Any) -> str:
    """A key value as written in an entity URI: `'x'`, `1L`, `datetime'2020-01-01T00:00:00'`."""
    if prop.type == STRING:
        return "'" + str(value).replace("'", "''") + "'"
    if prop.type == INT64:
        return f"{int(value)}L"
    if prop.type == INT32:
        return str(int(value))
    if prop.type == DECIMAL:
        return f"{value}M"
    if prop.type == BOOLEAN:
        return "true" if value else "false"
    if prop.type == DATETIME:
        pattern = "%Y-%m-%dT%H:%M:%S" if isinstance(value, datetime) else "%Y-%m-%dT00:00:00"
        return f"datetime'{value.strftime(pattern)}'"
    if prop.type == DATETIMEOFFSET:
        return f"datetimeoffset'{value.strftime('%Y-%m-%dT%H:%M:%S')}Z'"
    raise AssertionError(prop.type)


@dataclass(frozen=True)
class Literal:
    """A typed literal from a URI: its EDM type (None for null) and Python value."""

    type: str | None
    value: Any


_LITERAL = re.compile(
    r"""^(?:
        (?P<string>'(?:[^']|'')*')
      | datetime'(?P<datetime>[^']*)'
      | datetimeoffset'(?P<offset>[^']*)'
      | guid'(?P<guid>[^']*)'
      | (?P<int64>-?\d+)[lL]
      | (?P<decimal>-?\d+(?:\.\d+)?)[mM]
      | (?P<double>-?\d+\.\d+(?:[eE][+-]?\d+)?)[dDfF]?
      | (?P<int>-?\d+)
      | (?P<bool>true|false)
      | (?P<null>null)
    )$""",
    re.VERBOSE,
)


def parse_literal(text: str) -> Literal:
    match = _LITERAL.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an OData literal")
    kind = match.lastgroup
    raw = match.group(kind) if kind else None
    if kind == "string":
        assert raw is not None
        return Literal(STRING, raw[1:-1].replace("''", "'"))
    if kind == "datetime":
        return Literal(DATETIME, parse_json_datetime(str(raw)))
    if kind == "offset":
        return Literal(DATETIMEOFFSET, parse_json_datetime(str(raw)))
    if kind == "guid":
        return Literal(STRING, raw)
    if kind == "int64":
        return Literal(INT64, int(str(raw)))
    if kind in ("decimal", "double"):
        return Literal(DECIMAL, Decimal(str(raw)))
    if kind == "int":
        return Literal(INT32, int(str(raw)))
    if kind == "bool":
        return Literal(BOOLEAN, raw == "true")
    return Literal(None, None)


def literal_for(prop: Prop, literal: Literal) -> Any:
    """A literal converted to a property's type, refusing mismatches as OData does."""
    if literal.type is None:
        return None
    numeric = (INT32, INT64, DECIMAL)
    if prop.type == STRING and literal.type == STRING:
        return literal.value
    if prop.type in numeric and literal.type in numeric:
        return Decimal(literal.value) if prop.type == DECIMAL else int(literal.value)
    if prop.type == BOOLEAN and literal.type == BOOLEAN:
        return literal.value
    if prop.type == DATETIME and literal.type in (DATETIME, DATETIMEOFFSET):
        value: datetime = literal.value
        return value.date() if value.time() == datetime.min.time() else value
    if prop.type == DATETIMEOFFSET and literal.type in (DATETIME, DATETIMEOFFSET):
        return literal.value
    raise ValueError(f"a {literal.type} literal can't be compared with {prop.name} ({prop.type})")
