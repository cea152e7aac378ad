"""Request and response bodies for requisitions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from sop_procurement.controls.schemas import Route
from sop_procurement.http import (
    BusinessDate,
    Code,
    In,
    Name,
    Out,
    PositiveAmount,
    Quantity,
    Text,
    VatRate,
)
from sop_procurement.requisitions.cpv import cpv_code
from sop_procurement.requisitions.ports import RequisitionStatus
from sop_shared.money import Money

CpvCode = Annotated[
    str,
    StringConstraints(max_length=12),
    AfterValidator(cpv_code),
    Field(examples=["72000000-5"], description="CPV 2008 code with its check digit."),
]


class LineIn(In):
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
    ]
    cpv_code: CpvCode
    quantity: Quantity
    unit_price: PositiveAmount
    vat_rate: VatRate = Field(description='Percent: "20", "5" or "0".')
    cost_centre_code: Code
    account_code: Code
    need_by: BusinessDate | None = None


class RequisitionCreate(In):
    title: Name
    justification: Text | None = None
    supplier_id: uuid.UUID | None = Field(None, description="The supplier suggested, if any.")
    lines: list[LineIn] = Field(min_length=1, max_length=200)


class RequisitionUpdate(In):
    title: Name | None = None
    justification: Text | None = None
    supplier_id: uuid.UUID | None = None
    lines: list[LineIn] | None = Field(None, min_length=1, max_length=200)


class Decision(In):
    reason: Text | None = None
    budget_override_reason: Text | None = Field(
        None, description="Required to approve a requisition submitted over budget."
    )


class LineOut(Out):
    id: uuid.UUID
    line_number: int
    description: str
    cpv_code: str
    quantity: Quantity
    unit_price: Money
    vat_rate: VatRate
    cost_centre_code: str
    account_code: str
    need_by: date | None
    net: Money
    vat: Money
    gross: Money


class BudgetLine(Out):
    cost_centre_code: str
    account_code: str
    financial_year: str
    requested: Money = Field(description="This requisition's net amount on the pair.")
    available: Money = Field(description="Finance's budget - commitments - actuals.")
    over_budget: bool


class RequisitionOut(Out):
    id: uuid.UUID
    number: str
    title: str
    justification: str | None
    supplier_id: uuid.UUID | None
    requested_by: str
    status: RequisitionStatus
    lines: list[LineOut]
    net_total: Money
    vat_total: Money
    total: Money
    submitted_at: datetime | None
    budget_check: list[BudgetLine]
    over_budget: bool
    budget_override_reason: str | None
    approval_route: Route | None = Field(
        None, description="Who may approve it (submitted requisitions)."
    )
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    order_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


def requisition_out(requisition: Any, route: Any = None) -> RequisitionOut:
    out: RequisitionOut = RequisitionOut.model_validate(requisition, from_attributes=True)
    if route is not None:
        out.approval_route = Route.of(route)
    return out
