"""Employment terms as the system of record holds them, and the port an adapter implements."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class Grade(StrEnum):
    """Civil service grades, most junior first."""

    AA = "AA"
    AO = "AO"
    EO = "EO"
    HEO = "HEO"
    SEO = "SEO"
    G7 = "G7"
    G6 = "G6"
    SCS1 = "SCS1"
    SCS2 = "SCS2"
    SCS3 = "SCS3"
    SCS4 = "SCS4"


class PayFrequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"


class ContractType(StrEnum):
    PERMANENT = "permanent"
    FIXED_TERM = "fixed_term"
    TEMPORARY = "temporary"
    SECONDMENT = "secondment"
    LOAN = "loan"
    APPRENTICESHIP = "apprenticeship"


@dataclass(frozen=True, slots=True)
class EmploymentTerms:
    """One row of an employee's terms history, in force from `effective_from` to
    `effective_to` inclusive (None: open-ended)."""

    id: uuid.UUID
    employee_id: uuid.UUID
    effective_from: date
    org_unit_id: uuid.UUID
    grade: Grade
    fte: Decimal
    annual_salary: Decimal
    pay_frequency: PayFrequency
    contract_type: ContractType
    effective_to: date | None = None
    position_id: uuid.UUID | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class TermsRecords(Protocol):
    """Terms histories. The service decides every row's dates; an adapter stores them."""

    async def history(self, tenant: str, employee_id: uuid.UUID) -> list[EmploymentTerms]:
        """Every row of the employee's terms, oldest first."""
        ...

    async def get(self, tenant: str, terms_id: uuid.UUID) -> EmploymentTerms | None: ...

    async def in_force(
        self,
        tenant: str,
        on: date,
        *,
        employee_ids: Collection[uuid.UUID] | None = None,
        position_ids: Collection[uuid.UUID] | None = None,
    ) -> list[EmploymentTerms]:
        """The rows in force on `on`, optionally only for these employees or positions."""
        ...

    async def add(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms: ...

    async def update(self, tenant: str, terms: EmploymentTerms) -> EmploymentTerms:
        """Store new dates or fields for a row; `terms.version` as in `EmployeeRecords.update`."""
        ...
