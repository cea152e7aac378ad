"""The org unit as the system of record holds it, and the port an adapter implements."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sop_hr.ports import PageRequest, RecordPage


@dataclass(frozen=True, slots=True)
class OrgUnit:
    id: uuid.UUID
    code: str  # unique per tenant
    name: str
    cost_centre: str
    parent_id: uuid.UUID | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrgUnitFilter:
    code: str | None = None
    parent_id: uuid.UUID | None = None
    ids: Collection[uuid.UUID] | None = None  # only these units (a subtree)
    updated_since: datetime | None = None


class OrgUnitRecords(Protocol):
    async def get(self, tenant: str, org_unit_id: uuid.UUID) -> OrgUnit | None: ...

    async def find_by_codes(self, tenant: str, codes: Collection[str]) -> dict[str, OrgUnit]:
        """The units with these codes, by code (codes not found are left out)."""
        ...

    async def list(
        self, tenant: str, where: OrgUnitFilter, page: PageRequest
    ) -> RecordPage[OrgUnit]: ...

    async def hierarchy(self, tenant: str) -> dict[uuid.UUID, uuid.UUID | None]:
        """Every unit of the tenant with its parent (None for a root)."""
        ...

    async def add(self, tenant: str, unit: OrgUnit) -> OrgUnit: ...

    async def update(self, tenant: str, unit: OrgUnit) -> OrgUnit:
        """`unit.version` as in `EmployeeRecords.update`."""
        ...
