"""Kernel schema 3: idempotency keys scoped to the person (tenant, client and subject), with
the scopes of the request that used them, so a replay never shows a caller more than its own
scopes allow. Keys claimed before this migration are not carried over (they name no subject).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

from sop_shared.kernel_tables import downgrade_kernel_tables_3, upgrade_kernel_tables_3

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_kernel_tables_3(op.get_bind())


def downgrade() -> None:
    downgrade_kernel_tables_3(op.get_bind())
