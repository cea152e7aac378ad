"""The cross-reference between canonical ids and vendor keys (for the oracle_like and sap_like
adapters), and each cluster's binding override and write freeze (for the supplier switch).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendor_refs",
        sa.Column("backend", sa.String(255), nullable=False),
        sa.Column("resource_type", sa.String(30), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(63), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("vendor_key", sa.String(255), nullable=False),
        sa.Column("vendor_data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("backend", "resource_type", "id", name="pk_vendor_refs"),
        sa.UniqueConstraint(
            "backend",
            "resource_type",
            "vendor_key",
            name="uq_vendor_refs_backend_resource_type_vendor_key",
        ),
    )
    op.create_index(
        "ix_vendor_refs_tenant_type", "vendor_refs", ["backend", "tenant", "resource_type"]
    )
    op.create_index(
        "ix_vendor_refs_parent", "vendor_refs", ["backend", "resource_type", "parent_id"]
    )

    bindings = op.create_table(
        "cluster_bindings",
        sa.Column("cluster", sa.String(63), nullable=False),
        sa.Column("binding", sa.JSON(), nullable=True),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("cluster", name="pk_cluster_bindings"),
    )
    # Every cluster that already has tenants gets its row now, so writes can lock it.
    clusters = op.get_bind().execute(sa.text("SELECT DISTINCT cluster FROM provisioned_tenants"))
    stamp = datetime.now(UTC)
    op.bulk_insert(
        bindings,
        [
            {"cluster": c, "binding": None, "frozen": False, "note": None, "updated_at": stamp}
            for (c,) in clusters
        ],
    )


def downgrade() -> None:
    op.drop_table("cluster_bindings")
    op.drop_index("ix_vendor_refs_parent", table_name="vendor_refs")
    op.drop_index("ix_vendor_refs_tenant_type", table_name="vendor_refs")
    op.drop_table("vendor_refs")
