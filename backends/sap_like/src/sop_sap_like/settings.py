"""Settings of the SAP-like simulator, read from `SOP_SAP_LIKE_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sop_simulation import SimulatorSettings

DEFAULT_TIME_TYPES = (
    "ANNUAL_LEAVE:Annual Leave",
    "SICKNESS:Sickness",
    "MATERNITY:Maternity Leave",
    "PATERNITY:Paternity Leave",
    "ADOPTION:Adoption Leave",
    "SHARED_PARENTAL:Shared Parental Leave",
    "UNPAID:Unpaid Leave",
    "COMPASSIONATE:Compassionate Leave",
    "JURY_SERVICE:Jury Service",
    "SPECIAL:Special Leave",
)


class SapLikeSettings(SimulatorSettings):
    """Everything the SAP-like process reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="SOP_SAP_LIKE_", extra="ignore")

    port: int = 8202
    database_url: str = "sqlite+aiosqlite:///.sop/sap_like.sqlite3"
    username: str = "sfapi"
    password: str = "sop-dev-password"
    bearer_tokens: str = "sop-dev-sap-token"
    company_id: str = "SOPDEV"
    # SuccessFactors serves at most 1000 entities a page and links the rest with __next.
    page_size: int = Field(default=1000, ge=1, le=1000)
    # Comma-separated `CODE:Name` pairs: the time types configured for absences.
    time_types: str = ",".join(DEFAULT_TIME_TYPES)

    @property
    def time_type_map(self) -> dict[str, str]:
        pairs = {}
        for item in self.time_types.split(","):
            code, _, name = item.strip().partition(":")
            if code:
                pairs[code.strip()] = name.strip() or code.strip()
        return pairs
