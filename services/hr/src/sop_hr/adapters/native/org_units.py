"""Org units in HR's own tables."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sop_hr.adapters.native.models import OrgUnitRow
from sop_hr.adapters.native.tables import insert, keyset, replace
from sop_hr.org_units.ports import OrgUnit, OrgUnitFilter
from sop_hr.ports import PageRequest, RecordPage
from sop_shared.repository import TenantRepository
from sop_shared.timeutil import as_utc


class OrgUnitTable(TenantRepository[OrgUnitRow]):
    model = OrgUnitRow


def to_org_unit(row: OrgUnitRow) -> OrgUnit:
    return OrgUnit(
        id=row.id,
        code=row.code,
        name=row.name,
        cost_centre=row.cost_centre,
        parent_id=row.parent_id,
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def columns(u: OrgUnit) -> dict[str, Any]:
    return {"code": u.code, "name": u.name, "cost_centre": u.cost_centre, "parent_id": u.parent_id}


class NativeOrgUnits:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _table(self, tenant: str) -> OrgUnitTable:
        return OrgUnitTable(self.session, tenant)

    async def get(self, tenant: str, org_unit_id: uuid.UUID) -> OrgUnit | None:
        row = await self._table(tenant).get(org_unit_id)
        return to_org_unit(row) if row else None

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, OrgUnit]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        table = self._table(tenant)
        stmt = table.select().where(col(OrgUnitRow.code).in_(wanted))
        return {r.code: to_org_unit(r) for r in await table.all(stmt)}

    async def list(
        self, tenant: str, where: OrgUnitFilter, page: PageRequest
    ) -> RecordPage[OrgUnit]:
        table = self._table(tenant)
        stmt = table.select()
        if where.code is not None:
            stmt = stmt.where(col(OrgUnitRow.code) == where.code)
        if where.parent_id is not None:
            stmt = stmt.where(col(OrgUnitRow.parent_id) == where.parent_id)
        if where.ids is not None:
            stmt = stmt.where(col(OrgUnitRow.id).in_(list(where.ids)))
        if where.updated_since is not None:
            stmt = stmt.where(col(OrgUnitRow.updated_at) >= where.updated_since)
        return await keyset(table, stmt, page, to_org_unit)

    async def hierarchy(self, tenant: str) -> dict[uuid.UUID, uuid.UUID | None]:
        table = self._table(tenant)
        rows = await self.session.execute(table.select(OrgUnitRow.id, OrgUnitRow.parent_id))
        return {row.id: row.parent_id for row in rows}

    async def add(self, tenant: str, unit: OrgUnit) -> OrgUnit:
        return to_org_unit(await insert(self._table(tenant), unit.id, columns(unit)))

    async def update(self, tenant: str, unit: OrgUnit) -> OrgUnit:
        return to_org_unit(await replace(self._table(tenant), unit.id, unit.version, columns(unit)))
