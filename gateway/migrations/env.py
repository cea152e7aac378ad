"""Alembic environment for the gateway database (SQLite or PostgreSQL, async drivers)."""

from sop_gateway.tables import metadata
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.migrations import run_env

run_env([metadata, kernel_metadata])
