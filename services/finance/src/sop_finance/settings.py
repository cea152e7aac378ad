"""Finance service settings (`SOP_FINANCE_*`), validated at start-up."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sop_shared.settings import ServiceSettings


class FinanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="SOP_FINANCE_", extra="ignore", populate_by_name=True
    )

    service: str = "finance"
    port: int = 8102
    # Manual journals whose total debits exceed this need approval by a second person.
    approval_threshold: Decimal = Field(Decimal("10000.00"), ge=0, decimal_places=2)
