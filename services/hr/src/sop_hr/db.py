"""HR's table registry: every table HR keeps in its own database hangs off `Base.metadata`."""

from __future__ import annotations

from sqlmodel import SQLModel

from sop_shared.db import new_registry


class Base(SQLModel, registry=new_registry()):
    pass
