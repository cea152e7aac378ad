"""Request and response bodies for the contracts register."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from sop_procurement.contracts.ports import ContractStatus, Procedure
from sop_procurement.contracts.thresholds import AuthorityType, ContractType
from sop_procurement.http import BusinessDate, In, Name, Out, PositiveAmount, Text
from sop_procurement.requisitions.schemas import CpvCode
from sop_shared.money import Money


class ContractCreate(In):
    title: Name
    description: Text | None = None
    supplier_id: uuid.UUID
    cpv_code: CpvCode
    contract_type: ContractType = Field(
        description="goods, services, works, light_touch or concession: which threshold applies"
    )
    value: PositiveAmount = Field(description="Estimated total value, including VAT.")
    start_date: BusinessDate
    end_date: BusinessDate
    procedure: Procedure = Field(
        description="Procurement Act 2023: open or competitive_flexible (competitive "
        "tendering, s.19-20) or direct_award (s.41-43)"
    )
    direct_award_justification: Text | None = Field(
        None, description="Required for a direct award: the s.41 / Schedule 5, s.42 or s.43 ground."
    )
    procurement_commenced_on: BusinessDate | None = Field(
        None, description="When the procurement began (default: start_date); picks the thresholds."
    )


class ContractUpdate(In):
    title: Name | None = None
    description: Text | None = None
    cpv_code: CpvCode | None = None
    value: PositiveAmount | None = None
    end_date: BusinessDate | None = None
    status: ContractStatus | None = None


class OrderLink(In):
    purchase_order_id: uuid.UUID


class ContractOut(Out):
    id: uuid.UUID
    number: str
    title: str
    description: str | None
    supplier_id: uuid.UUID
    cpv_code: str
    contract_type: ContractType
    value: Money
    start_date: date
    end_date: date
    procedure: Procedure
    direct_award_justification: str | None
    procurement_commenced_on: date
    authority_type: AuthorityType
    threshold: Money = Field(description="The threshold amount that applies (VAT inclusive).")
    threshold_basis: str
    above_threshold: bool
    status: ContractStatus
    purchase_order_ids: list[uuid.UUID]
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime
