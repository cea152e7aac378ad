"""Adjustments as payroll keeps them, and their port."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from sop_shared.pagination import PageRequest, RecordPage


class AdjustmentKind(StrEnum):
    OVERTIME = "overtime"  # taxable, NI-able, pensionable pay
    BONUS = "bonus"  # taxable, NI-able, not pensionable
    ALLOWANCE = "allowance"  # taxable, NI-able, pensionable
    COMMISSION = "commission"  # taxable, NI-able, not pensionable
    EXPENSES = "expenses"  # reimbursed expenses: neither taxed nor NI-able
    DEDUCTION = "deduction"  # after tax (a loan repayment, a union subscription...)


@dataclass(frozen=True, slots=True)
class Adjustment:
    id: uuid.UUID
    pay_group_id: uuid.UUID
    tax_year: str
    period: int
    employee_number: str
    kind: AdjustmentKind
    amount: Decimal
    description: str
    created_by: str = ""
    created_at: datetime | None = None


class AdjustmentRecords(Protocol):
    async def in_period(
        self, pay_group_id: uuid.UUID, tax_year: str, period: int, page: PageRequest
    ) -> RecordPage[Adjustment]: ...

    async def for_employees(
        self, pay_group_id: uuid.UUID, tax_year: str, period: int, numbers: Sequence[str]
    ) -> dict[str, list[Adjustment]]: ...

    async def add(self, adjustments: Sequence[Adjustment]) -> None: ...

    async def get(self, adjustment_id: uuid.UUID) -> Adjustment | None: ...

    async def delete(self, adjustment_id: uuid.UUID) -> None: ...
