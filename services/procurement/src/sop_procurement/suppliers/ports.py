"""Suppliers' records and their port: the supplier master and the requests that change a
supplier's bank details (dual control and a hold before they take effect)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from sop_procurement.ports import PageRequest, Record, RecordPage

SupplierStatus = Literal["active", "suspended", "archived"]
BankChangeStatus = Literal["pending", "approved", "rejected"]


@dataclass(kw_only=True)
class BankDetails:
    sort_code: str
    account_number: str
    account_name: str


@dataclass(kw_only=True)
class Supplier(Record):
    legal_name: str
    trading_name: str | None = None
    company_number: str | None = None
    vat_number: str | None = None
    addresses: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    sme: bool = False
    vcse: bool = False
    status: SupplierStatus = "active"
    # The details payments use until an approved change's hold has passed.
    bank_sort_code: str | None = None
    bank_account_number: str | None = None
    bank_account_name: str | None = None


@dataclass(kw_only=True)
class BankChange(Record):
    """A request to change a supplier's bank details: made by one person, approved by
    another, in effect from `effective_from` (after the tenant's hold period)."""

    supplier_id: uuid.UUID
    sort_code: str
    account_number: str
    account_name: str
    reason: str | None = None
    status: BankChangeStatus = "pending"
    requested_by: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    effective_from: date | None = None


@dataclass(frozen=True, slots=True)
class SupplierFilter:
    status: SupplierStatus | None = None
    company_number: str | None = None
    vat_number: str | None = None
    updated_since: datetime | None = None


class SuppliersPort(Protocol):
    async def add(self, supplier: Supplier) -> Supplier: ...

    async def get(self, supplier_id: uuid.UUID, *, lock: bool = False) -> Supplier | None: ...

    async def update(self, supplier: Supplier) -> Supplier:
        """Store the changes (the record's version must still be current: else StaleRecord)."""
        ...

    async def search(self, flt: SupplierFilter, page: PageRequest) -> RecordPage[Supplier]: ...

    async def find(
        self, *, company_number: str | None = None, vat_number: str | None = None
    ) -> Supplier | None: ...

    async def add_bank_change(self, change: BankChange) -> BankChange: ...

    async def get_bank_change(self, change_id: uuid.UUID) -> BankChange | None: ...

    async def update_bank_change(self, change: BankChange) -> BankChange: ...

    async def bank_changes(self, supplier_id: uuid.UUID) -> list[BankChange]:
        """Every change of the supplier, oldest first."""
        ...
