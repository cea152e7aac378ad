"""Payroll's settings: the kernel's service settings under the `SOP_PAYROLL_` prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sop_shared.settings import ServiceSettings


class PayrollSettings(ServiceSettings):
    """Read from `SOP_PAYROLL_*` (platform-wide values keep their `SOP_*` names)."""

    model_config = SettingsConfigDict(
        env_prefix="SOP_PAYROLL_", extra="ignore", populate_by_name=True
    )

    service: str = "payroll"
    port: int = 8104
    # The Government Gateway user id FPS documents are made out for (HMRC issues it).
    fps_sender_id: str = "SOPPAYROLL01"
    # Employees per HR page, and so per chunk of a pay run's calculation on the work queue.
    pay_run_page_size: int = Field(500, ge=1, le=500)
    # How long a worker may hold a chunk without saying it is still at it before the work queue
    # hands it to another worker (a worker that died mid-chunk costs at most this).
    work_ack_wait_seconds: float = Field(60.0, gt=0, le=3600)
