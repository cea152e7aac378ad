"""The position as the system of record holds it, and the port an adapter implements."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sop_hr.ports import PageRequest, RecordPage
from sop_hr.terms.ports import Grade


@dataclass(frozen=True, slots=True)
class Position:
    id: uuid.UUID
    code: str  # unique per tenant
    title: str
    grade: Grade
    org_unit_id: uuid.UUID
    budgeted_fte: Decimal
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PositionFilter:
    code: str | None = None
    org_unit_id: uuid.UUID | None = None
    updated_since: datetime | None = None


class PositionRecords(Protocol):
    async def get(self, tenant: str, position_id: uuid.UUID) -> Position | None: ...

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, Position]:
        """The positions with these codes, by code (codes not found are left out)."""
        ...

    async def list(
        self, tenant: str, where: PositionFilter, page: PageRequest
    ) -> RecordPage[Position]: ...

    async def add(self, tenant: str, position: Position) -> Position: ...

    async def update(self, tenant: str, position: Position) -> Position:
        """`position.version` as in `EmployeeRecords.update`."""
        ...
