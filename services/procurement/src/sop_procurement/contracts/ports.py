"""The contracts register's records and their port: each contract with its supplier, CPV
code, value (VAT inclusive), dates, the Procurement Act 2023 procedure it was let under, the
threshold that applies and the purchase orders raised under it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

from sop_procurement.contracts.thresholds import AuthorityType, ContractType
from sop_procurement.ports import PageRequest, Record, RecordPage

Procedure = Literal["open", "competitive_flexible", "direct_award"]
ContractStatus = Literal["active", "ended", "terminated"]


@dataclass(kw_only=True)
class Contract(Record):
    number: str  # CON-000001, per tenant
    title: str
    description: str | None = None
    supplier_id: uuid.UUID
    cpv_code: str
    contract_type: ContractType
    value: Decimal  # estimated total value, VAT inclusive (as thresholds are)
    start_date: date
    end_date: date
    procedure: Procedure
    direct_award_justification: str | None = None
    procurement_commenced_on: date
    authority_type: AuthorityType
    threshold: Decimal
    threshold_basis: str
    status: ContractStatus = "active"
    purchase_order_ids: list[str] = field(default_factory=list)
    created_by: str

    @property
    def above_threshold(self) -> bool:
        return self.value >= self.threshold


@dataclass(frozen=True, slots=True)
class ContractFilter:
    status: ContractStatus | None = None
    supplier_id: uuid.UUID | None = None
    procedure: Procedure | None = None
    updated_since: datetime | None = None


class ContractsPort(Protocol):
    async def next_number(self) -> str: ...

    async def add(self, contract: Contract) -> Contract: ...

    async def get(self, contract_id: uuid.UUID, *, lock: bool = False) -> Contract | None: ...

    async def update(self, contract: Contract) -> Contract: ...

    async def search(self, flt: ContractFilter, page: PageRequest) -> RecordPage[Contract]: ...
