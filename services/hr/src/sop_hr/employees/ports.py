"""The employee as HR's system of record holds it, and the port an adapter implements for it."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from sop_hr.ports import PageRequest, RecordPage
from sop_shared.calendar import HomeRegion

__all__ = [
    "BankDetails",
    "Employee",
    "EmployeeFilter",
    "EmployeeRecords",
    "EmploymentStatus",
    "HomeRegion",
    "LeavingReason",
    "PayrollDetails",
    "StudentLoanPlan",
]


class EmploymentStatus(StrEnum):
    """Where an employee stands on a given day (derived from start and leaving dates)."""

    NOT_STARTED = "not_started"
    ACTIVE = "active"
    LEFT = "left"


class LeavingReason(StrEnum):
    RESIGNATION = "resignation"
    RETIREMENT = "retirement"
    END_OF_CONTRACT = "end_of_contract"
    REDUNDANCY = "redundancy"
    DISMISSAL = "dismissal"
    TRANSFER = "transfer"
    DEATH_IN_SERVICE = "death_in_service"
    OTHER = "other"


class StudentLoanPlan(StrEnum):
    PLAN_1 = "plan_1"
    PLAN_2 = "plan_2"
    PLAN_4 = "plan_4"
    PLAN_5 = "plan_5"


@dataclass(frozen=True, slots=True)
class PayrollDetails:
    """What payroll needs to know about the person (rates live in payroll, not here)."""

    tax_code: str | None = None
    ni_category: str | None = None
    student_loan_plans: tuple[StudentLoanPlan, ...] = ()
    postgraduate_loan: bool = False
    pension_scheme: str | None = None


@dataclass(frozen=True, slots=True)
class BankDetails:
    sort_code: str  # six digits, no separators
    account_number: str  # eight digits
    account_name: str


@dataclass(frozen=True, slots=True)
class Employee:
    id: uuid.UUID
    employee_number: str
    first_name: str
    last_name: str
    home_region: HomeRegion
    start_date: date
    work_email: str | None = None
    # The identity-provider subject of the person's own login: how HR recognises the employee
    # among callers (nobody approves their own leave).
    user_subject: str | None = None
    date_of_birth: date | None = None
    national_insurance_number: str | None = None
    leaving_date: date | None = None
    leaving_reason: LeavingReason | None = None
    payroll: PayrollDetails = field(default_factory=PayrollDetails)
    bank_details: BankDetails | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def status_on(self, day: date) -> EmploymentStatus:
        if day < self.start_date:
            return EmploymentStatus.NOT_STARTED
        if self.leaving_date is not None and day > self.leaving_date:
            return EmploymentStatus.LEFT
        return EmploymentStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class EmployeeFilter:
    """Plain predicates, all of which must hold (None: no condition)."""

    employee_number: str | None = None
    updated_since: datetime | None = None  # updated at or after
    employed_on: date | None = None  # start_date <= day and (no leaving_date or >= day)
    starting_after: date | None = None  # start_date > day
    left_before: date | None = None  # leaving_date < day
    # Employees whose terms in force on `terms_on` have this org unit / position.
    org_unit_id: uuid.UUID | None = None
    position_id: uuid.UUID | None = None
    terms_on: date | None = None


class EmployeeRecords(Protocol):
    """Employees in the system of record. Every call names the tenant; nothing crosses it."""

    async def get(
        self, tenant: str, employee_id: uuid.UUID, *, for_update: bool = False
    ) -> Employee | None:
        """The employee, or None. `for_update` holds the record against concurrent changes
        until the request's transaction ends, where the backend can."""
        ...

    async def numbers_in_use(self, tenant: str, employee_numbers: Collection[str]) -> set[str]:
        """Which of these employee numbers already belong to an employee."""
        ...

    async def list(
        self, tenant: str, where: EmployeeFilter, page: PageRequest
    ) -> RecordPage[Employee]: ...

    async def add(self, tenant: str, employee: Employee) -> Employee:
        """Store a new employee under the id HR gave it; returns it as stored."""
        ...

    async def update(self, tenant: str, employee: Employee) -> Employee:
        """Replace the record's fields. `employee.version` is the version the change was based
        on: raise `StaleRecord` if the record has moved on. Returns it with its new version."""
        ...
