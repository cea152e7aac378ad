"""Payroll's first tables: the kernel's (idempotency keys, audit events, provisioned tenants).
The calculator keeps nothing else; pay runs will bring payroll's own tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

from sop_shared.kernel_tables import create_kernel_tables, drop_kernel_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kernel_tables(op.get_bind())


def downgrade() -> None:
    drop_kernel_tables(op.get_bind())
