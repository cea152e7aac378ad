"""The contracts register (value and threshold in pence) and the tenant's contracting
authority type on its policy (which Procurement Act thresholds apply).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("cpv_code", sa.String(length=10), nullable=False),
        sa.Column("contract_type", sa.String(length=20), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("procedure", sa.String(length=30), nullable=False),
        sa.Column("direct_award_justification", sa.String(length=500), nullable=True),
        sa.Column("procurement_commenced_on", sa.Date(), nullable=False),
        sa.Column("authority_type", sa.String(length=30), nullable=False),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("threshold_basis", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("purchase_order_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_contracts_tenant_number")),
    )
    op.create_index(op.f("ix_contracts_tenant"), "contracts", ["tenant", "supplier_id"])
    op.create_index(op.f("ix_contracts_updated_at"), "contracts", ["updated_at"])
    with op.batch_alter_table("policies") as batch:
        batch.add_column(
            sa.Column(
                "authority_type",
                sa.String(length=30),
                nullable=False,
                server_default="central_government",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("authority_type")
    op.drop_index(op.f("ix_contracts_updated_at"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_tenant"), table_name="contracts")
    op.drop_table("contracts")
