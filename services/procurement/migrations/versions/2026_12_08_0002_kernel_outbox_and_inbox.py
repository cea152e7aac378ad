"""Kernel schema 2: the transactional outbox (events written with the change they announce),
the consumers' inbox (each event acted on once), and the acting service on audit events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

from sop_shared.kernel_tables import downgrade_kernel_tables_2, upgrade_kernel_tables_2

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_kernel_tables_2(op.get_bind())


def downgrade() -> None:
    downgrade_kernel_tables_2(op.get_bind())
