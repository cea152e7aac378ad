"""Payment batches: BACS payments another system (payroll's net pay) sends finance to pay, their
payments (amounts in integer pence, as the rest of the ledger) and, apart, their BACS files.

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
        "payment_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("bank_account_id", sa.Uuid(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("processing_day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("source_reference", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("control_account_code", sa.String(length=20), nullable=False),
        sa.Column("expected_count", sa.Integer(), nullable=False),
        sa.Column("expected_total", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("journal_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by", sa.String(length=255), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bacs_file_name", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_payment_batches_bank_account_id_bank_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journals.id"], name=op.f("fk_payment_batches_journal_id_journals")
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "control_account_code"],
            ["accounts.tenant", "accounts.code"],
            name=op.f("fk_payment_batches_tenant_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_batches")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_payment_batches_tenant_number")),
    )
    op.create_index(op.f("ix_payment_batches_tenant"), "payment_batches", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_payment_batches_updated_at"), "payment_batches", ["updated_at"], unique=False
    )
    op.create_index(
        "uq_payment_batches_tenant_source_reference",
        "payment_batches",
        ["tenant", "source", "source_reference"],
        unique=True,
        postgresql_where=sa.text("status <> 'cancelled'"),
        sqlite_where=sa.text("status <> 'cancelled'"),
    )
    op.create_table(
        "payment_batch_files",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["payment_batches.id"],
            name=op.f("fk_payment_batch_files_batch_id_payment_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_payment_batch_files")),
    )
    op.create_table(
        "payment_batch_payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("payee_reference", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sort_code", sa.String(length=6), nullable=False),
        sa.Column("account_number", sa.String(length=8), nullable=False),
        sa.Column("account_name", sa.String(length=18), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=18), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["payment_batches.id"],
            name=op.f("fk_payment_batch_payments_batch_id_payment_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_batch_payments")),
        sa.UniqueConstraint(
            "batch_id",
            "payee_reference",
            name=op.f("uq_payment_batch_payments_batch_id_payee_reference"),
        ),
    )
    op.create_index(
        "ix_payment_batch_payments_batch_id_id",
        "payment_batch_payments",
        ["batch_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_payment_batch_payments_batch_id_id", table_name="payment_batch_payments")
    op.drop_table("payment_batch_payments")
    op.drop_table("payment_batch_files")
    op.drop_index("uq_payment_batches_tenant_source_reference", table_name="payment_batches")
    op.drop_index(op.f("ix_payment_batches_updated_at"), table_name="payment_batches")
    op.drop_index(op.f("ix_payment_batches_tenant"), table_name="payment_batches")
    op.drop_table("payment_batches")
