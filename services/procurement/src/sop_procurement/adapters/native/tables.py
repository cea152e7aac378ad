"""The native adapter's tables: suppliers, requisitions, orders and the tenant's controls,
kept in the procurement service's own database. Money is integer pence (`Pence`),
quantities thousandths and VAT rates hundredths of a percent: exact on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from sop_shared.concurrency import VersionedMixin
from sop_shared.db import new_registry, utcnow
from sop_shared.ids import uuid7


class Scaled(TypeDecorator[Decimal]):
    """A `Decimal` stored as a whole number of 10**-places units."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int = 2) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        return int(Decimal(value).scaleb(self.places).to_integral_exact())

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places)


class ProcurementBase(SQLModel, registry=new_registry()):
    pass


def _when(nullable: bool = True) -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True), nullable=nullable)


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class TenantRow:
    """Columns every tenant-owned table has (instants with their time zone)."""

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    tenant: str = Field(max_length=63, index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=DateTime(timezone=True), index=True
    )


class SequenceRow(ProcurementBase, table=True):
    """Per-tenant counters for business numbers; gap-free because they roll back with the
    transaction that took them."""

    __tablename__ = "number_sequences"
    __table_args__ = (PrimaryKeyConstraint("tenant", "name"),)
    tenant: str = Field(max_length=63)
    name: str = Field(max_length=30)
    value: int = Field(default=0, sa_type=BigInteger)


# --- suppliers ----


class SupplierRow(VersionedMixin, TenantRow, ProcurementBase, table=True):
    __tablename__ = "suppliers"
    __table_args__ = (
        UniqueConstraint("tenant", "company_number"),
        UniqueConstraint("tenant", "vat_number"),
    )
    legal_name: str = Field(max_length=200)
    trading_name: str | None = Field(default=None, max_length=200)
    company_number: str | None = Field(default=None, max_length=8)
    vat_number: str | None = Field(default=None, max_length=16)
    addresses: list[dict[str, Any]] = _json()
    contacts: list[dict[str, Any]] = _json()
    sme: bool = False
    vcse: bool = False
    status: str = Field(default="active", max_length=10)
    bank_sort_code: str | None = Field(default=None, max_length=6)
    bank_account_number: str | None = Field(default=None, max_length=8)
    bank_account_name: str | None = Field(default=None, max_length=60)


class BankChangeRow(VersionedMixin, TenantRow, ProcurementBase, table=True):
    __tablename__ = "supplier_bank_changes"
    __table_args__ = (
        Index("ix_supplier_bank_changes_tenant_supplier_id", "tenant", "supplier_id"),
    )
    supplier_id: uuid.UUID
    sort_code: str = Field(max_length=6)
    account_number: str = Field(max_length=8)
    account_name: str = Field(max_length=60)
    reason: str | None = Field(default=None, max_length=500)
    status: str = Field(default="pending", max_length=10)
    requested_by: str = Field(max_length=255)
    requested_at: datetime = Field(sa_type=DateTime(timezone=True))
    decided_by: str | None = Field(default=None, max_length=255)
    decided_at: datetime | None = _when()
    effective_from: date | None = None


# --- controls ----


class PolicyRow(VersionedMixin, TenantRow, ProcurementBase, table=True):
    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("tenant"),)
    over_budget: str = Field(default="refuse", max_length=10)
    bank_change_hold_days: int = 5
    over_receipt_tolerance: Decimal = Field(default=Decimal("0"), sa_type=Scaled(2), nullable=False)
    authority_type: str = Field(default="central_government", max_length=30)


class ApprovalLimitRow(VersionedMixin, TenantRow, ProcurementBase, table=True):
    __tablename__ = "approval_limits"
    __table_args__ = (UniqueConstraint("tenant", "role"),)
    role: str = Field(max_length=200)
    limit: Decimal = Field(sa_type=Scaled(2), nullable=False)
    members: list[str] = _json()
    description: str | None = Field(default=None, max_length=500)


# --- requisitions ----


class RequisitionRow(VersionedMixin, TenantRow, ProcurementBase, table=True):
    __tablename__ = "requisitions"
    __table_args__ = (UniqueConstraint("tenant", "number"),)
    number: str = Field(max_length=20)
    title: str = Field(max_length=200)
    justification: str | None = Field(default=None, max_length=500)
    supplier_id: uuid.UUID | None = None
    requested_by: str = Field(max_length=255, index=True)
    status: str = Field(default="draft", max_length=10)
    submitted_at: datetime | None = _when()
    budget_check: list[dict[str, Any]] = _json()
    over_budget: bool = False
    budget_override_reason: str | None = Field(default=None, max_length=500)
    decided_by: str | None = Field(default=None, max_length=255)
    decided_at: datetime | None = _when()
    decision_reason: str | None = Field(default=None, max_length=500)
    order_id: uuid.UUID | None = None


class LineColumns:
    """What requisition and order lines share."""

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    tenant: str = Field(max_length=63)
    line_number: int
    description: str = Field(max_length=500)
    cpv_code: str = Field(max_length=10)
    quantity: Decimal = Field(sa_type=Scaled(3), nullable=False)
    unit_price: Decimal = Field(sa_type=Scaled(2), nullable=False)
    vat_rate: Decimal = Field(sa_type=Scaled(2), nullable=False)
    cost_centre_code: str = Field(max_length=20)
    account_code: str = Field(max_length=20)
    need_by: date | None = None


class RequisitionLineRow(LineColumns, ProcurementBase, table=True):
    __tablename__ = "requisition_lines"
    __table_args__ = (Index(None, "tenant", "requisition_id"),)
    requisition_id: uuid.UUID


# --- purchase orders ----


class OrderRow(VersionedMixin, TenantRow, ProcurementBase, table=True):
    __tablename__ = "purchase_orders"
    __table_args__ = (UniqueConstraint("tenant", "number"),)
    number: str = Field(max_length=20)
    requisition_id: uuid.UUID
    supplier_id: uuid.UUID
    status: str = Field(default="draft", max_length=10)
    revision: int = 1
    created_by: str = Field(max_length=255)
    issued_by: str | None = Field(default=None, max_length=255)
    issued_at: datetime | None = _when()
    cancelled_by: str | None = Field(default=None, max_length=255)
    cancelled_at: datetime | None = _when()
    cancel_reason: str | None = Field(default=None, max_length=500)
    amendments: list[dict[str, Any]] = _json()


class OrderLineRow(LineColumns, ProcurementBase, table=True):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (Index(None, "tenant", "order_id"),)
    order_id: uuid.UUID
    requisition_line_id: uuid.UUID | None = None
    commitments: list[dict[str, str]] = _json()
    received: Decimal = Field(default=Decimal("0"), sa_type=Scaled(3), nullable=False)
    returned: Decimal = Field(default=Decimal("0"), sa_type=Scaled(3), nullable=False)


# --- receipts ----


class ReceiptRow(VersionedMixin, TenantRow, ProcurementBase, table=True):
    """A receipt of goods or services against an issued order; its lines (JSON) name the
    order lines, the quantity (negative: a return) and each line's position afterwards."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("tenant", "number"),
        Index("ix_receipts_tenant_order_id", "tenant", "order_id"),
    )
    number: str = Field(max_length=20)
    order_id: uuid.UUID
    order_number: str = Field(max_length=20)
    supplier_id: uuid.UUID
    recorded_by: str = Field(max_length=255)
    lines: list[dict[str, Any]] = _json()


# --- contracts register ----


class ContractRow(VersionedMixin, TenantRow, ProcurementBase, table=True):
    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("tenant", "number"),
        Index("ix_contracts_tenant_supplier_id", "tenant", "supplier_id"),
    )
    number: str = Field(max_length=20)
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=500)
    supplier_id: uuid.UUID
    cpv_code: str = Field(max_length=10)
    contract_type: str = Field(max_length=20)
    value: Decimal = Field(sa_type=Scaled(2), nullable=False)
    start_date: date
    end_date: date
    procedure: str = Field(max_length=30)
    direct_award_justification: str | None = Field(default=None, max_length=500)
    procurement_commenced_on: date
    authority_type: str = Field(max_length=30)
    threshold: Decimal = Field(sa_type=Scaled(2), nullable=False)
    threshold_basis: str = Field(max_length=200)
    status: str = Field(default="active", max_length=10)
    purchase_order_ids: list[str] = _json()
    created_by: str = Field(max_length=255)
