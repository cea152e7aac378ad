"""Procurement service settings (`SOP_PROCUREMENT_*`), validated at start-up."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sop_shared.settings import ServiceSettings


class ProcurementSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="SOP_PROCUREMENT_", extra="ignore", populate_by_name=True
    )

    service: str = "procurement"
    port: int = 8103
    # How long each call to finance (budget availability, commitments) may take, in seconds.
    finance_deadline: float = Field(10.0, gt=0, le=60)
