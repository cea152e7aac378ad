"""Alembic environment for HR: HR's tables and the kernel's, on SQLite or PostgreSQL."""

from sop_hr.adapters import crossref  # noqa: F401  (registers the cross-reference table)
from sop_hr.adapters.native import models  # noqa: F401  (registers the native tables)
from sop_hr.db import Base
from sop_hr.switch import bindings  # noqa: F401  (registers the binding overrides)
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.migrations import run_env

run_env([Base.metadata, kernel_metadata])
