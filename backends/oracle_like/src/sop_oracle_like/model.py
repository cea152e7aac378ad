"""Resource metadata: the attributes, keys, children, finders and actions of each ADF resource."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from sop_oracle_like.service import Context

Kind = Literal["string", "integer", "number", "date", "datetime", "boolean"]
Row = dict[str, Any]

# Hooks receive the request context, the resource and rows as plain dicts; they may raise
# OracleError to refuse a change, and may write other resources through the context.
CreateHook = Callable[["Context", "Resource", Row, "Row | None"], Awaitable[None]]
UpdateHook = Callable[["Context", "Resource", Row, Row], Awaitable[None]]
AfterHook = Callable[["Context", "Resource", Row], Awaitable[None]]
ActionHandler = Callable[["Context", "Resource", Row, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class Attr:
    """One attribute of a resource, as `describe` reports it."""

    name: str
    kind: Kind = "string"
    required: bool = False
    creatable: bool = True
    updatable: bool = True
    choices: tuple[str, ...] | None = None
    max_length: int | None = None
    queryable: bool = True
    title: str | None = None
    default: Any = None

    @property
    def read_only(self) -> bool:
        return not self.creatable and not self.updatable


@dataclass(frozen=True)
class Finder:
    """A named query: `finder=Name;Var=value,...` binds each variable to an attribute test."""

    name: str
    variables: dict[str, str]


@dataclass(frozen=True)
class Action:
    """A custom action, invoked by POST `.../{item}/action/{name}`."""

    name: str
    handler: ActionHandler
    title: str = ""


@dataclass(frozen=True)
class Reference:
    """An id/code pair on a row that must name an existing row of another resource."""

    id_attr: str
    code_attr: str
    target: str
    target_id: str
    target_code: str
    error_code: str


@dataclass(eq=False)
class Resource:
    """An ADF REST resource (top level or child) and how it is stored."""

    name: str
    title: str
    id_attr: str
    attrs: list[Attr]
    api: str = "hcmRestApi"
    effective: bool = False
    audit: Literal["pascal", "camel"] = "pascal"
    # Path keys are hashed *UniqID values for workers and date-effective resources; other
    # resources use the plain numeric id (which Oracle also accepts for them).
    uniq_key: bool = False
    creatable: bool = True
    updatable: bool = True
    deletable: bool = True
    children: list[Resource] = field(default_factory=list)
    finders: list[Finder] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    before_create: CreateHook | None = None
    before_update: UpdateHook | None = None
    after_create: AfterHook | None = None
    parent: Resource | None = None
    extra_key_attrs: tuple[str, ...] = ()
    # Attributes that identify an existing row for `Upsert-Mode: true` besides the id.
    alternate_keys: tuple[str, ...] = ()
    # For date-effective children created with this row: the attribute holding their start.
    child_start_attr: str | None = None
    # During a nested create, the date the new rows of descendants start on.
    payload_start: Callable[[dict[str, Any]], Any] | None = None

    def __post_init__(self) -> None:
        self._by_name = {a.name: a for a in self.all_attrs}
        for child in self.children:
            child.parent = self
        if not any(f.name == "PrimaryKey" for f in self.finders):
            self.finders.insert(0, Finder("PrimaryKey", {self.id_attr: self.id_attr}))

    @property
    def all_attrs(self) -> list[Attr]:
        extra: list[Attr] = []
        if self.effective:
            extra += [
                Attr("EffectiveStartDate", "date", updatable=False),
                Attr("EffectiveEndDate", "date", creatable=False, updatable=False),
            ]
        extra += self.audit_attrs
        return [*self.attrs, *extra]

    @property
    def audit_attrs(self) -> list[Attr]:
        names = (
            ("CreatedBy", "CreationDate", "LastUpdatedBy", "LastUpdateDate")
            if self.audit == "pascal"
            else ("createdBy", "creationDate", "lastUpdatedBy", "lastUpdateDate")
        )
        kinds: tuple[Kind, ...] = ("string", "datetime", "string", "datetime")
        return [
            Attr(n, k, creatable=False, updatable=False) for n, k in zip(names, kinds, strict=True)
        ]

    @property
    def created_by(self) -> str:
        return "CreatedBy" if self.audit == "pascal" else "createdBy"

    @property
    def creation_date(self) -> str:
        return "CreationDate" if self.audit == "pascal" else "creationDate"

    @property
    def last_updated_by(self) -> str:
        return "LastUpdatedBy" if self.audit == "pascal" else "lastUpdatedBy"

    @property
    def last_update_date(self) -> str:
        return "LastUpdateDate" if self.audit == "pascal" else "lastUpdateDate"

    @property
    def key_attrs(self) -> tuple[str, ...]:
        """The attributes hashed into this resource's *UniqID."""
        if self.effective:
            return (self.id_attr, "EffectiveStartDate", "EffectiveEndDate", *self.extra_key_attrs)
        return (self.id_attr, *self.extra_key_attrs)

    def attr(self, name: str) -> Attr | None:
        return self._by_name.get(name)

    def child(self, name: str) -> Resource | None:
        return next((c for c in self.children if c.name == name), None)

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)

    def finder(self, name: str) -> Finder | None:
        return next((f for f in self.finders if f.name == name), None)

    @property
    def table_name(self) -> str:
        chain = []
        node: Resource | None = self
        while node is not None:
            chain.append(node.name)
            node = node.parent
        return "ora_" + "__".join(reversed(chain))

    def walk(self) -> list[Resource]:
        """This resource and all its descendants."""
        out = [self]
        for child in self.children:
            out += child.walk()
        return out
