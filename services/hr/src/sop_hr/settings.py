"""HR's settings: the kernel's service settings plus the leave policy and the calendar source."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sop_shared.settings import ServiceSettings


class HRSettings(ServiceSettings):
    """Read from `SOP_HR_*` (platform-wide values keep their `SOP_*` names)."""

    model_config = SettingsConfigDict(env_prefix="SOP_HR_", extra="ignore", populate_by_name=True)

    service: str = "hr"
    port: int = 8101
    # Annual leave in days for a full-time employee over a whole leave year; each tenant gets it
    # as the default entitlement of its `annual` leave type when provisioned.
    annual_leave_days: Decimal = Field(Decimal(25), gt=0, le=60)
    # The month a leave year starts in (1 = January, 4 = April).
    leave_year_start_month: int = Field(1, ge=1, le=12)
    import_max_rows: int = Field(5000, ge=1, le=100_000)
    # How long a replica trusts its copy of a cluster's binding override before reading it
    # again (reads only; writes always read it): the supplier switch waits this long after
    # flipping a binding before it lets writes resume.
    binding_cache_seconds: float = Field(2.0, ge=0, le=300)
