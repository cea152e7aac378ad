"""Employees' RTI details as payroll keeps them, and their port."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Address:
    lines: tuple[str, ...]
    postcode: str | None = None
    country: str | None = None  # outside the UK: the country instead of a postcode


@dataclass(frozen=True, slots=True)
class P45:
    """The previous employment's figures for this tax year, from the starter's P45."""

    tax_code: str
    week1_month1: bool
    taxable_pay: Decimal
    tax_paid: Decimal
    leaving_date: date | None = None


@dataclass(frozen=True, slots=True)
class RtiDetails:
    employee_id: uuid.UUID
    gender: str  # "M" or "F", as HMRC records it (FPS `Gender`)
    address: Address | None = None
    starter_declaration: str | None = None  # A, B or C (HMRC's starter checklist)
    p45: P45 | None = None
    version: int = 1
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TaxCodeNotice:
    """A tax code HMRC issued for the employee (P6 in the year, P9 for a new year), from a date."""

    id: uuid.UUID
    employee_id: uuid.UUID
    tax_code: str
    week1_month1: bool
    effective_from: date
    form: str  # P6, P6B, P9 or manual
    created_by: str = ""
    created_at: datetime | None = None


class TaxCodeNotices(Protocol):
    async def add(self, notice: TaxCodeNotice) -> None: ...

    async def of(self, employee_id: uuid.UUID) -> list[TaxCodeNotice]: ...

    async def latest(
        self, employee_ids: Sequence[uuid.UUID], on: date
    ) -> dict[uuid.UUID, TaxCodeNotice]:
        """Each employee's newest notice in force on `on`."""
        ...


class RtiDetailsRecords(Protocol):
    async def get(self, employee_id: uuid.UUID) -> RtiDetails | None: ...

    async def many(self, employee_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, RtiDetails]: ...

    async def put(self, details: RtiDetails, *, expected_version: int | None) -> RtiDetails: ...
