"""Tenant-scoped repositories: every query starts from `select()`, which filters by the tenant
of the current request. There is no way to build one without a tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field

from sop_shared.db import utcnow
from sop_shared.ids import uuid7

M = TypeVar("M")


class TenantScopedFields:
    """Columns every tenant-owned table has (mixed into SQLModel table classes)."""

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    tenant: str = Field(max_length=63, index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class TenantRepository(Generic[M]):
    """Base for a table's repository. Subclasses set `model` and add domain queries built on
    `self.select()`."""

    model: type[M]

    def __init__(self, session: AsyncSession, tenant: str) -> None:
        if not tenant:
            raise PermissionError("a repository needs the current tenant")
        self.session = session
        self.tenant = tenant

    def select(self, *entities: Any) -> Select[Any]:
        model: Any = self.model
        stmt = select(*entities) if entities else select(model)
        return stmt.where(model.tenant == self.tenant)

    async def get(self, id_: uuid.UUID) -> M | None:
        model: Any = self.model
        found: M | None = (
            await self.session.execute(self.select().where(model.id == id_))
        ).scalar_one_or_none()
        return found

    async def get_for_update(self, id_: uuid.UUID) -> M | None:
        model: Any = self.model
        stmt = self.select().where(model.id == id_).with_for_update()
        found: M | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found

    async def add(self, obj: M) -> M:
        obj.tenant = self.tenant  # type: ignore[attr-defined]
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def touch(self, obj: M) -> None:
        """Mark a changed row: bump `updated_at` and flush (the version bumps itself)."""
        obj.updated_at = utcnow()  # type: ignore[attr-defined]
        self.session.add(obj)
        await self.session.flush()

    async def delete(self, obj: M) -> None:
        await self.session.delete(obj)
        await self.session.flush()

    async def all(self, stmt: Select[Any]) -> Sequence[M]:
        rows: Sequence[M] = (await self.session.execute(stmt)).scalars().all()
        return rows
