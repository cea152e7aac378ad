"""Tenant registry, development identity provider, kernel tables.

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


def upgrade() -> None:
    create_kernel_tables(op.get_bind())
    op.create_table(
        "tenants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("cluster", sa.String(63), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=True),
        sa.Column("issuer_config", sa.JSON(), nullable=True),
        sa.Column("provisioned_services", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("slug", name="uq_tenants_slug"),
        sa.UniqueConstraint("issuer", name="uq_tenants_issuer"),
    )
    op.create_table(
        "dev_clients",
        sa.Column("client_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(300), nullable=True),
        sa.Column("tenant", sa.String(63), nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("grant_types", sa.JSON(), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name="pk_dev_clients"),
    )
    op.create_table(
        "dev_users",
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("tenant", sa.String(63), nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", name="pk_dev_users"),
    )
    op.create_table(
        "dev_grants",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("client_id", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("tenant", sa.String(63), nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("redirect_uri", sa.String(2000), nullable=True),
        sa.Column("code_challenge", sa.String(128), nullable=True),
        sa.Column("nonce", sa.String(255), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_dev_grants"),
    )
    op.create_index("ix_dev_grants_expires_at", "dev_grants", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_dev_grants_expires_at", table_name="dev_grants")
    op.drop_table("dev_grants")
    op.drop_table("dev_users")
    op.drop_table("dev_clients")
    op.drop_table("tenants")
    drop_kernel_tables(op.get_bind())
