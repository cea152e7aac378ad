"""The native adapter's tables: the ledger kept in the finance service's own database."""

# Money is stored as integer pence (`Pence`): exact on SQLite and PostgreSQL alike, and cheap to
# add up in balance upserts; the mapped attribute is a `Decimal` with two places.

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from sop_shared.concurrency import VersionedMixin
from sop_shared.db import new_registry
from sop_shared.ids import uuid7
from sop_shared.repository import TenantScopedFields

ZERO = Decimal("0.00")


class Pence(TypeDecorator[Decimal]):
    """A `Decimal` amount stored as a whole number of pence."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        return int(Decimal(value).scaleb(2).to_integral_exact())

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-2)


class FinanceBase(SQLModel, registry=new_registry()):
    pass


def _money() -> Any:
    return Field(default=ZERO, sa_type=Pence, nullable=False)


def _tenant_fk(column: str, table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant", column], [f"{table}.tenant", f"{table}.code"])


# --- chart of accounts ------------------------------------------------------------------------


class AccountRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("tenant", "code"),
        UniqueConstraint("tenant", "control_role"),
    )
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    type: str = Field(max_length=10)
    parent_code: str | None = Field(default=None, max_length=20)
    postable: bool = True
    active: bool = True
    control_role: str | None = Field(default=None, max_length=30)


class CostCentreRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "cost_centres"
    __table_args__ = (UniqueConstraint("tenant", "code"),)
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    active: bool = True


class AnalysisCodeRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "analysis_codes"
    __table_args__ = (UniqueConstraint("tenant", "dimension", "code"),)
    dimension: str = Field(max_length=20)
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    active: bool = True


# --- periods -----------------------------------------------------------------------------------


class FinancialYearRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "financial_years"
    __table_args__ = (UniqueConstraint("tenant", "start_year"),)
    start_year: int
    status: str = Field(default="open", max_length=10)
    closing_journal_id: uuid.UUID | None = None


class PeriodRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "periods"
    __table_args__ = (
        UniqueConstraint("tenant", "code"),
        UniqueConstraint("tenant", "fiscal_year", "number"),
    )
    fiscal_year: int
    number: int
    code: str = Field(max_length=12)
    start_date: date
    end_date: date
    status: str = Field(default="open", max_length=12)


# --- journals and balances ---------------------------------------------------------------------


class JournalRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "journals"
    __table_args__ = (
        UniqueConstraint("tenant", "number"),
        # A system source names each document once: a second posting of the same payroll run
        # or invoice is refused even after its Idempotency-Key has expired.
        Index(
            "uq_journals_tenant_source_reference",
            "tenant",
            "source",
            "source_reference",
            unique=True,
            postgresql_where=text("source <> 'manual'"),
            sqlite_where=text("source <> 'manual'"),
        ),
        Index("ix_journals_tenant_period_key", "tenant", "period_key"),
    )
    number: str = Field(max_length=20)
    description: str = Field(max_length=500)
    posting_date: date
    period_code: str = Field(max_length=12)
    period_key: int
    adjustment: bool = False
    status: str = Field(default="draft", max_length=10)
    source: str = Field(default="manual", max_length=30)
    source_reference: str | None = Field(default=None, max_length=100)
    total: Decimal = _money()
    prepared_by: str = Field(max_length=255)
    approved_by: str | None = Field(default=None, max_length=255)
    approved_at: datetime | None = None
    posted_by: str | None = Field(default=None, max_length=255)
    posted_at: datetime | None = None
    reverses_journal_id: uuid.UUID | None = Field(default=None, foreign_key="journals.id")
    reversed_by_journal_id: uuid.UUID | None = Field(default=None, foreign_key="journals.id")


class JournalLineRow(FinanceBase, table=True):
    __tablename__ = "journal_lines"
    __table_args__ = (
        _tenant_fk("account_code", "accounts"),
        _tenant_fk("cost_centre_code", "cost_centres"),
    )
    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    tenant: str = Field(max_length=63)
    journal_id: uuid.UUID = Field(foreign_key="journals.id", ondelete="CASCADE", index=True)
    line_number: int
    account_code: str = Field(max_length=20)
    cost_centre_code: str | None = Field(default=None, max_length=20)
    programme: str | None = Field(default=None, max_length=20)
    project: str | None = Field(default=None, max_length=20)
    debit: Decimal = _money()
    credit: Decimal = _money()
    description: str | None = Field(default=None, max_length=500)


NO_COST_CENTRE = ""  # balances key "no cost centre" as "" so the key has no NULLs to upsert on


class LedgerBalanceRow(FinanceBase, table=True):
    """Debits and credits per tenant, period, account and cost centre, kept up to date in the
    posting transaction: reports read these, never the journal lines."""

    __tablename__ = "ledger_balances"
    __table_args__ = (
        PrimaryKeyConstraint("tenant", "period_key", "account_code", "cost_centre_code"),
        Index(
            "ix_ledger_balances_cost_centre",
            "tenant",
            "cost_centre_code",
            "account_code",
            "period_key",
        ),
    )
    tenant: str = Field(max_length=63)
    period_key: int
    account_code: str = Field(max_length=20)
    cost_centre_code: str = Field(max_length=20)
    debit: Decimal = _money()
    credit: Decimal = _money()


class AccountBalanceRow(FinanceBase, table=True):
    """The same figures summed over cost centres, kept in the same transaction: the trial
    balance reads accounts x periods rows, however many cost centres and lines there are."""

    __tablename__ = "ledger_account_balances"
    __table_args__ = (PrimaryKeyConstraint("tenant", "period_key", "account_code"),)
    tenant: str = Field(max_length=63)
    period_key: int
    account_code: str = Field(max_length=20)
    debit: Decimal = _money()
    credit: Decimal = _money()


class SequenceRow(FinanceBase, table=True):
    """Per-tenant counters for business numbers; gap-free because they roll back with the
    transaction that took them."""

    __tablename__ = "number_sequences"
    __table_args__ = (PrimaryKeyConstraint("tenant", "name"),)
    tenant: str = Field(max_length=63)
    name: str = Field(max_length=30)
    value: int = Field(default=0, sa_type=BigInteger)


# --- budgets and commitments ------------------------------------------------------------------


class BudgetRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("tenant", "cost_centre_code", "account_code", "period_key"),
        _tenant_fk("account_code", "accounts"),
        _tenant_fk("cost_centre_code", "cost_centres"),
    )
    cost_centre_code: str = Field(max_length=20)
    account_code: str = Field(max_length=20)
    period_code: str = Field(max_length=12)
    period_key: int
    amount: Decimal = _money()


class CommitmentRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "commitments"
    __table_args__ = (
        UniqueConstraint("tenant", "number"),
        Index(
            "ix_commitments_tenant_cost_centre",
            "tenant",
            "cost_centre_code",
            "account_code",
            "period_key",
        ),
        _tenant_fk("account_code", "accounts"),
        _tenant_fk("cost_centre_code", "cost_centres"),
    )
    number: str = Field(max_length=20)
    cost_centre_code: str = Field(max_length=20)
    account_code: str = Field(max_length=20)
    commitment_date: date
    period_code: str = Field(max_length=12)
    period_key: int
    amount: Decimal = _money()
    released: Decimal = _money()
    status: str = Field(default="open", max_length=10)
    source: str = Field(default="manual", max_length=30)
    source_reference: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=255)


# --- payables ----------------------------------------------------------------------------------


class SupplierRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("tenant", "number"),)
    number: str = Field(max_length=20)
    name: str = Field(max_length=200)
    bank_sort_code: str = Field(max_length=6)
    bank_account_number: str = Field(max_length=8)
    bank_account_name: str = Field(max_length=18)
    active: bool = True


class BankAccountRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "bank_accounts"
    name: str = Field(max_length=200)
    sort_code: str = Field(max_length=6)
    account_number: str = Field(max_length=8)
    account_name: str = Field(max_length=18)
    service_user_number: str = Field(max_length=6)
    ledger_account_code: str = Field(max_length=20)
    active: bool = True


class SupplierInvoiceRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "supplier_invoices"
    __table_args__ = (
        UniqueConstraint("tenant", "number"),
        # The same supplier invoice entered twice is the classic duplicate payment.
        UniqueConstraint("tenant", "supplier_id", "supplier_invoice_number"),
        Index("ix_supplier_invoices_tenant_status_due", "tenant", "status", "due_date"),
    )
    number: str = Field(max_length=20)
    supplier_id: uuid.UUID = Field(foreign_key="suppliers.id")
    supplier_invoice_number: str = Field(max_length=50)
    invoice_date: date
    due_date: date
    description: str | None = Field(default=None, max_length=500)
    status: str = Field(default="received", max_length=10)
    source: str = Field(default="manual", max_length=30)
    source_reference: str | None = Field(default=None, max_length=100)
    total: Decimal = _money()
    entered_by: str = Field(max_length=255)
    approved_by: str | None = Field(default=None, max_length=255)
    approved_at: datetime | None = None
    journal_id: uuid.UUID | None = Field(default=None, foreign_key="journals.id")
    payment_run_id: uuid.UUID | None = Field(
        default=None, foreign_key="payment_runs.id", index=True
    )


class SupplierInvoiceLineRow(FinanceBase, table=True):
    __tablename__ = "supplier_invoice_lines"
    __table_args__ = (
        _tenant_fk("account_code", "accounts"),
        _tenant_fk("cost_centre_code", "cost_centres"),
    )
    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    tenant: str = Field(max_length=63)
    invoice_id: uuid.UUID = Field(
        foreign_key="supplier_invoices.id", ondelete="CASCADE", index=True
    )
    line_number: int
    account_code: str = Field(max_length=20)
    cost_centre_code: str | None = Field(default=None, max_length=20)
    programme: str | None = Field(default=None, max_length=20)
    project: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=500)
    net_amount: Decimal = _money()
    vat_amount: Decimal = _money()
    commitment_id: uuid.UUID | None = Field(default=None, foreign_key="commitments.id")


class PaymentRunRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    __tablename__ = "payment_runs"
    __table_args__ = (UniqueConstraint("tenant", "number"),)
    number: str = Field(max_length=20)
    bank_account_id: uuid.UUID = Field(foreign_key="bank_accounts.id")
    payment_date: date
    due_by: date
    status: str = Field(default="proposed", max_length=10)
    total: Decimal = _money()
    payment_count: int = 0
    created_by: str = Field(max_length=255)
    journal_id: uuid.UUID | None = Field(default=None, foreign_key="journals.id")
    posted_by: str | None = Field(default=None, max_length=255)
    posted_at: datetime | None = None
    bacs_file: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class PaymentRow(FinanceBase, table=True):
    """A payment of a run, with the supplier's bank details as they were when proposed."""

    __tablename__ = "payments"
    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    tenant: str = Field(max_length=63)
    payment_run_id: uuid.UUID = Field(foreign_key="payment_runs.id", ondelete="CASCADE", index=True)
    supplier_id: uuid.UUID = Field(foreign_key="suppliers.id")
    supplier_name: str = Field(max_length=200)
    sort_code: str = Field(max_length=6)
    account_number: str = Field(max_length=8)
    account_name: str = Field(max_length=18)
    amount: Decimal = _money()
    reference: str = Field(max_length=18)
    invoice_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# --- payment batches ---------------------------------------------------------------------------


_LIVE_BATCH = "status NOT IN ('cancelled', 'withdrawn')"


class PaymentBatchRow(VersionedMixin, TenantScopedFields, FinanceBase, table=True):
    """A batch of BACS payments another system sent; its payments are rows of their own."""

    __tablename__ = "payment_batches"
    __table_args__ = (
        UniqueConstraint("tenant", "number"),
        # One live batch per source document: a pay run's net pay is paid once. A cancelled
        # or withdrawn batch frees its reference for the sender to send again.
        Index(
            "uq_payment_batches_tenant_source_reference",
            "tenant",
            "source",
            "source_reference",
            unique=True,
            postgresql_where=text(_LIVE_BATCH),
            sqlite_where=text(_LIVE_BATCH),
        ),
        _tenant_fk("control_account_code", "accounts"),
    )
    number: str = Field(max_length=20)
    bank_account_id: uuid.UUID = Field(foreign_key="bank_accounts.id")
    payment_date: date
    processing_day: date
    source: str = Field(max_length=30)
    source_reference: str = Field(max_length=100)
    description: str | None = Field(default=None, max_length=500)
    control_account_code: str = Field(max_length=20)
    expected_count: int
    expected_total: Decimal = _money()
    status: str = Field(default="draft", max_length=10)
    payment_count: int = 0
    total: Decimal = _money()
    created_by: str = Field(max_length=255)
    journal_id: uuid.UUID | None = Field(default=None, foreign_key="journals.id")
    submitted_by: str | None = Field(default=None, max_length=255)
    submitted_at: datetime | None = None
    bacs_file_name: str | None = Field(default=None, max_length=30)
    withdrawn_by: str | None = Field(default=None, max_length=255)
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = Field(default=None, max_length=500)


class PaymentBatchFileRow(FinanceBase, table=True):
    """A submitted batch's BACS file, apart from its header: 100 bytes a payment, read only
    when asked for."""

    __tablename__ = "payment_batch_files"
    batch_id: uuid.UUID = Field(
        foreign_key="payment_batches.id", ondelete="CASCADE", primary_key=True
    )
    tenant: str = Field(max_length=63)
    content: str = Field(sa_column=Column(Text, nullable=False))


class BatchPaymentRow(FinanceBase, table=True):
    """One payment of a batch, with the bank details its sender gave."""

    __tablename__ = "payment_batch_payments"
    __table_args__ = (
        # A payee is paid once per batch (the service names the duplicates first).
        UniqueConstraint("batch_id", "payee_reference"),
        # Pages of a batch's payments: keyset on id within the batch.
        Index("ix_payment_batch_payments_batch_id_id", "batch_id", "id"),
    )
    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    tenant: str = Field(max_length=63)
    batch_id: uuid.UUID = Field(foreign_key="payment_batches.id", ondelete="CASCADE")
    line_number: int
    payee_reference: str = Field(max_length=50)
    name: str = Field(max_length=200)
    sort_code: str = Field(max_length=6)
    account_number: str = Field(max_length=8)
    account_name: str = Field(max_length=18)
    amount: Decimal = _money()
    reference: str = Field(max_length=18)
