"""Leave types and absences in HR's own tables."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sop_hr.absences.ports import Absence, AbsenceFilter, AbsenceStatus, LeaveType
from sop_hr.adapters.native.models import AbsenceRow, LeaveTypeRow
from sop_hr.adapters.native.tables import insert, keyset, replace
from sop_hr.ports import PageRequest, RecordPage
from sop_shared.repository import TenantRepository
from sop_shared.timeutil import as_utc


class LeaveTypeTable(TenantRepository[LeaveTypeRow]):
    model = LeaveTypeRow


class AbsenceTable(TenantRepository[AbsenceRow]):
    model = AbsenceRow


def to_leave_type(row: LeaveTypeRow) -> LeaveType:
    return LeaveType(
        id=row.id,
        code=row.code,
        name=row.name,
        paid=row.paid,
        annual_entitlement_days=row.annual_entitlement_days,
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def leave_type_columns(t: LeaveType) -> dict[str, Any]:
    return {
        "code": t.code,
        "name": t.name,
        "paid": t.paid,
        "annual_entitlement_days": t.annual_entitlement_days,
    }


def to_absence(row: AbsenceRow) -> Absence:
    return Absence(
        id=row.id,
        employee_id=row.employee_id,
        leave_type=row.leave_type,
        start_date=row.start_date,
        end_date=row.end_date,
        working_days=row.working_days,
        status=AbsenceStatus(row.status),
        reason=row.reason,
        requested_by=row.requested_by,
        decided_by=row.decided_by,
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
        decision_note=row.decision_note,
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def absence_columns(a: Absence) -> dict[str, Any]:
    return {
        "employee_id": a.employee_id,
        "leave_type": a.leave_type,
        "start_date": a.start_date,
        "end_date": a.end_date,
        "working_days": a.working_days,
        "status": a.status.value,
        "reason": a.reason,
        "requested_by": a.requested_by,
        "decided_by": a.decided_by,
        "decided_at": a.decided_at,
        "decision_note": a.decision_note,
    }


class NativeLeaveTypes:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _table(self, tenant: str) -> LeaveTypeTable:
        return LeaveTypeTable(self.session, tenant)

    async def list(self, tenant: str) -> list[LeaveType]:
        table = self._table(tenant)
        rows = await table.all(table.select().order_by(col(LeaveTypeRow.code)))
        return [to_leave_type(r) for r in rows]

    async def add(self, tenant: str, leave_type: LeaveType) -> LeaveType:
        row = await insert(self._table(tenant), leave_type.id, leave_type_columns(leave_type))
        return to_leave_type(row)

    async def update(self, tenant: str, leave_type: LeaveType) -> LeaveType:
        row = await replace(
            self._table(tenant), leave_type.id, leave_type.version, leave_type_columns(leave_type)
        )
        return to_leave_type(row)


class NativeAbsences:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _table(self, tenant: str) -> AbsenceTable:
        return AbsenceTable(self.session, tenant)

    def _select(self, table: AbsenceTable, where: AbsenceFilter) -> Select[Any]:
        stmt = table.select()
        if where.employee_id is not None:
            stmt = stmt.where(col(AbsenceRow.employee_id) == where.employee_id)
        if where.leave_type is not None:
            stmt = stmt.where(col(AbsenceRow.leave_type) == where.leave_type)
        if where.statuses is not None:
            stmt = stmt.where(col(AbsenceRow.status).in_(sorted(s.value for s in where.statuses)))
        if where.overlapping_from is not None:
            stmt = stmt.where(col(AbsenceRow.end_date) >= where.overlapping_from)
        if where.overlapping_to is not None:
            stmt = stmt.where(col(AbsenceRow.start_date) <= where.overlapping_to)
        if where.updated_since is not None:
            stmt = stmt.where(col(AbsenceRow.updated_at) >= where.updated_since)
        return stmt

    async def get(
        self, tenant: str, absence_id: uuid.UUID, *, for_update: bool = False
    ) -> Absence | None:
        table = self._table(tenant)
        row = await (table.get_for_update(absence_id) if for_update else table.get(absence_id))
        return to_absence(row) if row else None

    async def list(
        self, tenant: str, where: AbsenceFilter, page: PageRequest
    ) -> RecordPage[Absence]:
        table = self._table(tenant)
        return await keyset(table, self._select(table, where), page, to_absence)

    # `builtins.list`: in this class `list` names the method above.
    async def find(self, tenant: str, where: AbsenceFilter) -> builtins.list[Absence]:
        table = self._table(tenant)
        rows = await table.all(self._select(table, where).order_by(col(AbsenceRow.start_date)))
        return [to_absence(r) for r in rows]

    async def add(self, tenant: str, absence: Absence) -> Absence:
        return to_absence(await insert(self._table(tenant), absence.id, absence_columns(absence)))

    async def update(self, tenant: str, absence: Absence) -> Absence:
        row = await replace(
            self._table(tenant), absence.id, absence.version, absence_columns(absence)
        )
        return to_absence(row)
