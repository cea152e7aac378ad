"""Leave types and absences as the system of record holds them, and their ports."""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from sop_hr.ports import PageRequest, RecordPage


class LeaveKind(StrEnum):
    """The leave types every tenant is provisioned with."""

    ANNUAL = "annual"
    SICK = "sick"
    MATERNITY = "maternity"
    PATERNITY = "paternity"
    ADOPTION = "adoption"
    SHARED_PARENTAL = "shared_parental"
    UNPAID = "unpaid"
    SPECIAL = "special"


class AbsenceStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class LeaveType:
    id: uuid.UUID
    code: str  # unique per tenant: annual, sick, ...
    name: str
    paid: bool
    # Days a full-time employee gets in a whole leave year; None: not drawn from an entitlement.
    annual_entitlement_days: Decimal | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Absence:
    id: uuid.UUID
    employee_id: uuid.UUID
    leave_type: str  # a LeaveType code
    start_date: date
    end_date: date  # inclusive
    working_days: int
    status: AbsenceStatus
    requested_by: str
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AbsenceFilter:
    employee_id: uuid.UUID | None = None
    leave_type: str | None = None
    statuses: frozenset[AbsenceStatus] | None = None
    # Absences with at least one day in [overlapping_from, overlapping_to].
    overlapping_from: date | None = None
    overlapping_to: date | None = None
    updated_since: datetime | None = None


class LeaveTypeRecords(Protocol):
    async def list(self, tenant: str) -> list[LeaveType]:
        """Every leave type of the tenant (a handful), by code."""
        ...

    async def add(self, tenant: str, leave_type: LeaveType) -> LeaveType: ...

    async def update(self, tenant: str, leave_type: LeaveType) -> LeaveType:
        """`leave_type.version` as in `EmployeeRecords.update`."""
        ...


class AbsenceRecords(Protocol):
    async def get(
        self, tenant: str, absence_id: uuid.UUID, *, for_update: bool = False
    ) -> Absence | None: ...

    async def list(
        self, tenant: str, where: AbsenceFilter, page: PageRequest
    ) -> RecordPage[Absence]: ...

    # `builtins.list`: in this class `list` names the method above.
    async def find(self, tenant: str, where: AbsenceFilter) -> builtins.list[Absence]:
        """Every match, unpaged (the service asks narrow questions: one employee's span)."""
        ...

    async def add(self, tenant: str, absence: Absence) -> Absence: ...

    async def update(self, tenant: str, absence: Absence) -> Absence:
        """`absence.version` as in `EmployeeRecords.update`."""
        ...
