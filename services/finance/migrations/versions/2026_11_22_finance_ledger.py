"""Finance ledger: kernel tables, chart of accounts, periods, journals and balances, budgets
and commitments, payables.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:44:20.985822
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
        "accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("parent_code", sa.String(length=20), nullable=True),
        sa.Column("postable", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("control_role", sa.String(length=30), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("tenant", "code", name=op.f("uq_accounts_tenant_code")),
        sa.UniqueConstraint("tenant", "control_role", name=op.f("uq_accounts_tenant_control_role")),
    )
    op.create_index(op.f("ix_accounts_tenant"), "accounts", ["tenant"], unique=False)
    op.create_index(op.f("ix_accounts_updated_at"), "accounts", ["updated_at"], unique=False)

    op.create_table(
        "analysis_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_codes")),
        sa.UniqueConstraint(
            "tenant", "dimension", "code", name=op.f("uq_analysis_codes_tenant_dimension_code")
        ),
    )
    op.create_index(op.f("ix_analysis_codes_tenant"), "analysis_codes", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_analysis_codes_updated_at"), "analysis_codes", ["updated_at"], unique=False
    )

    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sort_code", sa.String(length=6), nullable=False),
        sa.Column("account_number", sa.String(length=8), nullable=False),
        sa.Column("account_name", sa.String(length=18), nullable=False),
        sa.Column("service_user_number", sa.String(length=6), nullable=False),
        sa.Column("ledger_account_code", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
    )
    op.create_index(op.f("ix_bank_accounts_tenant"), "bank_accounts", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_bank_accounts_updated_at"), "bank_accounts", ["updated_at"], unique=False
    )

    op.create_table(
        "cost_centres",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_centres")),
        sa.UniqueConstraint("tenant", "code", name=op.f("uq_cost_centres_tenant_code")),
    )
    op.create_index(op.f("ix_cost_centres_tenant"), "cost_centres", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_cost_centres_updated_at"), "cost_centres", ["updated_at"], unique=False
    )

    op.create_table(
        "financial_years",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closing_journal_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financial_years")),
        sa.UniqueConstraint(
            "tenant", "start_year", name=op.f("uq_financial_years_tenant_start_year")
        ),
    )
    op.create_index(op.f("ix_financial_years_tenant"), "financial_years", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_financial_years_updated_at"), "financial_years", ["updated_at"], unique=False
    )

    op.create_table(
        "journals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("posting_date", sa.Date(), nullable=False),
        sa.Column("period_code", sa.String(length=12), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("adjustment", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("source_reference", sa.String(length=100), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("prepared_by", sa.String(length=255), nullable=False),
        sa.Column("approved_by", sa.String(length=255), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_by", sa.String(length=255), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reverses_journal_id", sa.Uuid(), nullable=True),
        sa.Column("reversed_by_journal_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reversed_by_journal_id"],
            ["journals.id"],
            name=op.f("fk_journals_reversed_by_journal_id_journals"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_journal_id"],
            ["journals.id"],
            name=op.f("fk_journals_reverses_journal_id_journals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journals")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_journals_tenant_number")),
    )
    op.create_index(op.f("ix_journals_tenant"), "journals", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_journals_tenant_period_key"), "journals", ["tenant", "period_key"], unique=False
    )
    op.create_index(op.f("ix_journals_updated_at"), "journals", ["updated_at"], unique=False)
    op.create_index(
        op.f("uq_journals_tenant_source_reference"),
        "journals",
        ["tenant", "source", "source_reference"],
        unique=True,
        postgresql_where=sa.text("source <> 'manual'"),
        sqlite_where=sa.text("source <> 'manual'"),
    )

    op.create_table(
        "ledger_balances",
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("cost_centre_code", sa.String(length=20), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant",
            "period_key",
            "account_code",
            "cost_centre_code",
            name=op.f("pk_ledger_balances"),
        ),
    )
    op.create_index(
        op.f("ix_ledger_balances_cost_centre"),
        "ledger_balances",
        ["tenant", "cost_centre_code", "account_code", "period_key"],
        unique=False,
    )

    op.create_table(
        "ledger_account_balances",
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant", "period_key", "account_code", name=op.f("pk_ledger_account_balances")
        ),
    )
    op.create_table(
        "number_sequences",
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "name", name=op.f("pk_number_sequences")),
    )
    op.create_table(
        "periods",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
        sa.UniqueConstraint("tenant", "code", name=op.f("uq_periods_tenant_code")),
        sa.UniqueConstraint(
            "tenant", "fiscal_year", "number", name=op.f("uq_periods_tenant_fiscal_year_number")
        ),
    )
    op.create_index(op.f("ix_periods_tenant"), "periods", ["tenant"], unique=False)
    op.create_index(op.f("ix_periods_updated_at"), "periods", ["updated_at"], unique=False)

    op.create_table(
        "suppliers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bank_sort_code", sa.String(length=6), nullable=False),
        sa.Column("bank_account_number", sa.String(length=8), nullable=False),
        sa.Column("bank_account_name", sa.String(length=18), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_suppliers_tenant_number")),
    )
    op.create_index(op.f("ix_suppliers_tenant"), "suppliers", ["tenant"], unique=False)
    op.create_index(op.f("ix_suppliers_updated_at"), "suppliers", ["updated_at"], unique=False)

    op.create_table(
        "budgets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cost_centre_code", sa.String(length=20), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("period_code", sa.String(length=12), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "account_code"],
            ["accounts.tenant", "accounts.code"],
            name=op.f("fk_budgets_tenant_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "cost_centre_code"],
            ["cost_centres.tenant", "cost_centres.code"],
            name=op.f("fk_budgets_tenant_cost_centres"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint(
            "tenant",
            "cost_centre_code",
            "account_code",
            "period_key",
            name=op.f("uq_budgets_tenant_cost_centre_code_account_code_period_key"),
        ),
    )
    op.create_index(op.f("ix_budgets_tenant"), "budgets", ["tenant"], unique=False)
    op.create_index(op.f("ix_budgets_updated_at"), "budgets", ["updated_at"], unique=False)

    op.create_table(
        "commitments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("cost_centre_code", sa.String(length=20), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("commitment_date", sa.Date(), nullable=False),
        sa.Column("period_code", sa.String(length=12), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("released", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("source_reference", sa.String(length=100), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "account_code"],
            ["accounts.tenant", "accounts.code"],
            name=op.f("fk_commitments_tenant_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "cost_centre_code"],
            ["cost_centres.tenant", "cost_centres.code"],
            name=op.f("fk_commitments_tenant_cost_centres"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_commitments_tenant_number")),
    )
    op.create_index(op.f("ix_commitments_tenant"), "commitments", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_commitments_tenant_cost_centre"),
        "commitments",
        ["tenant", "cost_centre_code", "account_code", "period_key"],
        unique=False,
    )
    op.create_index(op.f("ix_commitments_updated_at"), "commitments", ["updated_at"], unique=False)

    op.create_table(
        "journal_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("journal_id", sa.Uuid(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("cost_centre_code", sa.String(length=20), nullable=True),
        sa.Column("programme", sa.String(length=20), nullable=True),
        sa.Column("project", sa.String(length=20), nullable=True),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["journal_id"],
            ["journals.id"],
            name=op.f("fk_journal_lines_journal_id_journals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "account_code"],
            ["accounts.tenant", "accounts.code"],
            name=op.f("fk_journal_lines_tenant_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "cost_centre_code"],
            ["cost_centres.tenant", "cost_centres.code"],
            name=op.f("fk_journal_lines_tenant_cost_centres"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_lines")),
    )
    op.create_index(
        op.f("ix_journal_lines_journal_id"), "journal_lines", ["journal_id"], unique=False
    )

    op.create_table(
        "payment_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("bank_account_id", sa.Uuid(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("due_by", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("journal_id", sa.Uuid(), nullable=True),
        sa.Column("posted_by", sa.String(length=255), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bacs_file", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_accounts.id"],
            name=op.f("fk_payment_runs_bank_account_id_bank_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journals.id"], name=op.f("fk_payment_runs_journal_id_journals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_runs")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_payment_runs_tenant_number")),
    )
    op.create_index(op.f("ix_payment_runs_tenant"), "payment_runs", ["tenant"], unique=False)
    op.create_index(
        op.f("ix_payment_runs_updated_at"), "payment_runs", ["updated_at"], unique=False
    )

    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("payment_run_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_name", sa.String(length=200), nullable=False),
        sa.Column("sort_code", sa.String(length=6), nullable=False),
        sa.Column("account_number", sa.String(length=8), nullable=False),
        sa.Column("account_name", sa.String(length=18), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=18), nullable=False),
        sa.Column("invoice_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_run_id"],
            ["payment_runs.id"],
            name=op.f("fk_payments_payment_run_id_payment_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_payments_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index(
        op.f("ix_payments_payment_run_id"), "payments", ["payment_run_id"], unique=False
    )

    op.create_table(
        "supplier_invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_invoice_number", sa.String(length=50), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("source_reference", sa.String(length=100), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("entered_by", sa.String(length=255), nullable=False),
        sa.Column("approved_by", sa.String(length=255), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("journal_id", sa.Uuid(), nullable=True),
        sa.Column("payment_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journals.id"], name=op.f("fk_supplier_invoices_journal_id_journals")
        ),
        sa.ForeignKeyConstraint(
            ["payment_run_id"],
            ["payment_runs.id"],
            name=op.f("fk_supplier_invoices_payment_run_id_payment_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_supplier_invoices_supplier_id_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_invoices")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_supplier_invoices_tenant_number")),
        sa.UniqueConstraint(
            "tenant",
            "supplier_id",
            "supplier_invoice_number",
            name=op.f("uq_supplier_invoices_tenant_supplier_id_supplier_invoice_number"),
        ),
    )
    op.create_index(
        op.f("ix_supplier_invoices_payment_run_id"),
        "supplier_invoices",
        ["payment_run_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_supplier_invoices_tenant"), "supplier_invoices", ["tenant"], unique=False
    )
    op.create_index(
        op.f("ix_supplier_invoices_tenant_status_due"),
        "supplier_invoices",
        ["tenant", "status", "due_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_supplier_invoices_updated_at"), "supplier_invoices", ["updated_at"], unique=False
    )

    op.create_table(
        "supplier_invoice_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(length=20), nullable=False),
        sa.Column("cost_centre_code", sa.String(length=20), nullable=True),
        sa.Column("programme", sa.String(length=20), nullable=True),
        sa.Column("project", sa.String(length=20), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("net_amount", sa.BigInteger(), nullable=False),
        sa.Column("vat_amount", sa.BigInteger(), nullable=False),
        sa.Column("commitment_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_supplier_invoice_lines_commitment_id_commitments"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["supplier_invoices.id"],
            name=op.f("fk_supplier_invoice_lines_invoice_id_supplier_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "account_code"],
            ["accounts.tenant", "accounts.code"],
            name=op.f("fk_supplier_invoice_lines_tenant_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "cost_centre_code"],
            ["cost_centres.tenant", "cost_centres.code"],
            name=op.f("fk_supplier_invoice_lines_tenant_cost_centres"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_invoice_lines")),
    )
    op.create_index(
        op.f("ix_supplier_invoice_lines_invoice_id"),
        "supplier_invoice_lines",
        ["invoice_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("supplier_invoice_lines")
    op.drop_table("supplier_invoices")
    op.drop_table("payments")
    op.drop_table("payment_runs")
    op.drop_table("journal_lines")
    op.drop_table("commitments")
    op.drop_table("budgets")
    op.drop_table("suppliers")
    op.drop_table("periods")
    op.drop_table("number_sequences")
    op.drop_table("ledger_account_balances")
    op.drop_table("ledger_balances")
    op.drop_table("journals")
    op.drop_table("financial_years")
    op.drop_table("cost_centres")
    op.drop_table("bank_accounts")
    op.drop_table("analysis_codes")
    op.drop_table("accounts")
    drop_kernel_tables(op.get_bind())
