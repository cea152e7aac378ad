"""Request and response bodies for positions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from sop_hr.http import Quantity
from sop_hr.positions.ports import Position
from sop_hr.terms.ports import Grade

Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$"),
    Field(description="Position number, unique per tenant."),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
BudgetedFte = Annotated[
    Decimal,
    Field(gt=0, le=1000, decimal_places=4, description="FTE the post is funded for."),
]


class PositionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    title: Title
    grade: Grade
    org_unit_id: uuid.UUID
    budgeted_fte: BudgetedFte


class PositionUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    code: Code | None = None
    title: Title | None = None
    grade: Grade | None = None
    org_unit_id: uuid.UUID | None = None
    budgeted_fte: BudgetedFte | None = None

    @field_validator("code", "title", "grade", "org_unit_id", "budgeted_fte", mode="before")
    @classmethod
    def _required_fields_stay(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class PositionOut(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    grade: Grade
    org_unit_id: uuid.UUID
    budgeted_fte: Quantity
    filled_fte: Quantity = Field(description="FTE of the terms in force on `as_of`.")
    vacant_fte: Quantity = Field(description="Budgeted less filled, never below zero.")
    as_of: date
    version: int
    created_at: datetime | None
    updated_at: datetime | None


def position_out(p: Position, filled: Decimal, as_of: date) -> PositionOut:
    return PositionOut(
        id=p.id,
        code=p.code,
        title=p.title,
        grade=p.grade,
        org_unit_id=p.org_unit_id,
        budgeted_fte=p.budgeted_fte,
        filled_fte=filled,
        vacant_fte=max(p.budgeted_fte - filled, Decimal(0)),
        as_of=as_of,
        version=p.version,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def snapshot(p: Position) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "code": p.code,
        "title": p.title,
        "grade": p.grade.value,
        "org_unit_id": str(p.org_unit_id),
        "budgeted_fte": str(p.budgeted_fte),
        "version": p.version,
    }
