"""Alembic environment for payroll: the kernel's tables (payroll's own come with pay runs),
on SQLite or PostgreSQL."""

from sop_shared.kernel_tables import kernel_metadata
from sop_shared.migrations import run_env

run_env([kernel_metadata])
