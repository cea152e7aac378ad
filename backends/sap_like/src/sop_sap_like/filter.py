"""`$filter`: the OData v2 expression grammar (with SuccessFactors' `in` and `like`) to SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, literal, not_, or_, select

from sop_sap_like.edm import BOOLEAN, STRING, EntitySet, Literal, Prop, literal_for, parse_literal
from sop_sap_like.errors import ODataError, bad_request


def filter_error(detail: str) -> ODataError:
    return bad_request(f"[COE0019] Invalid $filter: {detail}", target="$filter")


# --- AST ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathRef:
    segments: tuple[str, ...]


@dataclass(frozen=True)
class Lit:
    literal: Literal


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Compare:
    op: str  # eq ne gt ge lt le like
    left: Expr
    right: Expr


@dataclass(frozen=True)
class In:
    operand: Expr
    values: tuple[Lit, ...]


@dataclass(frozen=True)
class Logical:
    op: str  # and | or
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Not:
    operand: Expr


Expr = PathRef | Lit | Call | Compare | In | Logical | Not

_COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le", "like"}
_FUNCTIONS = {"substringof", "startswith", "endswith", "tolower", "toupper", "trim", "length"}

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<literal>(?:datetimeoffset|datetime|guid)'[^']*'|'(?:[^']|'')*'
            |-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[lLmMdDfF]?(?![\w.]))
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_./]*)
    )""",
    re.VERBOSE,
)


@dataclass
class _Tok:
    kind: str
    text: str


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise filter_error(f"unexpected character at position {pos} in {text!r}")
        kind = match.lastgroup or ""
        tokens.append(_Tok(kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def parse(self) -> Expr:
        if not self.tokens:
            raise filter_error("the expression is empty")
        expr = self._or()
        if self.pos != len(self.tokens):
            raise self._unexpected()
        return expr

    def _peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _word(self, *words: str) -> str | None:
        token = self._peek()
        if token and token.kind == "word" and token.text.lower() in words:
            self.pos += 1
            return token.text.lower()
        return None

    def _punct(self, char: str) -> bool:
        token = self._peek()
        if token and token.kind == "punct" and token.text == char:
            self.pos += 1
            return True
        return False

    def _unexpected(self) -> ODataError:
        token = self._peek()
        where = f"unexpected {token.text!r}" if token else "unexpected end of expression"
        return filter_error(f"{where} in {self.text!r}")

    def _or(self) -> Expr:
        left = self._and()
        while self._word("or"):
            left = Logical("or", left, self._and())
        return left

    def _and(self) -> Expr:
        left = self._not()
        while self._word("and"):
            left = Logical("and", left, self._not())
        return left

    def _not(self) -> Expr:
        if self._word("not"):
            return Not(self._not())
        return self._comparison()

    def _comparison(self) -> Expr:
        left = self._primary()
        op = self._word(*_COMPARISONS)
        if op:
            return Compare(op, left, self._primary())
        if self._word("in"):
            values = self._in_list()
            return In(left, values)
        return left

    def _in_list(self) -> tuple[Lit, ...]:
        # SuccessFactors writes `userId in 'a', 'b'`; a parenthesised list is accepted too.
        parens = self._punct("(")
        values = [self._literal()]
        while self._punct(","):
            values.append(self._literal())
        if parens and not self._punct(")"):
            raise self._unexpected()
        return tuple(values)

    def _literal(self) -> Lit:
        token = self._peek()
        if token is None:
            raise self._unexpected()
        if token.kind == "literal" or (
            token.kind == "word" and token.text in ("true", "false", "null")
        ):
            self.pos += 1
            try:
                return Lit(parse_literal(token.text))
            except ValueError as exc:
                raise filter_error(str(exc)) from exc
        raise self._unexpected()

    def _primary(self) -> Expr:
        token = self._peek()
        if token is None:
            raise self._unexpected()
        if self._punct("("):
            inner = self._or()
            if not self._punct(")"):
                raise self._unexpected()
            return inner
        if token.kind == "literal" or (
            token.kind == "word" and token.text in ("true", "false", "null")
        ):
            return self._literal()
        if token.kind == "word":
            self.pos += 1
            name = token.text
            if name.lower() in _FUNCTIONS and self._punct("("):
                args = [self._or()]
                while self._punct(","):
                    args.append(self._or())
                if not self._punct(")"):
                    raise self._unexpected()
                return Call(name.lower(), tuple(args))
            if name.lower() in _COMPARISONS | {"and", "or", "not", "in"}:
                raise filter_error(f"unexpected operator {name!r} in {self.text!r}")
            return PathRef(tuple(name.split("/")))
        raise self._unexpected()


def parse_filter(text: str) -> Expr:
    return _Parser(text).parse()


# --- compilation ------------------------------------------------------------------------


@dataclass(frozen=True)
class DateWindow:
    """The dates whose effective-dated records a query sees (asOfDate, or fromDate/toDate)."""

    start: date
    end: date


class Compiler:
    """Compiles filter expressions against an entity set's table, following navigations."""

    def __init__(self, catalog: dict[str, EntitySet], tables: Any, window: DateWindow) -> None:
        self.catalog = catalog
        self.tables = tables
        self.window = window

    def effective(self, es: EntitySet) -> ColumnElement[bool]:
        """The condition that picks an effective-dated entity's records inside the window."""
        table = self.tables(es)
        if es.effective is None:
            return literal(True)
        return and_(table.c[es.start] <= self.window.end, table.c[es.end] >= self.window.start)

    def join(self, source: EntitySet, nav_name: str) -> tuple[EntitySet, ColumnElement[bool]]:
        nav = source.nav(nav_name)
        if nav is None:
            raise ODataError(
                400,
                "COE_PROPERTY_NOT_FOUND",
                f"[COE0021] Invalid property names: {source.name}/{nav_name}.",
                target=nav_name,
            )
        target = self.catalog[nav.target]
        src, dst = self.tables(source), self.tables(target)
        condition = and_(*(src.c[a] == dst.c[b] for a, b in nav.join), self.effective(target))
        return target, condition

    def compile(self, es: EntitySet, expr: Expr) -> ColumnElement[bool]:
        if isinstance(expr, Logical):
            left, right = self.compile(es, expr.left), self.compile(es, expr.right)
            return and_(left, right) if expr.op == "and" else or_(left, right)
        if isinstance(expr, Not):
            return not_(self.compile(es, expr.operand))
        nav = _nav_prefix(expr)
        if nav is not None:
            target, condition = self.join(es, nav)
            inner = self.compile(target, _strip(expr, nav))
            table = self.tables(target)
            return exists(select(table.c[target.keys[0].name]).where(condition, inner))
        if isinstance(expr, Compare):
            return self._compare(es, expr)
        if isinstance(expr, In):
            column, prop = self._path(es, expr.operand)
            return column.in_([self._typed(prop, v.literal) for v in expr.values])
        if isinstance(expr, Call):
            return self._bool_call(es, expr)
        if isinstance(expr, PathRef):
            column, prop = self._path(es, expr)
            if prop.type != BOOLEAN:
                raise filter_error(f"{prop.name} is not a Boolean expression")
            return column.is_(True)
        raise filter_error("a literal is not a condition")

    def _path(self, es: EntitySet, expr: Expr) -> tuple[Any, Prop]:
        if not isinstance(expr, PathRef) or len(expr.segments) != 1:
            raise filter_error("expected a property name")
        name = expr.segments[0]
        prop = es.prop(name)
        if prop is None:
            raise ODataError(
                400,
                "COE_PROPERTY_NOT_FOUND",
                f"[COE0021] Invalid property names: {es.name}/{name}.",
                target=name,
            )
        if not prop.filterable:
            raise filter_error(f"{es.name}/{name} is not filterable")
        return self.tables(es).c[name], prop

    @staticmethod
    def _typed(prop: Prop, lit: Literal) -> Any:
        try:
            return literal_for(prop, lit)
        except ValueError as exc:
            raise filter_error(str(exc)) from exc

    def _operand(self, es: EntitySet, expr: Expr) -> tuple[Any, Prop | None, Literal | None]:
        if isinstance(expr, Lit):
            return None, None, expr.literal
        if isinstance(expr, PathRef):
            column, prop = self._path(es, expr)
            return column, prop, None
        if isinstance(expr, Call) and expr.name in ("tolower", "toupper", "trim", "length"):
            column, text_prop, _ = self._operand(es, expr.args[0])
            if text_prop is None or text_prop.type != STRING:
                raise filter_error(f"{expr.name} needs a text property")
            fn = {
                "tolower": func.lower,
                "toupper": func.upper,
                "trim": func.trim,
                "length": func.length,
            }
            if expr.name == "length":
                return fn["length"](column), Prop("length", "Edm.Int32"), None
            return fn[expr.name](column), text_prop, None
        raise filter_error("unsupported operand")

    def _compare(self, es: EntitySet, expr: Compare) -> ColumnElement[bool]:
        left, lprop, llit = self._operand(es, expr.left)
        right, rprop, rlit = self._operand(es, expr.right)
        if lprop is None and rprop is None:
            raise filter_error("a comparison needs a property")
        if lprop is None:
            # Put the property on the left; flip the operator to match.
            left, lprop, llit, right, rprop, rlit = right, rprop, rlit, left, lprop, llit
            flip = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}
            expr = Compare(flip.get(expr.op, expr.op), expr.right, expr.left)
        assert lprop is not None
        if rlit is not None:
            if rlit.type is None:
                if expr.op == "eq":
                    return left.is_(None)
                if expr.op == "ne":
                    return left.is_not(None)
                raise filter_error("null can only be compared with eq or ne")
            right = self._typed(lprop, rlit)
        if expr.op == "like":
            if lprop.type != STRING:
                raise filter_error(f"like needs a text property; {lprop.name} is not")
            return left.like(right)
        return {
            "eq": left == right,
            "ne": left != right,
            "gt": left > right,
            "ge": left >= right,
            "lt": left < right,
            "le": left <= right,
        }[expr.op]

    def _bool_call(self, es: EntitySet, expr: Call) -> ColumnElement[bool]:
        if expr.name == "substringof" and len(expr.args) == 2:
            needle, column = expr.args
        elif expr.name in ("startswith", "endswith") and len(expr.args) == 2:
            column, needle = expr.args
        else:
            raise filter_error(f"{expr.name} is not a condition")
        col, prop, _ = self._operand(es, column)
        if (
            prop is None
            or prop.type != STRING
            or not isinstance(needle, Lit)
            or needle.literal.type != STRING
        ):
            raise filter_error(f"{expr.name} needs a text property and a string")
        text = str(needle.literal.value).replace("%", r"\%").replace("_", r"\_")
        pattern = {"substringof": f"%{text}%", "startswith": f"{text}%", "endswith": f"%{text}"}[
            expr.name
        ]
        return col.like(pattern, escape="\\")


def _paths(expr: Expr) -> list[PathRef]:
    if isinstance(expr, PathRef):
        return [expr]
    if isinstance(expr, Call):
        return [p for a in expr.args for p in _paths(a)]
    if isinstance(expr, Compare):
        return _paths(expr.left) + _paths(expr.right)
    if isinstance(expr, In):
        return _paths(expr.operand)
    return []


def _nav_prefix(expr: Expr) -> str | None:
    navs = {p.segments[0] for p in _paths(expr) if len(p.segments) > 1}
    if not navs:
        return None
    if len(navs) > 1 or any(len(p.segments) == 1 for p in _paths(expr)):
        raise filter_error("a condition can follow only one navigation")
    return navs.pop()


def _strip(expr: Expr, nav: str) -> Expr:
    if isinstance(expr, PathRef):
        return PathRef(expr.segments[1:]) if expr.segments[0] == nav else expr
    if isinstance(expr, Call):
        return Call(expr.name, tuple(_strip(a, nav) for a in expr.args))
    if isinstance(expr, Compare):
        return Compare(expr.op, _strip(expr.left, nav), _strip(expr.right, nav))
    if isinstance(expr, In):
        return In(_strip(expr.operand, nav), expr.values)
    return expr
