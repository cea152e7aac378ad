"""Pay runs: pay groups, pay runs, their employees' items and calculation chunks,
year-to-date figures and the runs' documents (a frozen copy of the native adapter's tables as
this revision made them: later changes get their own revision).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from alembic import op
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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


metadata = MetaData()
TZ = DateTime(timezone=True)

pay_groups = Table(
    "pay_groups",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant", String(63), nullable=False, index=True),
    Column("code", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("frequency", String(12), nullable=False),
    Column("pay_date_rule", String(20), nullable=False),
    Column("pay_day", Integer),
    Column("anchor_date", Date),
    Column("region", String(20), nullable=False),
    Column("proration", String(20), nullable=False),
    Column("tax_office_number", String(3), nullable=False),
    Column("paye_reference", String(10), nullable=False),
    Column("accounts_office_reference", String(13), nullable=False),
    Column("bank_account_id", Uuid),
    Column("variance_percent", Numeric(7, 4), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("extra", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    UniqueConstraint("tenant", "code"),
)

pay_runs = Table(
    "pay_runs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant", String(63), nullable=False),
    Column("pay_group_id", Uuid, nullable=False),
    Column("pay_group_code", String(20), nullable=False),
    Column("tax_year", String(7), nullable=False),
    Column("number", Integer, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("pay_date", Date, nullable=False),
    Column("payment_date", Date, nullable=False),
    Column("tax_period", Integer, nullable=False),
    Column("week_or_month_number", Integer, nullable=False),
    Column("week53_basis", Boolean, nullable=False),
    Column("state", String(12), nullable=False),
    Column("started_by", String(255), nullable=False),
    Column("calculation", Integer, nullable=False),
    Column("employees_total", Integer),
    Column("employees_done", Integer, nullable=False),
    Column("chunks_total", Integer),
    Column("chunks_done", Integer, nullable=False),
    Column("exceptions", Integer, nullable=False),
    Column("held", Integer, nullable=False),
    Column("totals", JSON, nullable=False),
    Column("approved_by", String(255)),
    Column("error", Text),
    Column("journal_id", String(64)),
    Column("payment_batch_id", String(64)),
    Column("fps_documents", Integer, nullable=False),
    Column("calculation_started_at", TZ),
    Column("calculated_at", TZ),
    Column("approved_at", TZ),
    Column("finalised_at", TZ),
    Column("version", Integer, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Index("ix_pay_runs_tenant_id", "tenant", "id"),
    # One run per group and period, unless cancelled or reversed: two racing requests, one wins.
    Index(
        "uq_pay_runs_period",
        "tenant",
        "pay_group_id",
        "tax_year",
        "number",
        unique=True,
        postgresql_where=text("state NOT IN ('cancelled', 'reversed')"),
        sqlite_where=text("state NOT IN ('cancelled', 'reversed')"),
    ),
)

PENCE_COLUMNS = (
    "gross",
    "tax",
    "employee_ni",
    "employer_ni",
    "student_loan",
    "postgraduate_loan",
    "employee_pension",
    "employer_pension",
    "other_deductions",
    "net",
)

pay_run_items = Table(
    "pay_run_items",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant", String(63), nullable=False),
    Column("run_id", Uuid, nullable=False),
    Column("employee_id", Uuid, nullable=False),
    Column("employee_number", String(40), nullable=False),
    Column("user_subject", String(255)),  # the person's login (HR's user_subject): self-service
    Column("name", String(300), nullable=False),
    Column("cost_centre", String(20)),
    *(Column(name, Pence, nullable=False) for name in PENCE_COLUMNS),
    Column("payslip", JSON, nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("exceptions", JSON, nullable=False),
    Column("blocking", Boolean, nullable=False),  # has exceptions not accepted (held or not)
    Column("held", Boolean, nullable=False),
    Column("accepted", Boolean, nullable=False),  # its warnings were looked at and accepted
    # Sensitive: the bank details and NI number the run pays and reports with (never in events).
    Column("bank", JSON),
    Column("national_insurance_number", String(9)),
    Column("tax_code", String(20)),
    Column("ni_category", String(1)),
    Column("leaving_date", Date),
    Column("ytd_after", JSON, nullable=False),
    # Who was paid, as the FPS reports them (names, birth date, gender, address, starter).
    Column("person", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", TZ, nullable=False),
    UniqueConstraint("run_id", "employee_id"),
    Index("ix_pay_run_items_employee", "tenant", "employee_id"),
    Index("ix_pay_run_items_subject", "tenant", "user_subject"),
)

pay_run_chunks = Table(
    "pay_run_chunks",
    metadata,
    Column("run_id", Uuid, nullable=False),
    Column("calculation", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("done_at", TZ, nullable=False),
    PrimaryKeyConstraint("run_id", "calculation", "seq"),
)

year_to_date = Table(
    "year_to_date",
    metadata,
    Column("tenant", String(63), nullable=False),
    Column("employee_id", Uuid, nullable=False),
    Column("tax_year", String(7), nullable=False),
    Column("figures", JSON, nullable=False),  # the last payslip's year_to_date
    Column("last_run_id", Uuid, nullable=False),
    Column("last_pay_date", Date, nullable=False),
    Column("updated_at", TZ, nullable=False),
    PrimaryKeyConstraint("tenant", "employee_id", "tax_year"),
)

pay_run_documents = Table(
    "pay_run_documents",
    metadata,
    Column("run_id", Uuid, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", TZ, nullable=False),
    PrimaryKeyConstraint("run_id", "kind"),
)

employee_rti_details = Table(
    "employee_rti_details",
    metadata,
    Column("tenant", String(63), nullable=False),
    Column("employee_id", Uuid, nullable=False),
    Column("gender", String(1), nullable=False),
    Column("address", JSON),
    Column("starter_declaration", String(1)),
    Column("p45", JSON),
    Column("version", Integer, nullable=False),
    Column("updated_at", TZ, nullable=False),
    PrimaryKeyConstraint("tenant", "employee_id"),
)

pay_adjustments = Table(
    "pay_adjustments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant", String(63), nullable=False),
    Column("pay_group_id", Uuid, nullable=False),
    Column("tax_year", String(7), nullable=False),
    Column("period", Integer, nullable=False),
    Column("employee_number", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("amount", Pence, nullable=False),
    Column("description", String(100), nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("created_at", TZ, nullable=False),
    Index("ix_pay_adjustments_period", "tenant", "pay_group_id", "tax_year", "period"),
)

tax_code_notices = Table(
    "tax_code_notices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant", String(63), nullable=False),
    Column("employee_id", Uuid, nullable=False),
    Column("tax_code", String(20), nullable=False),
    Column("week1_month1", Boolean, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("form", String(10), nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("created_at", TZ, nullable=False),
    Index("ix_tax_code_notices_employee", "tenant", "employee_id", "effective_from"),
)

TABLES = (
    pay_groups,
    pay_runs,
    pay_run_items,
    pay_run_chunks,
    year_to_date,
    pay_run_documents,
    employee_rti_details,
    pay_adjustments,
    tax_code_notices,
)


def upgrade() -> None:
    metadata.create_all(op.get_bind(), tables=list(TABLES))


def downgrade() -> None:
    metadata.drop_all(op.get_bind(), tables=list(reversed(TABLES)))
