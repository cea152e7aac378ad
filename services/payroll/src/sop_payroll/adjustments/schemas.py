"""Adjustments on the wire."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sop_payroll.adjustments.ports import Adjustment, AdjustmentKind
from sop_payroll.calculations.schemas import Period, TaxYear
from sop_shared.money import Money

EmployeeNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

COLUMNS = {
    "employee_number": "HR's employee number",
    "kind": "overtime, bonus, allowance, commission, expenses or deduction",
    "amount": "a positive amount with two places (`125.50`)",
    "description": "what it is for, shown on the payslip (up to 100 characters)",
}


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tax_year": "2026-27",
                    "period": 9,
                    "employee_number": "E0042",
                    "kind": "overtime",
                    "amount": "240.00",
                    "description": "Overtime 12 hours at 20.00",
                }
            ]
        },
    )
    tax_year: TaxYear
    period: Period
    employee_number: EmployeeNumber
    kind: AdjustmentKind
    amount: Money = Field(description="Positive: a deduction's kind says it is taken off.")
    description: Description


class AdjustmentRow(BaseModel):
    """A CSV row (the period comes from the query)."""

    model_config = ConfigDict(extra="forbid")
    employee_number: EmployeeNumber
    kind: AdjustmentKind
    amount: Money
    description: Description


class AdjustmentOut(BaseModel):
    id: uuid.UUID
    pay_group_id: uuid.UUID
    tax_year: str
    period: int
    employee_number: str
    kind: AdjustmentKind
    amount: Money
    description: str
    created_by: str
    created_at: datetime | None

    @classmethod
    def of(cls, a: Adjustment) -> AdjustmentOut:
        return cls(
            id=a.id,
            pay_group_id=a.pay_group_id,
            tax_year=a.tax_year,
            period=a.period,
            employee_number=a.employee_number,
            kind=a.kind,
            amount=a.amount,
            description=a.description,
            created_by=a.created_by,
            created_at=a.created_at,
        )


class ImportResult(BaseModel):
    created: int = Field(description="Adjustments added (all of the file's rows).")
