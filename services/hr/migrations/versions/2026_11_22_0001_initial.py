"""HR's first tables: the kernel's (idempotency keys, audit events, provisioned tenants) and the
native adapter's records (org units, positions, employees, terms, leave types, absences).

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sop_shared.kernel_tables import create_kernel_tables, drop_kernel_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_scoped() -> list[sa.Column]:
    """The columns every tenant-owned table starts with (sop_shared TenantScopedFields)."""
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _standard_indexes(table: str) -> None:
    op.create_index(f"ix_{table}_tenant", table, ["tenant"])
    op.create_index(f"ix_{table}_updated_at", table, ["updated_at"])


def upgrade() -> None:
    create_kernel_tables(op.get_bind())

    op.create_table(
        "org_units",
        *_tenant_scoped(),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("cost_centre", sa.String(30), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_org_units"),
        sa.UniqueConstraint("tenant", "code", name="uq_org_units_tenant_code"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["org_units.id"], name="fk_org_units_parent_id_org_units"
        ),
    )
    _standard_indexes("org_units")
    op.create_index("ix_org_units_parent_id", "org_units", ["parent_id"])

    op.create_table(
        "positions",
        *_tenant_scoped(),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("grade", sa.String(10), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("budgeted_fte", sa.Numeric(8, 4), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_positions"),
        sa.UniqueConstraint("tenant", "code", name="uq_positions_tenant_code"),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name="fk_positions_org_unit_id_org_units"
        ),
        sa.CheckConstraint("budgeted_fte > 0", name="ck_positions_budgeted_fte_positive"),
    )
    _standard_indexes("positions")
    op.create_index("ix_positions_org_unit_id", "positions", ["org_unit_id"])

    op.create_table(
        "employees",
        *_tenant_scoped(),
        sa.Column("employee_number", sa.String(20), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("work_email", sa.String(254), nullable=True),
        sa.Column("user_subject", sa.String(255), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("national_insurance_number", sa.String(9), nullable=True),
        sa.Column("home_region", sa.String(20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("leaving_date", sa.Date(), nullable=True),
        sa.Column("leaving_reason", sa.String(30), nullable=True),
        sa.Column("tax_code", sa.String(20), nullable=True),
        sa.Column("ni_category", sa.String(1), nullable=True),
        sa.Column("student_loan_plans", sa.JSON(), nullable=False),
        sa.Column("postgraduate_loan", sa.Boolean(), nullable=False),
        sa.Column("pension_scheme", sa.String(50), nullable=True),
        sa.Column("bank_sort_code", sa.String(6), nullable=True),
        sa.Column("bank_account_number", sa.String(8), nullable=True),
        sa.Column("bank_account_name", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_employees"),
        sa.UniqueConstraint(
            "tenant", "employee_number", name="uq_employees_tenant_employee_number"
        ),
    )
    _standard_indexes("employees")
    op.create_index("ix_employees_user_subject", "employees", ["user_subject"])

    op.create_table(
        "employment_terms",
        *_tenant_scoped(),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("position_id", sa.Uuid(), nullable=True),
        sa.Column("grade", sa.String(10), nullable=False),
        sa.Column("fte", sa.Numeric(5, 4), nullable=False),
        sa.Column("annual_salary", sa.Numeric(12, 2), nullable=False),
        sa.Column("pay_frequency", sa.String(20), nullable=False),
        sa.Column("contract_type", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_employment_terms"),
        sa.UniqueConstraint(
            "employee_id", "effective_from", name="uq_employment_terms_employee_id_effective_from"
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name="fk_employment_terms_employee_id_employees"
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name="fk_employment_terms_org_unit_id_org_units"
        ),
        sa.ForeignKeyConstraint(
            ["position_id"], ["positions.id"], name="fk_employment_terms_position_id_positions"
        ),
        sa.CheckConstraint("fte > 0 AND fte <= 1", name="ck_employment_terms_fte_range"),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from",
            name="ck_employment_terms_dates_in_order",
        ),
    )
    _standard_indexes("employment_terms")
    op.create_index("ix_employment_terms_org_unit_id", "employment_terms", ["org_unit_id"])
    op.create_index("ix_employment_terms_position_id", "employment_terms", ["position_id"])

    op.create_table(
        "leave_types",
        *_tenant_scoped(),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("paid", sa.Boolean(), nullable=False),
        sa.Column("annual_entitlement_days", sa.Numeric(5, 1), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_leave_types"),
        sa.UniqueConstraint("tenant", "code", name="uq_leave_types_tenant_code"),
    )
    _standard_indexes("leave_types")

    op.create_table(
        "absences",
        *_tenant_scoped(),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("leave_type", sa.String(30), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("requested_by", sa.String(255), nullable=False),
        sa.Column("decided_by", sa.String(255), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_absences"),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name="fk_absences_employee_id_employees"
        ),
        sa.CheckConstraint("end_date >= start_date", name="ck_absences_dates_in_order"),
    )
    _standard_indexes("absences")
    op.create_index("ix_absences_employee_id", "absences", ["employee_id"])


def downgrade() -> None:
    for table in (
        "absences",
        "leave_types",
        "employment_terms",
        "employees",
        "positions",
        "org_units",
    ):
        op.drop_table(table)
    drop_kernel_tables(op.get_bind())
