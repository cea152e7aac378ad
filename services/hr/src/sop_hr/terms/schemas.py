"""Request and response bodies for employment terms."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sop_hr.http import Quantity
from sop_hr.terms.ports import ContractType, EmploymentTerms, Grade, PayFrequency
from sop_shared.money import Money

Fte = Annotated[
    Decimal,
    Field(gt=0, le=1, decimal_places=4, description="Full-time equivalent, 0 < fte <= 1."),
]


class TermsFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_unit_id: uuid.UUID
    position_id: uuid.UUID | None = None
    grade: Grade
    fte: Fte
    annual_salary: Annotated[Money, Field(ge=0, description="Full-time equivalent annual pay.")]
    pay_frequency: PayFrequency
    contract_type: ContractType


class InitialTermsIn(TermsFields):
    """The terms an employee starts on (in force from their start date)."""


class TermsChangeIn(TermsFields):
    """A change of terms from `effective_from` until the next change (or leaving)."""

    effective_from: date


class TermsOut(BaseModel):
    id: uuid.UUID
    employee_id: uuid.UUID
    effective_from: date
    effective_to: date | None
    org_unit_id: uuid.UUID
    position_id: uuid.UUID | None
    grade: Grade
    fte: Quantity
    annual_salary: Money
    pay_frequency: PayFrequency
    contract_type: ContractType
    version: int
    created_at: datetime | None
    updated_at: datetime | None


def terms_out(t: EmploymentTerms) -> TermsOut:
    return TermsOut(
        id=t.id,
        employee_id=t.employee_id,
        effective_from=t.effective_from,
        effective_to=t.effective_to,
        org_unit_id=t.org_unit_id,
        position_id=t.position_id,
        grade=t.grade,
        fte=t.fte,
        annual_salary=t.annual_salary,
        pay_frequency=t.pay_frequency,
        contract_type=t.contract_type,
        version=t.version,
        created_at=t.created_at,
        updated_at=t.updated_at,
    )
