"""Payroll's settings: the kernel's service settings under the `SOP_PAYROLL_` prefix."""

from __future__ import annotations

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
