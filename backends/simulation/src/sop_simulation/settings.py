"""Settings every simulated vendor suite shares, refusing unsafe defaults in production."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url

from sop_simulation.faults import FaultConfig

__all__ = ["Environment", "SimulatorSettings"]

Environment = Literal["development", "test", "production"]


class SimulatorSettings(BaseSettings):
    """Settings every simulator shares; subclasses set the env prefix, port and defaults."""

    env: Environment = Field(default="development", validation_alias=AliasChoices("SOP_ENV", "env"))
    host: str = "127.0.0.1"
    port: int = 8200
    database_url: str = "sqlite+aiosqlite:///.sop/simulator.sqlite3"
    # A PostgreSQL schema of its own, so a simulator can share a server with the services.
    database_schema: str | None = None
    username: str = "sop.integration"
    password: str = "sop-dev-password"
    # Comma-separated list of accepted bearer tokens.
    bearer_tokens: str = "sop-dev-token"
    fault_latency_ms: int = Field(default=0, ge=0)
    fault_error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    fault_outage: bool = False

    @property
    def sim_enabled(self) -> bool:
        """Whether the `/_sim` admin endpoints are served (never in production)."""
        return self.env != "production"

    @property
    def accepted_tokens(self) -> list[str]:
        return [t.strip() for t in self.bearer_tokens.split(",") if t.strip()]

    def initial_faults(self) -> FaultConfig:
        return FaultConfig(
            latency_ms=self.fault_latency_ms,
            error_rate=self.fault_error_rate,
            outage=self.fault_outage,
        )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> SimulatorSettings:
        if self.env != "production":
            return self
        fields = type(self).model_fields
        problems = []
        if make_url(self.database_url).get_backend_name() == "sqlite":
            problems.append("database_url must not be SQLite in production")
        if self.password == fields["password"].default:
            problems.append("password must not be the development default in production")
        defaults = {t.strip() for t in str(fields["bearer_tokens"].default).split(",")}
        if defaults & set(self.accepted_tokens):
            problems.append("bearer_tokens must not include the development default")
        if problems:
            raise ValueError("; ".join(problems))
        return self
