"""How an issuer is trusted: its exact `iss`, audience, algorithms and the claim mapping that
turns its tokens into a subject, client and SOP scopes (the `identity:` section of the
platform config for shared issuers; the tenant registry for a department's own issuer)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sop_shared.platform_config import PlatformConfig

# Asymmetric only: `none` and every HMAC algorithm are absent, so a token "signed" with a
# provider's public key as an HMAC secret can never verify.
ALLOWED_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
SOP_SCOPE = re.compile(r"^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$")
ALL_SCOPES = (
    "hr:read",
    "hr:write",
    "hr:sensitive",
    "finance:read",
    "finance:write",
    "finance:approve",
    "procurement:read",
    "procurement:write",
    "procurement:approve",
    "payroll:read",
    "payroll:run",
    "payroll:approve",
    "payroll:self",
    "webhooks:manage",
    "platform:admin",
)
TENANT_SCOPES = tuple(s for s in ALL_SCOPES if not s.startswith("platform:"))


class ClaimMapping(BaseModel):
    """Where an issuer puts what SOP needs. Scope claims may hold a space-separated string
    (`scope`, `scp`) or a list (`roles`); `scope_map` translates provider values (an Entra app
    role `HR.Read`) to SOP scopes; values already shaped `area:verb` pass unchanged."""

    model_config = ConfigDict(extra="forbid")

    scopes: list[str] = Field(default_factory=lambda: ["scope", "scp"], min_length=1)
    scope_map: dict[str, str | list[str]] = Field(default_factory=dict)
    subject: str = "sub"
    client_id: list[str] = Field(default_factory=lambda: ["client_id", "azp", "appid"])
    tenant: str = "sop_tenant"

    def scopes_of(self, claims: dict[str, Any]) -> set[str]:
        found: set[str] = set()
        for name in self.scopes:
            value = claims.get(name)
            if isinstance(value, str):
                values: list[Any] = value.split()
            elif isinstance(value, list):
                values = value
            else:
                continue
            for raw in values:
                if not isinstance(raw, str):
                    continue
                mapped = self.scope_map.get(raw)
                if mapped is not None:
                    found.update([mapped] if isinstance(mapped, str) else mapped)
                elif SOP_SCOPE.match(raw):
                    found.add(raw)
        return {s for s in found if SOP_SCOPE.match(s)}

    def client_id_of(self, claims: dict[str, Any]) -> str:
        for name in self.client_id:
            value = claims.get(name)
            if isinstance(value, str) and value:
                return value
        return ""


class IssuerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(min_length=1, max_length=500)
    audience: str | None = Field(None, max_length=500)
    claims: ClaimMapping = Field(default_factory=ClaimMapping)
    algorithms: list[str] = Field(default_factory=lambda: list(ALLOWED_ALGORITHMS))
    # Skip discovery and read keys here (a provider without a discovery document).
    jwks_uri: str | None = Field(None, max_length=2000)

    @field_validator("issuer", "jwks_uri")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an absolute http(s) URL")
        return value

    @field_validator("algorithms")
    @classmethod
    def _only_allowed(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if a not in ALLOWED_ALGORITHMS]
        if bad or not value:
            raise ValueError(f"algorithms must be among {', '.join(ALLOWED_ALGORITHMS)}")
        return value


class IdentityConfig(BaseModel):
    """The `identity:` section of the platform config."""

    model_config = ConfigDict(extra="forbid")

    audience: str | None = None
    issuers: list[IssuerConfig] = Field(default_factory=list)


def identity_config(platform: PlatformConfig) -> IdentityConfig:
    raw = (platform.model_extra or {}).get("identity") or {}
    # An issuer left empty by an unset `${VAR}` is simply not configured.
    issuers = [i for i in raw.get("issuers") or [] if isinstance(i, dict) and i.get("issuer")]
    return IdentityConfig.model_validate({**raw, "issuers": issuers})
