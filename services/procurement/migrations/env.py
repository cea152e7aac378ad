"""Alembic environment for the procurement service (SQLite and PostgreSQL)."""

from sop_procurement.adapters.native.tables import ProcurementBase
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.migrations import run_env

run_env([ProcurementBase.metadata, kernel_metadata])
