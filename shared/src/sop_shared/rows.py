"""What native adapters share between their tables and their records: a table class's Core
table, a row as a record (instants in UTC, whatever the database hands back), a record's
values for a table, and the dialect's INSERT (ON CONFLICT on PostgreSQL and SQLite alike)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from sop_shared.timeutil import as_utc

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")  # a record
NEVER_COPIED = frozenset({"id", "tenant", "version", "created_at", "updated_at"})


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table class (SQLModel sets `__table__` but does not declare it)."""
    mapped: Any = model
    table: Table = mapped.__table__
    return table


def to_domain(row: Any, cls: type[D], **override: Any) -> D:
    """Build the record (a dataclass) from a row's same-named attributes (instants in UTC:
    SQLite hands them back naive)."""
    values = {}
    for f in fields(cls):
        if f.name in override:
            values[f.name] = override[f.name]
        elif hasattr(row, f.name):
            value = getattr(row, f.name)
            values[f.name] = as_utc(value) if isinstance(value, datetime) else value
    return cls(**values)


def row_values(
    obj: Any, table: type[SQLModel], *, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The record's values for the table's columns (never identity or version)."""
    columns = table_of(table).columns.keys()
    return {
        name: getattr(obj, name)
        for name in columns
        if name not in NEVER_COPIED and name not in skip and hasattr(obj, name)
    }


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which offers ON CONFLICT DO NOTHING/UPDATE on both databases."""
    name = session.get_bind().dialect.name
    return sqlite.insert if name == "sqlite" else postgresql.insert
