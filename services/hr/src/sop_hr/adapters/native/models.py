"""The native adapter's tables: HR's records kept in HR's own database."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field

from sop_hr.db import Base
from sop_shared.concurrency import VersionedMixin
from sop_shared.repository import TenantScopedFields


class OrgUnitRow(VersionedMixin, TenantScopedFields, Base, table=True):
    __tablename__ = "org_units"
    __table_args__ = (UniqueConstraint("tenant", "code"),)

    code: str = Field(max_length=30)
    name: str = Field(max_length=200)
    cost_centre: str = Field(max_length=30)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="org_units.id", index=True)


class PositionRow(VersionedMixin, TenantScopedFields, Base, table=True):
    __tablename__ = "positions"
    __table_args__ = (
        UniqueConstraint("tenant", "code"),
        CheckConstraint("budgeted_fte > 0", name="budgeted_fte_positive"),
    )

    code: str = Field(max_length=30)
    title: str = Field(max_length=200)
    grade: str = Field(max_length=10)
    org_unit_id: uuid.UUID = Field(foreign_key="org_units.id", index=True)
    budgeted_fte: Decimal = Field(max_digits=8, decimal_places=4)


class EmployeeRow(VersionedMixin, TenantScopedFields, Base, table=True):
    __tablename__ = "employees"
    __table_args__ = (UniqueConstraint("tenant", "employee_number"),)

    employee_number: str = Field(max_length=20)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    work_email: str | None = Field(default=None, max_length=254)
    user_subject: str | None = Field(default=None, max_length=255, index=True)
    date_of_birth: date | None = None
    national_insurance_number: str | None = Field(default=None, max_length=9)
    home_region: str = Field(max_length=20)
    start_date: date
    leaving_date: date | None = None
    leaving_reason: str | None = Field(default=None, max_length=30)
    tax_code: str | None = Field(default=None, max_length=20)
    ni_category: str | None = Field(default=None, max_length=1)
    student_loan_plans: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    postgraduate_loan: bool = False
    pension_scheme: str | None = Field(default=None, max_length=50)
    bank_sort_code: str | None = Field(default=None, max_length=6)
    bank_account_number: str | None = Field(default=None, max_length=8)
    bank_account_name: str | None = Field(default=None, max_length=100)


class EmploymentTermsRow(VersionedMixin, TenantScopedFields, Base, table=True):
    __tablename__ = "employment_terms"
    __table_args__ = (
        UniqueConstraint("employee_id", "effective_from"),
        CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from", name="dates_in_order"
        ),
    )

    employee_id: uuid.UUID = Field(foreign_key="employees.id")
    effective_from: date
    effective_to: date | None = None
    org_unit_id: uuid.UUID = Field(foreign_key="org_units.id", index=True)
    position_id: uuid.UUID | None = Field(default=None, foreign_key="positions.id", index=True)
    grade: str = Field(max_length=10)
    fte: Decimal = Field(max_digits=5, decimal_places=4)
    annual_salary: Decimal = Field(max_digits=12, decimal_places=2)
    pay_frequency: str = Field(max_length=20)
    contract_type: str = Field(max_length=20)


class LeaveTypeRow(VersionedMixin, TenantScopedFields, Base, table=True):
    __tablename__ = "leave_types"
    __table_args__ = (UniqueConstraint("tenant", "code"),)

    code: str = Field(max_length=30)
    name: str = Field(max_length=100)
    paid: bool = True
    annual_entitlement_days: Decimal | None = Field(default=None, max_digits=5, decimal_places=1)


class AbsenceRow(VersionedMixin, TenantScopedFields, Base, table=True):
    __tablename__ = "absences"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    employee_id: uuid.UUID = Field(foreign_key="employees.id", index=True)
    leave_type: str = Field(max_length=30)
    start_date: date
    end_date: date
    working_days: int
    status: str = Field(max_length=20)
    reason: str | None = Field(default=None, max_length=500)
    requested_by: str = Field(max_length=255)
    decided_by: str | None = Field(default=None, max_length=255)
    decided_at: datetime | None = None
    decision_note: str | None = Field(default=None, max_length=500)
