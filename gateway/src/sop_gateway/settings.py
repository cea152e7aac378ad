"""The gateway's settings (env prefix `SOP_GATEWAY_`, platform-wide values under fixed `SOP_*`
names), with the production guard that refuses unsafe defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sop_shared.settings import Environment, data_dir

MIN_METRICS_TOKEN = 16


def _platform(name: str) -> AliasChoices:
    """A platform-wide setting: read from `SOP_<NAME>` (and from its field name in code)."""
    return AliasChoices(f"SOP_{name.upper()}", name)


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SOP_GATEWAY_", extra="ignore", populate_by_name=True
    )

    env: Environment = Field("development", validation_alias=_platform("env"))
    host: str = "127.0.0.1"
    port: int = 8000
    # The URL clients use to reach the gateway: the dev IdP's issuer and the docs derive from it.
    public_url: str = ""
    database_url: str = ""
    platform_config: str = Field(
        "deploy/platform.yaml", validation_alias=_platform("platform_config")
    )
    redis_url: str | None = Field(None, validation_alias=_platform("redis_url"))
    log_level: str = Field("INFO", validation_alias=_platform("log_level"))
    log_json: bool = Field(True, validation_alias=_platform("log_json"))

    # Services to route and provision, by name in the platform config (all of them when unset);
    # `sop run` narrows it to the processes it actually started.
    services: list[str] | None = None

    # Identity
    audience: str = "sop-api"
    dev_idp: bool | None = None  # default: on in development only
    dev_token_lifetime: int = 3600
    jwks_refetch_interval: float = 30.0
    token_cache_size: int = 20_000

    # Internal tokens (gateway to service)
    internal_issuer: str = Field("sop-gateway", validation_alias=_platform("internal_issuer"))
    internal_key_file: str | None = None
    internal_jwks_file: str | None = Field(None, validation_alias=_platform("internal_jwks_file"))
    internal_token_lifetime: int = 300
    # Token exchange for service-to-service calls (ADR 0108): the issuer of the tokens it
    # issues (default `<public URL>/platform/v1/oauth`) and their lifetime (at most 5 minutes).
    exchange_issuer: str = ""
    exchange_token_lifetime: int = 300
    # Where generated keys live outside production (default `<SOP_DATA_DIR>/keys`).
    key_dir: str = ""

    # Limits and upstreams
    rate_limit_per_second: float = 100.0
    rate_limit_burst: int = 200
    max_body_bytes: int = 10 * 1024 * 1024
    # A request with more headers, or more header bytes (names and values), is refused 431.
    max_header_count: int = 100
    max_header_bytes: int = 32 * 1024
    # The bearer Prometheus presents for `/metrics` (`SOP_GATEWAY_METRICS_TOKEN`); unset, the
    # gateway serves its metrics to loopback clients only. Required in production (at least
    # 16 characters): behind a reverse proxy on the same host every client looks like loopback.
    metrics_token: str | None = None
    # Slow and idle clients (`sop_gateway.server.GatewayHttpProtocol`, which the gateway is
    # served with): the request line and headers must arrive within `header_timeout_seconds` of
    # the connection opening or of the next request's first byte (408, or a plain close when
    # nothing was sent); a request body may pause at most `body_timeout_seconds` and, once that
    # long has passed, must average `min_body_bytes_per_second` (408); a kept-alive connection
    # idle for `keep_alive_timeout_seconds` is closed.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 15.0
    min_body_bytes_per_second: float = 1024.0
    keep_alive_timeout_seconds: float = 5.0
    upstream_timeout_seconds: float = 30.0
    upstream_connect_timeout_seconds: float = 3.0
    upstream_pool_size: int = 256
    provisioning_timeout_seconds: float = 15.0
    # How long the cluster view waits for a service's own binding before showing the platform
    # config's (`live: false`).
    cluster_view_timeout_seconds: float = 3.0
    tenant_cache_ttl_seconds: float = 5.0
    openapi_cache_seconds: float = 60.0

    # Webhooks (docs/webhooks.md). The dispatcher consumes events when NATS is configured.
    nats_url: str | None = Field(None, validation_alias=_platform("nats_url"))
    webhooks_enabled: bool = True
    webhook_timeout_seconds: float = 10.0
    # Seconds before each retry after a failed attempt; the last failure is final.
    webhook_retry_schedule: list[float] = [5, 300, 1800, 7200, 18000, 36000, 36000]
    webhook_secret_overlap_seconds: float = 24 * 3600
    # A subscription is disabled after this many consecutive failed attempts, or when every
    # attempt has failed for this long.
    webhook_disable_after_failures: int = 100
    webhook_disable_after_seconds: float = 24 * 3600
    webhook_concurrency: int = 64
    webhook_concurrency_per_subscription: int = 4
    webhook_poll_seconds: float = 1.0
    # Delivered and failed deliveries are forgotten after this many days.
    webhook_retention_days: float = 30
    webhook_max_subscriptions_per_tenant: int = 50

    @property
    def dev_idp_enabled(self) -> bool:
        return self.env == "development" if self.dev_idp is None else self.dev_idp

    @property
    def keys_dir(self) -> Path:
        return Path(self.key_dir)

    @property
    def dev_issuer(self) -> str:
        return self.public_url.rstrip("/") + "/idp"

    @model_validator(mode="after")
    def _defaults_and_production_guard(self) -> GatewaySettings:
        if not self.key_dir:
            self.key_dir = str(data_dir() / "keys")
        if not self.public_url:
            self.public_url = f"http://{self.host}:{self.port}"
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{data_dir() / 'gateway.db'}"
        if not self.internal_jwks_file:
            self.internal_jwks_file = str(self.keys_dir / "internal-jwks.json")
        if not 0 < self.internal_token_lifetime <= 300:
            raise ValueError("internal_token_lifetime must be 1..300 seconds")
        if not self.exchange_issuer:
            self.exchange_issuer = self.public_url.rstrip("/") + "/platform/v1/oauth"
        if not 0 < self.exchange_token_lifetime <= 300:
            raise ValueError("exchange_token_lifetime must be 1..300 seconds")
        if self.env == "production":
            problems = []
            if self.dev_idp_enabled:
                problems.append("the development identity provider must be off")
            if self.database_url.startswith("sqlite"):
                problems.append("database_url must be PostgreSQL, not SQLite")
            if not self.internal_key_file:
                problems.append(
                    "internal_key_file must name the provisioned signing key (keys are never "
                    "generated in production)"
                )
            elif not Path(self.internal_key_file).is_file():
                problems.append(f"internal_key_file {self.internal_key_file} does not exist")
            if not self.public_url.startswith("https://"):
                problems.append("public_url must be https")
            if not self.metrics_token or len(self.metrics_token) < MIN_METRICS_TOKEN:
                problems.append(
                    f"SOP_GATEWAY_METRICS_TOKEN must be set (at least {MIN_METRICS_TOKEN} "
                    "characters): a reverse proxy on the same host makes every client look "
                    "like loopback"
                )
            if problems:
                raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def signing_key_file(self) -> Path:
        return Path(self.internal_key_file or self.keys_dir / "internal-signing-key.json")
