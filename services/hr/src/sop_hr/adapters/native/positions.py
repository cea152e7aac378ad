"""Positions in HR's own tables."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sop_hr.adapters.native.models import PositionRow
from sop_hr.adapters.native.tables import insert, keyset, replace
from sop_hr.ports import PageRequest, RecordPage
from sop_hr.positions.ports import Position, PositionFilter
from sop_hr.terms.ports import Grade
from sop_shared.repository import TenantRepository
from sop_shared.timeutil import as_utc


class PositionTable(TenantRepository[PositionRow]):
    model = PositionRow


def to_position(row: PositionRow) -> Position:
    return Position(
        id=row.id,
        code=row.code,
        title=row.title,
        grade=Grade(row.grade),
        org_unit_id=row.org_unit_id,
        budgeted_fte=row.budgeted_fte,
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def columns(p: Position) -> dict[str, Any]:
    return {
        "code": p.code,
        "title": p.title,
        "grade": p.grade.value,
        "org_unit_id": p.org_unit_id,
        "budgeted_fte": p.budgeted_fte,
    }


class NativePositions:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _table(self, tenant: str) -> PositionTable:
        return PositionTable(self.session, tenant)

    async def get(self, tenant: str, position_id: uuid.UUID) -> Position | None:
        row = await self._table(tenant).get(position_id)
        return to_position(row) if row else None

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, Position]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        table = self._table(tenant)
        stmt = table.select().where(col(PositionRow.code).in_(wanted))
        return {r.code: to_position(r) for r in await table.all(stmt)}

    async def list(
        self, tenant: str, where: PositionFilter, page: PageRequest
    ) -> RecordPage[Position]:
        table = self._table(tenant)
        stmt = table.select()
        if where.code is not None:
            stmt = stmt.where(col(PositionRow.code) == where.code)
        if where.org_unit_id is not None:
            stmt = stmt.where(col(PositionRow.org_unit_id) == where.org_unit_id)
        if where.updated_since is not None:
            stmt = stmt.where(col(PositionRow.updated_at) >= where.updated_since)
        return await keyset(table, stmt, page, to_position)

    async def add(self, tenant: str, position: Position) -> Position:
        return to_position(await insert(self._table(tenant), position.id, columns(position)))

    async def update(self, tenant: str, position: Position) -> Position:
        row = await replace(self._table(tenant), position.id, position.version, columns(position))
        return to_position(row)
