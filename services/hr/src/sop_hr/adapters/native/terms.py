"""Employment terms histories in HR's own tables."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sop_hr.adapters.native.models import EmploymentTermsRow
from sop_hr.adapters.native.tables import insert, replace
from sop_hr.terms.ports import ContractType, EmploymentTerms, Grade, PayFrequency
from sop_shared.repository import TenantRepository
from sop_shared.timeutil import as_utc


class TermsTable(TenantRepository[EmploymentTermsRow]):
    model = EmploymentTermsRow


def to_terms(row: EmploymentTermsRow) -> EmploymentTerms:
    return EmploymentTerms(
        id=row.id,
        employee_id=row.employee_id,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        org_unit_id=row.org_unit_id,
        position_id=row.position_id,
        grade=Grade(row.grade),
        fte=row.fte,
        annual_salary=row.annual_salary,
        pay_frequency=PayFrequency(row.pay_frequency),
        contract_type=ContractType(row.contract_type),
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def columns(t: EmploymentTerms) -> dict[str, Any]:
    return {
        "employee_id": t.employee_id,
        "effective_from": t.effective_from,
        "effective_to": t.effective_to,
        "org_unit_id": t.org_unit_id,
        "position_id": t.position_id,
        "grade": t.grade.value,
        "fte": t.fte,
        "annual_salary": t.annual_salary,
        "pay_frequency": t.pay_frequency.value,
        "contract_type": t.contract_type.value,
    }


class NativeTerms:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _table(self, tenant: str) -> TermsTable:
        return TermsTable(self.session, tenant)

    async def history(self, tenant: str, employee_id: uuid.UUID) -> list[EmploymentTerms]:
        table = self._table(tenant)
        stmt = (
            table.select()
            .where(col(EmploymentTermsRow.employee_id) == employee_id)
            .order_by(col(EmploymentTermsRow.effective_from))
        )
        return [to_terms(r) for r in await table.all(stmt)]

    async def get(self, tenant: str, terms_id: uuid.UUID) -> EmploymentTerms | None:
        row = await self._table(tenant).get(terms_id)
        return to_terms(row) if row else None

    async def in_force(
        self,
        tenant: str,
        on: date,
        *,
        employee_ids: Collection[uuid.UUID] | None = None,
        position_ids: Collection[uuid.UUID] | None = None,
    ) -> list[EmploymentTerms]:
        table = self._table(tenant)
        t = EmploymentTermsRow
        stmt = table.select().where(
            col(t.effective_from) <= on,
            or_(col(t.effective_to).is_(None), col(t.effective_to) >= on),
        )
        if employee_ids is not None:
            if not employee_ids:
                return []
            stmt = stmt.where(col(t.employee_id).in_(list(employee_ids)))
        if position_ids is not None:
            if not position_ids:
                return []
            stmt = stmt.where(col(t.position_id).in_(list(position_ids)))
        return [to_terms(r) for r in await table.all(stmt.order_by(col(t.id)))]

    async def add(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms:
        return to_terms(await insert(self._table(tenant), terms.id, columns(terms)))

    async def update(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms:
        return to_terms(await replace(self._table(tenant), terms.id, terms.version, columns(terms)))
