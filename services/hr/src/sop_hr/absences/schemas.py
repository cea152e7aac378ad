"""Request and response bodies for leave types, absences and leave balances."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from sop_hr.absences.ports import Absence, AbsenceStatus, LeaveType
from sop_hr.http import Quantity

LeaveTypeCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,29}$")
]
LeaveTypeName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class AbsenceRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    leave_type: LeaveTypeCode = Field(description="A leave type code: annual, sick, ...")
    start_date: date
    end_date: date = Field(description="The last day of the absence (inclusive).")
    reason: Note | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> AbsenceRequestIn:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note | None = None


class AbsenceOut(BaseModel):
    id: uuid.UUID
    employee_id: uuid.UUID
    leave_type: str
    start_date: date
    end_date: date
    working_days: int = Field(
        description="Days in the span less weekends and the employee's region's bank holidays."
    )
    status: AbsenceStatus
    reason: str | None
    requested_by: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    version: int
    created_at: datetime | None
    updated_at: datetime | None


def absence_out(a: Absence) -> AbsenceOut:
    return AbsenceOut(
        id=a.id,
        employee_id=a.employee_id,
        leave_type=a.leave_type,
        start_date=a.start_date,
        end_date=a.end_date,
        working_days=a.working_days,
        status=a.status,
        reason=a.reason,
        requested_by=a.requested_by,
        decided_by=a.decided_by,
        decided_at=a.decided_at,
        decision_note=a.decision_note,
        version=a.version,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


def absence_snapshot(a: Absence) -> dict[str, Any]:
    return absence_out(a).model_dump(mode="json", exclude={"created_at", "updated_at"})


class LeaveTypeOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    paid: bool
    annual_entitlement_days: Quantity | None = Field(
        description="Days a full-time employee gets over a whole leave year (annual leave)."
    )
    version: int
    created_at: datetime | None
    updated_at: datetime | None


def leave_type_out(t: LeaveType) -> LeaveTypeOut:
    return LeaveTypeOut(
        id=t.id,
        code=t.code,
        name=t.name,
        paid=t.paid,
        annual_entitlement_days=t.annual_entitlement_days,
        version=t.version,
        created_at=t.created_at,
        updated_at=t.updated_at,
    )


def leave_type_snapshot(t: LeaveType) -> dict[str, Any]:
    return leave_type_out(t).model_dump(mode="json", exclude={"created_at", "updated_at"})


class LeaveTypeUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: LeaveTypeName | None = None
    paid: bool | None = None
    annual_entitlement_days: Annotated[Decimal, Field(gt=0, le=366, decimal_places=1)] | None = None

    @field_validator("name", "paid", mode="before")
    @classmethod
    def _required_fields_stay(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class LeaveBalanceOut(BaseModel):
    employee_id: uuid.UUID
    leave_type: str
    leave_year: int = Field(description="The leave year, named by the year it starts in.")
    starts: date
    ends: date
    entitlement_days: Quantity = Field(
        description=(
            "Pro rata to FTE and to the part of the year employed, rounded up to a half day."
        )
    )
    approved_days: Quantity
    requested_days: Quantity
    remaining_days: Quantity = Field(description="Entitlement less approved and requested days.")
