"""Payment batches may be withdrawn before their Bacs processing day: who withdrew one, when and
why; a withdrawn batch, like a cancelled one, frees its source reference.

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

_INDEX = "uq_payment_batches_tenant_source_reference"


def _live_index(where: str) -> None:
    op.drop_index(_INDEX, table_name="payment_batches")
    op.create_index(
        _INDEX,
        "payment_batches",
        ["tenant", "source", "source_reference"],
        unique=True,
        postgresql_where=sa.text(where),
        sqlite_where=sa.text(where),
    )


def upgrade() -> None:
    op.add_column("payment_batches", sa.Column("withdrawn_by", sa.String(255), nullable=True))
    op.add_column(
        "payment_batches", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("payment_batches", sa.Column("withdrawal_reason", sa.String(500), nullable=True))
    _live_index("status NOT IN ('cancelled', 'withdrawn')")


def downgrade() -> None:
    # Fails while a withdrawn batch and the batch sent again for its document both exist.
    _live_index("status <> 'cancelled'")
    op.drop_column("payment_batches", "withdrawal_reason")
    op.drop_column("payment_batches", "withdrawn_at")
    op.drop_column("payment_batches", "withdrawn_by")
