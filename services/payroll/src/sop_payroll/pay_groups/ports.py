"""Pay groups as payroll keeps them, and their port."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sop_payroll.engine.frequency import PayFrequency
from sop_payroll.pay_groups.calendar import PayDayRule
from sop_payroll.pay_runs.earnings import ProrationBasis
from sop_shared.pagination import PageRequest, RecordPage

Proration = ProrationBasis  # how a part period's pay is counted: working or calendar days


@dataclass(frozen=True, slots=True)
class EmployerScheme:
    """The PAYE scheme the group reports as (HMRC's employer references)."""

    tax_office_number: str  # "123"
    paye_reference: str  # "AB45678"
    accounts_office_reference: str  # "123PA00012345"


@dataclass(frozen=True, slots=True)
class PayGroup:
    id: uuid.UUID
    code: str
    name: str
    frequency: PayFrequency
    pay_date_rule: PayDayRule
    scheme: EmployerScheme
    pay_day: int | None = None
    anchor_date: date | None = None
    proration: Proration = Proration.WORKING_DAYS
    region: str = "england"
    bank_account_id: uuid.UUID | None = None  # finance's paying account for net pay
    variance_percent: Decimal = Decimal("25")  # net pay change that needs a look
    active: bool = True
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class PayGroupRecords(Protocol):
    """A tenant's pay groups (the store is bound to the tenant)."""

    async def list(self, page: PageRequest) -> RecordPage[PayGroup]: ...

    async def get(self, group_id: uuid.UUID) -> PayGroup | None: ...

    async def by_code(self, code: str) -> PayGroup | None: ...

    async def add(self, group: PayGroup) -> PayGroup: ...

    async def update(self, group: PayGroup, *, expected_version: int) -> PayGroup: ...
