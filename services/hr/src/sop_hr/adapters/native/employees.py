"""Employees in HR's own tables."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sop_hr.adapters.native.models import EmployeeRow, EmploymentTermsRow
from sop_hr.adapters.native.tables import insert, keyset, replace
from sop_hr.employees.ports import (
    BankDetails,
    Employee,
    EmployeeFilter,
    HomeRegion,
    LeavingReason,
    PayrollDetails,
    StudentLoanPlan,
)
from sop_hr.ports import PageRequest, RecordPage
from sop_shared.repository import TenantRepository
from sop_shared.timeutil import as_utc


class EmployeeTable(TenantRepository[EmployeeRow]):
    model = EmployeeRow


def to_employee(row: EmployeeRow) -> Employee:
    bank = None
    if row.bank_sort_code and row.bank_account_number:
        bank = BankDetails(
            sort_code=row.bank_sort_code,
            account_number=row.bank_account_number,
            account_name=row.bank_account_name or "",
        )
    return Employee(
        id=row.id,
        employee_number=row.employee_number,
        first_name=row.first_name,
        last_name=row.last_name,
        work_email=row.work_email,
        user_subject=row.user_subject,
        date_of_birth=row.date_of_birth,
        national_insurance_number=row.national_insurance_number,
        home_region=HomeRegion(row.home_region),
        start_date=row.start_date,
        leaving_date=row.leaving_date,
        leaving_reason=LeavingReason(row.leaving_reason) if row.leaving_reason else None,
        payroll=PayrollDetails(
            tax_code=row.tax_code,
            ni_category=row.ni_category,
            student_loan_plans=tuple(StudentLoanPlan(p) for p in row.student_loan_plans or ()),
            postgraduate_loan=row.postgraduate_loan,
            pension_scheme=row.pension_scheme,
        ),
        bank_details=bank,
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def columns(e: Employee) -> dict[str, Any]:
    bank = e.bank_details
    return {
        "employee_number": e.employee_number,
        "first_name": e.first_name,
        "last_name": e.last_name,
        "work_email": e.work_email,
        "user_subject": e.user_subject,
        "date_of_birth": e.date_of_birth,
        "national_insurance_number": e.national_insurance_number,
        "home_region": e.home_region.value,
        "start_date": e.start_date,
        "leaving_date": e.leaving_date,
        "leaving_reason": e.leaving_reason.value if e.leaving_reason else None,
        "tax_code": e.payroll.tax_code,
        "ni_category": e.payroll.ni_category,
        "student_loan_plans": [p.value for p in e.payroll.student_loan_plans],
        "postgraduate_loan": e.payroll.postgraduate_loan,
        "pension_scheme": e.payroll.pension_scheme,
        "bank_sort_code": bank.sort_code if bank else None,
        "bank_account_number": bank.account_number if bank else None,
        "bank_account_name": bank.account_name if bank else None,
    }


class NativeEmployees:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _table(self, tenant: str) -> EmployeeTable:
        return EmployeeTable(self.session, tenant)

    async def get(
        self, tenant: str, employee_id: uuid.UUID, *, for_update: bool = False
    ) -> Employee | None:
        table = self._table(tenant)
        row = await (table.get_for_update(employee_id) if for_update else table.get(employee_id))
        return to_employee(row) if row else None

    async def numbers_in_use(self, tenant: str, employee_numbers: Collection[str]) -> set[str]:
        wanted = sorted(set(employee_numbers))
        if not wanted:
            return set()
        table = self._table(tenant)
        number = col(EmployeeRow.employee_number)
        found: set[str] = set()
        for i in range(0, len(wanted), 1000):  # keep each IN list within driver limits
            stmt = table.select(number).where(number.in_(wanted[i : i + 1000]))
            found.update((await self.session.execute(stmt)).scalars().all())
        return found

    async def list(
        self, tenant: str, where: EmployeeFilter, page: PageRequest
    ) -> RecordPage[Employee]:
        table = self._table(tenant)
        stmt = table.select()
        if where.employee_number is not None:
            stmt = stmt.where(col(EmployeeRow.employee_number) == where.employee_number)
        if where.updated_since is not None:
            stmt = stmt.where(col(EmployeeRow.updated_at) >= where.updated_since)
        if where.employed_on is not None:
            stmt = stmt.where(
                col(EmployeeRow.start_date) <= where.employed_on,
                or_(
                    col(EmployeeRow.leaving_date).is_(None),
                    col(EmployeeRow.leaving_date) >= where.employed_on,
                ),
            )
        if where.starting_after is not None:
            stmt = stmt.where(col(EmployeeRow.start_date) > where.starting_after)
        if where.left_before is not None:
            stmt = stmt.where(col(EmployeeRow.leaving_date) < where.left_before)
        if where.org_unit_id is not None or where.position_id is not None:
            if where.terms_on is None:
                raise ValueError("terms_on is required with org_unit_id or position_id")
            t = EmploymentTermsRow
            conditions = [
                col(t.tenant) == tenant,
                col(t.employee_id) == col(EmployeeRow.id),
                col(t.effective_from) <= where.terms_on,
                or_(col(t.effective_to).is_(None), col(t.effective_to) >= where.terms_on),
            ]
            if where.org_unit_id is not None:
                conditions.append(col(t.org_unit_id) == where.org_unit_id)
            if where.position_id is not None:
                conditions.append(col(t.position_id) == where.position_id)
            stmt = stmt.where(exists(select(col(t.id)).where(and_(*conditions))))
        return await keyset(table, stmt, page, to_employee)

    async def add(self, tenant: str, employee: Employee) -> Employee:
        return to_employee(await insert(self._table(tenant), employee.id, columns(employee)))

    async def update(self, tenant: str, employee: Employee) -> Employee:
        row = await replace(self._table(tenant), employee.id, employee.version, columns(employee))
        return to_employee(row)
