"""Procurement: kernel tables, suppliers and bank detail changes, the tenant's policy and
approval limits, requisitions and purchase orders with their lines.

Money is stored as integer pence, quantities as thousandths and VAT rates as hundredths
(`Scaled` in the tables module), hence the BIGINT columns.

Revision ID: 0001
Revises:
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sop_shared.kernel_tables import create_kernel_tables, drop_kernel_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kernel_tables(op.get_bind())
    op.create_table(
        "approval_limits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("limit", sa.BigInteger(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_limits")),
        sa.UniqueConstraint("tenant", "role", name=op.f("uq_approval_limits_tenant_role")),
    )
    op.create_index(op.f("ix_approval_limits_tenant"), "approval_limits", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_approval_limits_updated_at"), "approval_limits", ["updated_at"], unique=False
    )
    op.create_table(
        "number_sequences",
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "name", name=op.f("pk_number_sequences")),
    )
    op.create_table(
        "policies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("over_budget", sa.String(length=10), nullable=False),
        sa.Column("bank_change_hold_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
        sa.UniqueConstraint("tenant", name=op.f("uq_policies_tenant")),
    )
    op.create_index(op.f("ix_policies_tenant"), "policies", ["tenant"], unique=False)
    op.create_index(op.f("ix_policies_updated_at"), "policies", ["updated_at"], unique=False)
    op.create_table(
        "purchase_order_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("cpv_code", sa.String(length=10), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.BigInteger(), nullable=False),
        sa.Column("cost_centre_code", sa.String(length=20), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("need_by", sa.Date(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("requisition_line_id", sa.Uuid(), nullable=True),
        sa.Column("commitments", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_lines")),
    )
    op.create_index(
        op.f("ix_purchase_order_lines_tenant"),
        "purchase_order_lines",
        ["tenant", "order_id"],
        unique=False,
    )
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("requisition_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("issued_by", sa.String(length=255), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=255), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("amendments", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_purchase_orders_tenant_number")),
    )
    op.create_index(op.f("ix_purchase_orders_tenant"), "purchase_orders", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_purchase_orders_updated_at"), "purchase_orders", ["updated_at"], unique=False
    )
    op.create_table(
        "requisition_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("cpv_code", sa.String(length=10), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.BigInteger(), nullable=False),
        sa.Column("cost_centre_code", sa.String(length=20), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("need_by", sa.Date(), nullable=True),
        sa.Column("requisition_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisition_lines")),
    )
    op.create_index(
        op.f("ix_requisition_lines_tenant"),
        "requisition_lines",
        ["tenant", "requisition_id"],
        unique=False,
    )
    op.create_table(
        "requisitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("justification", sa.String(length=500), nullable=True),
        sa.Column("supplier_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("budget_check", sa.JSON(), nullable=False),
        sa.Column("over_budget", sa.Boolean(), nullable=False),
        sa.Column("budget_override_reason", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisitions")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_requisitions_tenant_number")),
    )
    op.create_index(
        op.f("ix_requisitions_requested_by"), "requisitions", ["requested_by"], unique=False
    )
    op.create_index(op.f("ix_requisitions_tenant"), "requisitions", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_requisitions_updated_at"), "requisitions", ["updated_at"], unique=False
    )
    op.create_table(
        "supplier_bank_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("sort_code", sa.String(length=6), nullable=False),
        sa.Column("account_number", sa.String(length=8), nullable=False),
        sa.Column("account_name", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=255), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_bank_changes")),
    )
    op.create_index(
        op.f("ix_supplier_bank_changes_tenant"),
        "supplier_bank_changes",
        ["tenant", "supplier_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_supplier_bank_changes_updated_at"),
        "supplier_bank_changes",
        ["updated_at"],
        unique=False,
    )
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("trading_name", sa.String(length=200), nullable=True),
        sa.Column("company_number", sa.String(length=8), nullable=True),
        sa.Column("vat_number", sa.String(length=16), nullable=True),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("sme", sa.Boolean(), nullable=False),
        sa.Column("vcse", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("bank_sort_code", sa.String(length=6), nullable=True),
        sa.Column("bank_account_number", sa.String(length=8), nullable=True),
        sa.Column("bank_account_name", sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint(
            "tenant", "company_number", name=op.f("uq_suppliers_tenant_company_number")
        ),
        sa.UniqueConstraint("tenant", "vat_number", name=op.f("uq_suppliers_tenant_vat_number")),
    )
    op.create_index(op.f("ix_suppliers_tenant"), "suppliers", ["tenant"], unique=False)
    op.create_index(op.f("ix_suppliers_updated_at"), "suppliers", ["updated_at"], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:

    op.drop_index(op.f("ix_suppliers_updated_at"), table_name="suppliers")
    op.drop_index(op.f("ix_suppliers_tenant"), table_name="suppliers")
    op.drop_table("suppliers")
    op.drop_index(op.f("ix_supplier_bank_changes_updated_at"), table_name="supplier_bank_changes")
    op.drop_index(op.f("ix_supplier_bank_changes_tenant"), table_name="supplier_bank_changes")
    op.drop_table("supplier_bank_changes")
    op.drop_index(op.f("ix_requisitions_updated_at"), table_name="requisitions")
    op.drop_index(op.f("ix_requisitions_tenant"), table_name="requisitions")
    op.drop_index(op.f("ix_requisitions_requested_by"), table_name="requisitions")
    op.drop_table("requisitions")
    op.drop_index(op.f("ix_requisition_lines_tenant"), table_name="requisition_lines")
    op.drop_table("requisition_lines")
    op.drop_index(op.f("ix_purchase_orders_updated_at"), table_name="purchase_orders")
    op.drop_index(op.f("ix_purchase_orders_tenant"), table_name="purchase_orders")
    op.drop_table("purchase_orders")
    op.drop_index(op.f("ix_purchase_order_lines_tenant"), table_name="purchase_order_lines")
    op.drop_table("purchase_order_lines")
    op.drop_index(op.f("ix_policies_updated_at"), table_name="policies")
    op.drop_index(op.f("ix_policies_tenant"), table_name="policies")
    op.drop_table("policies")
    op.drop_table("number_sequences")
    op.drop_index(op.f("ix_approval_limits_updated_at"), table_name="approval_limits")
    op.drop_index(op.f("ix_approval_limits_tenant"), table_name="approval_limits")
    op.drop_table("approval_limits")
    # ### end Alembic commands ###
    drop_kernel_tables(op.get_bind())
