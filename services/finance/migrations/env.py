"""Alembic environment for the finance service (SQLite and PostgreSQL)."""

from sop_finance.adapters.native.tables import FinanceBase
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.migrations import run_env

run_env([FinanceBase.metadata, kernel_metadata])
