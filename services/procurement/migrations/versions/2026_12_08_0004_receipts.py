"""Receipts against purchase order lines: the receipts table, each order line's received and
returned quantities (thousandths), and the tenant's over-receipt tolerance (hundredths of a
percent) on the policy.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("order_number", sa.String(length=20), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by", sa.String(length=255), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_receipts_tenant_number")),
    )
    op.create_index(op.f("ix_receipts_tenant"), "receipts", ["tenant", "order_id"], unique=False)
    op.create_index(op.f("ix_receipts_updated_at"), "receipts", ["updated_at"], unique=False)
    with op.batch_alter_table("purchase_order_lines") as batch:
        batch.add_column(sa.Column("received", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("returned", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("policies") as batch:
        batch.add_column(
            sa.Column("over_receipt_tolerance", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("over_receipt_tolerance")
    with op.batch_alter_table("purchase_order_lines") as batch:
        batch.drop_column("returned")
        batch.drop_column("received")
    op.drop_index(op.f("ix_receipts_updated_at"), table_name="receipts")
    op.drop_index(op.f("ix_receipts_tenant"), table_name="receipts")
    op.drop_table("receipts")
