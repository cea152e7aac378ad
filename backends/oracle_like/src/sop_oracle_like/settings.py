"""Settings of the Oracle-like simulator, read from `SOP_ORACLE_LIKE_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sop_simulation import SimulatorSettings

DEFAULT_ABSENCE_TYPES = (
    "Annual Leave",
    "Sickness",
    "Maternity Leave",
    "Paternity Leave",
    "Adoption Leave",
    "Shared Parental Leave",
    "Unpaid Leave",
    "Compassionate Leave",
    "Jury Service",
    "Special Leave",
)


class OracleLikeSettings(SimulatorSettings):
    """Everything the Oracle-like process reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="SOP_ORACLE_LIKE_", extra="ignore")

    port: int = 8201
    database_url: str = "sqlite+aiosqlite:///.sop/oracle_like.sqlite3"
    username: str = "hcm.integration"
    password: str = "sop-dev-password"
    bearer_tokens: str = "sop-dev-oracle-token"
    default_limit: int = Field(default=25, ge=1)
    max_limit: int = Field(default=500, ge=1)
    # Oracle picks framework version 1 (the `;` query syntax) when the client names none.
    default_framework_version: int = Field(default=1, ge=1, le=9)
    legal_employer_name: str = "SOP Legal Employer"
    business_unit_name: str = "SOP Business Unit"
    legislative_data_group: str = "GB Legislative Data Group"
    # Comma-separated absence types the tenant has configured.
    absence_types: str = ",".join(DEFAULT_ABSENCE_TYPES)

    @property
    def absence_type_list(self) -> list[str]:
        return [t.strip() for t in self.absence_types.split(",") if t.strip()]
