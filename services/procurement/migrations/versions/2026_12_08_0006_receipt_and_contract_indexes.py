"""Receipts, contracts and bank detail changes: the tenant index on its own, and the (tenant,
order) and (tenant, supplier) indexes under names of their own (0001, 0004 and 0005 gave the
pair the tenant index's name, so which one the tables declared depended on the order SQLModel
built them in, and the tables and the migrations could disagree).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAIRS = (
    ("receipts", "order_id"),
    ("contracts", "supplier_id"),
    ("supplier_bank_changes", "supplier_id"),
)


def upgrade() -> None:
    for table, column in PAIRS:
        op.drop_index(op.f(f"ix_{table}_tenant"), table_name=table)
        op.create_index(op.f(f"ix_{table}_tenant"), table, ["tenant"])
        op.create_index(f"ix_{table}_tenant_{column}", table, ["tenant", column])


def downgrade() -> None:
    for table, column in PAIRS:
        op.drop_index(f"ix_{table}_tenant_{column}", table_name=table)
        op.drop_index(op.f(f"ix_{table}_tenant"), table_name=table)
        op.create_index(op.f(f"ix_{table}_tenant"), table, ["tenant", column])
