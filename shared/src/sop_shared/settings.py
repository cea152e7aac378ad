"""Settings shared by every SOP process: one pydantic-settings class per process, env-prefixed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]


def data_dir() -> Path:
    """Where embedded state lives in development (`.sop/` under the working directory)."""
    import os

    return Path(os.environ.get("SOP_DATA_DIR", ".sop"))


class ServiceSettings(BaseSettings):
    """Base for a service's settings. Subclasses set `env_prefix` (e.g. `SOP_HR_`) and defaults
    for `service`, `port` and `database_url`; platform-wide values use fixed `SOP_*` names."""

    model_config = SettingsConfigDict(env_prefix="SOP_", extra="ignore", populate_by_name=True)

    service: str = "service"
    env: Environment = Field("development", validation_alias=AliasChoices("SOP_ENV", "env"))
    host: str = "127.0.0.1"
    port: int = 8100
    database_url: str = ""
    database_pool_size: int = 10
    database_echo: bool = False

    internal_issuer: str = Field(
        "sop-gateway", validation_alias=AliasChoices("SOP_INTERNAL_ISSUER", "internal_issuer")
    )
    internal_jwks_url: str | None = Field(
        None, validation_alias=AliasChoices("SOP_INTERNAL_JWKS_URL", "internal_jwks_url")
    )
    internal_jwks_file: str | None = Field(
        None, validation_alias=AliasChoices("SOP_INTERNAL_JWKS_FILE", "internal_jwks_file")
    )
    platform_config: str = Field(
        "deploy/platform.yaml",
        validation_alias=AliasChoices("SOP_PLATFORM_CONFIG", "platform_config"),
    )
    # A GOV.UK-format bank holiday file (https://www.gov.uk/bank-holidays.json) to use instead of
    # the copy shipped with the kernel, so a new year's dates need no release.
    bank_holidays_file: str | None = Field(
        None, validation_alias=AliasChoices("SOP_BANK_HOLIDAYS_FILE", "bank_holidays_file")
    )
    # This service's identity at the gateway for calls to other services (token exchange, ADR
    # 0108): its private key (`SOP_<AREA>_CLIENT_KEY_FILE`: a private JWK, or a JWKS whose
    # first key signs), generated under `<SOP_DATA_DIR>/keys` on first use outside production,
    # and the gateway it calls through (`SOP_GATEWAY_URL`).
    client_key_file: str | None = None
    gateway_url: str = Field(
        "http://127.0.0.1:8000", validation_alias=AliasChoices("SOP_GATEWAY_URL", "gateway_url")
    )
    log_level: str = Field("INFO", validation_alias=AliasChoices("SOP_LOG_LEVEL", "log_level"))
    log_json: bool = Field(True, validation_alias=AliasChoices("SOP_LOG_JSON", "log_json"))
    max_body_bytes: int = 10 * 1024 * 1024

    @property
    def audience(self) -> str:
        """The `aud` this service accepts on internal tokens."""
        return f"sop-{self.service}"

    @property
    def client_id(self) -> str:
        """The client id this service authenticates to the gateway with."""
        return f"sop-{self.service}"

    @model_validator(mode="after")
    def _defaults_and_production_guard(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{data_dir() / (self.service + '.db')}"
        if not self.internal_jwks_url and not self.internal_jwks_file:
            self.internal_jwks_file = str(data_dir() / "keys" / "internal-jwks.json")
        if not self.client_key_file and self.env != "production":
            self.client_key_file = str(data_dir() / "keys" / f"{self.service}-client-key.json")
        if self.env == "production":
            problems = []
            if self.database_url.startswith("sqlite"):
                problems.append("database_url must be PostgreSQL in production, not SQLite")
            if not self.internal_jwks_url:
                problems.append("internal_jwks_url (the gateway's published keys) is required")
            prefix = str(self.model_config.get("env_prefix") or "SOP_")
            if not self.client_key_file:
                problems.append(
                    f"{prefix}CLIENT_KEY_FILE must name this service's provisioned private key "
                    "(its identity at the gateway; keys are never generated in production)"
                )
            elif not Path(self.client_key_file).is_file():
                problems.append(f"client_key_file {self.client_key_file} does not exist")
            if problems:
                raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self
