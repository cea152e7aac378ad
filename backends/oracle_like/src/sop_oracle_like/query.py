"""Collection query parameters: the `q` expression language, finders, orderBy, fields and expand."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, not_, or_, select, true

from sop_oracle_like.codec import parse_date, parse_datetime
from sop_oracle_like.errors import OracleError
from sop_oracle_like.model import Attr, Resource
from sop_oracle_like.storage import PARENT, Store

Q_ERROR = "27502"
ATTR_ERROR = "27503"


def q_error(detail: str) -> OracleError:
    return OracleError(400, detail, code=Q_ERROR, path="/q")


# --- AST ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    path: tuple[str, ...]
    op: str  # = != > >= < <= like between in isnull
    values: tuple[Any, ...] = ()
    negated: bool = False


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Negation:
    item: Node


Node = Comparison | BoolOp | Negation


@dataclass(frozen=True)
class Literal:
    """A value as written in the query: quoted text, or a bare number."""

    text: str
    quoted: bool


# --- tokenizer and parser (framework version 2 and later) --------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | (?P<op>>=|<=|!=|<>|=|>|<)
      | (?P<punct>[(),;])
      | (?P<word>[^\s()',;=<>!"]+)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "like", "in", "between", "is", "null"}
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class _Token:
    kind: str
    text: str


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise q_error(f"The q parameter is not valid near position {pos}: {text[pos:]!r}.")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def parse(self) -> Node:
        if not self.tokens:
            raise q_error("The q parameter is empty.")
        node = self._or()
        if self.pos != len(self.tokens):
            raise self._unexpected()
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _keyword(self, *words: str) -> bool:
        token = self._peek()
        if token and token.kind == "word" and token.text.lower() in words:
            self.pos += 1
            return True
        return False

    def _punct(self, char: str) -> bool:
        token = self._peek()
        if token and token.kind == "punct" and token.text == char:
            self.pos += 1
            return True
        return False

    def _unexpected(self) -> OracleError:
        token = self._peek()
        where = f"at {token.text!r}" if token else "at the end"
        return q_error(f"The q parameter {self.text!r} is not valid: unexpected token {where}.")

    def _or(self) -> Node:
        items = [self._and()]
        while self._keyword("or"):
            items.append(self._and())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def _and(self) -> Node:
        items = [self._not()]
        # ";" is the framework version 1 conjunction; later versions still accept it.
        while self._keyword("and") or self._punct(";"):
            items.append(self._not())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def _not(self) -> Node:
        if self._keyword("not"):
            return Negation(self._not())
        if self._punct("("):
            node = self._or()
            if not self._punct(")"):
                raise self._unexpected()
            return node
        return self._comparison()

    def _comparison(self) -> Node:
        token = self._peek()
        if token is None or token.kind != "word" or token.text.lower() in _KEYWORDS:
            raise self._unexpected()
        if not _PATH.match(token.text):
            raise q_error(
                f"The q parameter {self.text!r} is not valid: {token.text!r} is not an attribute."
            )
        self.pos += 1
        path = tuple(token.text.split("."))
        op_token = self._peek()
        if op_token and op_token.kind == "op":
            self.pos += 1
            op = "!=" if op_token.text == "<>" else op_token.text
            return Comparison(path, op, (self._value(),))
        negated = self._keyword("not")
        if self._keyword("like"):
            return Comparison(path, "like", (self._value(),), negated)
        if self._keyword("in"):
            if not self._punct("("):
                raise self._unexpected()
            values = [self._value()]
            while self._punct(","):
                values.append(self._value())
            if not self._punct(")"):
                raise self._unexpected()
            return Comparison(path, "in", tuple(values), negated)
        if self._keyword("between"):
            low = self._value()
            if not self._keyword("and"):
                raise self._unexpected()
            return Comparison(path, "between", (low, self._value()), negated)
        if not negated and self._keyword("is"):
            is_not = self._keyword("not")
            if not self._keyword("null"):
                raise self._unexpected()
            return Comparison(path, "isnull", (), is_not)
        raise self._unexpected()

    def _value(self) -> Literal | None:
        token = self._peek()
        if token is None:
            raise self._unexpected()
        if token.kind == "string":
            self.pos += 1
            quote = token.text[0]
            return Literal(token.text[1:-1].replace(quote * 2, quote), True)
        if token.kind == "word":
            if token.text.lower() == "null":
                self.pos += 1
                return None
            if _NUMBER.match(token.text):
                self.pos += 1
                return Literal(token.text, False)
            raise q_error(
                f"The q parameter {self.text!r} is not valid: the value {token.text!r} must be "
                "quoted."
            )
        raise self._unexpected()


_V1_TERM = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|!=|<>|=|>|<)\s*(.*?)\s*$", re.DOTALL)


def _split_v1(text: str) -> list[str]:
    parts, current, quote = [], [], ""
    for char in text:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def parse_q(text: str, framework_version: int) -> Node:
    """Parse `q`: `;`-joined terms in framework version 1, expressions from version 2."""
    if framework_version >= 2:
        return _Parser(text).parse()
    items: list[Node] = []
    for term in _split_v1(text):
        match = _V1_TERM.match(term)
        if not match:
            raise q_error(f"The q parameter {text!r} is not valid near {term!r}.")
        name, op, raw = match.groups()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
            if raw[0] in raw[1:-1]:
                # Most likely a version 2 expression sent without REST-Framework-Version.
                raise q_error(
                    f"The q parameter {text!r} is not valid in REST framework version 1; use "
                    "';' between terms, or send REST-Framework-Version 2 or later."
                )
            value = Literal(raw[1:-1], True)
        else:
            value = Literal(raw, False)
        items.append(Comparison(tuple(name.split(".")), "!=" if op == "<>" else op, (value,)))
    if not items:
        raise q_error("The q parameter is empty.")
    return items[0] if len(items) == 1 else BoolOp("and", tuple(items))


# --- compilation to SQL -------------------------------------------------------------------


def literal_value(attr: Attr, literal: Literal | None) -> Any:
    """A query literal converted to the attribute's type, or a 400."""
    if literal is None:
        return None
    text = literal.text
    try:
        if attr.kind == "string":
            return text
        if attr.kind == "integer":
            return int(Decimal(text))
        if attr.kind == "number":
            return Decimal(text)
        if attr.kind == "date":
            return parse_date(text)
        if attr.kind == "datetime":
            return parse_datetime(text)
        if attr.kind == "boolean":
            if text.lower() in ("true", "false", "y", "n"):
                return text.lower() in ("true", "y")
            raise ValueError("expected true or false")
    except (ValueError, InvalidOperation) as exc:
        raise q_error(
            f"The value {text!r} is not valid for the attribute {attr.name}: {exc}."
        ) from exc
    raise AssertionError(attr.kind)


@dataclass
class QueryScope:
    """What a compiled filter needs: the tables and the date that picks date-effective rows."""

    store: Store
    as_of: date


def as_of_condition(scope: QueryScope, res: Resource) -> ColumnElement[bool]:
    if not res.effective:
        return true()
    table = scope.store.table(res)
    return and_(table.c.EffectiveStartDate <= scope.as_of, table.c.EffectiveEndDate >= scope.as_of)


def compile_node(scope: QueryScope, res: Resource, node: Node) -> ColumnElement[bool]:
    if isinstance(node, BoolOp):
        parts = [compile_node(scope, res, item) for item in node.items]
        return and_(*parts) if node.op == "and" else or_(*parts)
    if isinstance(node, Negation):
        return not_(compile_node(scope, res, node.item))
    return _compile_comparison(scope, res, node, node.path)


def _compile_comparison(
    scope: QueryScope, res: Resource, node: Comparison, path: tuple[str, ...]
) -> ColumnElement[bool]:
    if len(path) > 1:
        child = res.child(path[0])
        if child is None:
            raise q_error(f"The resource {res.name} has no child {path[0]!r}.")
        parent_table = scope.store.table(res)
        child_table = scope.store.table(child)
        inner = _compile_comparison(scope, child, node, path[1:])
        return exists(
            select(child_table.c[PARENT]).where(
                child_table.c[PARENT] == parent_table.c[res.id_attr],
                as_of_condition(scope, child),
                inner,
            )
        )
    attr = res.attr(path[0])
    if attr is None or not attr.queryable:
        raise OracleError(
            400,
            f"The attribute {path[0]} is not valid or not queryable in the resource {res.name}.",
            code=ATTR_ERROR,
            path="/q",
        )
    column = scope.store.table(res).c[attr.name]
    if node.op == "isnull":
        return column.is_not(None) if node.negated else column.is_(None)
    values = [literal_value(attr, v) for v in node.values]
    if node.op == "like":
        if attr.kind != "string":
            raise q_error(f"LIKE needs a text attribute; {attr.name} is not.")
        clause = column.like(values[0])
    elif node.op == "in":
        clause = column.in_(values)
    elif node.op == "between":
        clause = column.between(values[0], values[1])
    else:
        value = values[0]
        if value is None:
            clause = column.is_(None) if node.op == "=" else column.is_not(None)
        else:
            clause = {
                "=": column == value,
                "!=": column != value,
                ">": column > value,
                ">=": column >= value,
                "<": column < value,
                "<=": column <= value,
            }[node.op]
    return not_(clause) if node.negated else clause


def compile_finder(scope: QueryScope, res: Resource, text: str) -> ColumnElement[bool]:
    """`finder=Name;Var=value,Var2=value` as a filter."""
    name, _, bindings = text.partition(";")
    finder = res.finder(name.strip())
    if finder is None:
        raise OracleError(
            400,
            f"The finder {name!r} is not defined for the resource {res.name}.",
            code="27504",
            path="/finder",
        )
    table = scope.store.table(res)
    clauses: list[ColumnElement[bool]] = []
    for binding in filter(None, (b.strip() for b in bindings.split(","))):
        var, sep, raw = binding.partition("=")
        if not sep or var.strip() not in finder.variables:
            raise OracleError(
                400,
                f"The finder variable {var.strip()!r} is not valid for {finder.name}.",
                code="27504",
                path="/finder",
            )
        attr = res.attr(finder.variables[var.strip()])
        assert attr is not None
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == "'":
            raw = raw[1:-1]
        clauses.append(table.c[attr.name] == literal_value(attr, Literal(raw, True)))
    return and_(true(), *clauses)


def parse_order_by(res: Resource, text: str) -> list[tuple[str, bool]]:
    """`orderBy=A:desc,B` as (attribute, descending) pairs."""
    order: list[tuple[str, bool]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, direction = part.partition(":")
        direction = direction.strip().lower() or "asc"
        if res.attr(name.strip()) is None or direction not in ("asc", "desc"):
            raise OracleError(
                400,
                f"The orderBy parameter {text!r} is not valid for the resource {res.name}.",
                code="27505",
                path="/orderBy",
            )
        order.append((name.strip(), direction == "desc"))
    return order


# --- shape: which attributes and children an item shows ----------------------------------


@dataclass
class Shape:
    """The attributes (None: all) and the expanded children of an item in a response."""

    attrs: set[str] | None = None
    children: dict[str, Shape] = field(default_factory=dict)


def _child_or_error(res: Resource, name: str, param: str) -> Resource:
    child = res.child(name)
    if child is None:
        raise OracleError(
            400,
            f"The child {name!r} in the {param} parameter is not a child of {res.name}.",
            code="27506",
            path=f"/{param}",
        )
    return child


def build_shape(res: Resource, expand: str | None, fields: str | None) -> Shape:
    if fields is not None:
        return _shape_from_fields(res, fields)
    shape = Shape()
    for item in filter(None, (e.strip() for e in (expand or "").split(","))):
        if item.lower() == "all":
            for child in res.children:
                shape.children.setdefault(child.name, Shape())
            continue
        node, current = shape, res
        for name in item.split("."):
            current = _child_or_error(current, name, "expand")
            node = node.children.setdefault(name, Shape())
    return shape


def _shape_from_fields(res: Resource, fields: str) -> Shape:
    segments = fields.split(";")
    shape = Shape(attrs=set())
    first = segments[0]
    if ":" not in first:
        shape.attrs = _attr_names(res, first)
        segments = segments[1:]
    for segment in filter(None, (s.strip() for s in segments)):
        path, _, names = segment.partition(":")
        node, current = shape, res
        for name in path.split("."):
            current = _child_or_error(current, name.strip(), "fields")
            node = node.children.setdefault(name.strip(), Shape(attrs=set()))
        node.attrs = _attr_names(current, names)
    return shape


def _attr_names(res: Resource, text: str) -> set[str]:
    names = {n.strip() for n in text.split(",") if n.strip()}
    for name in names:
        if res.attr(name) is None:
            raise OracleError(
                400,
                f"The attribute {name} in the fields parameter is not valid for {res.name}.",
                code=ATTR_ERROR,
                path="/fields",
            )
    return names
