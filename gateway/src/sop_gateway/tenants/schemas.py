"""Request and response bodies of the tenant and cluster API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sop_gateway.identity.config import IssuerConfig
from sop_shared.provisioning import TENANT_SLUG

TenantStatus = Literal["provisioning", "active", "suspended"]


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(
        pattern=TENANT_SLUG.pattern,
        description="Lower-case letters, digits and hyphens, 3-63 characters, e.g. `home-office`.",
        examples=["dwp"],
    )
    name: str = Field(min_length=1, max_length=200, examples=["Department for Work and Pensions"])
    cluster: str = Field(min_length=1, max_length=63, examples=["matrix"])
    issuer: IssuerConfig | None = Field(
        None,
        description="The department's own OIDC issuer, if it brings one: every token it signs "
        "belongs to this tenant (and can never carry `platform:admin`).",
    )


class TenantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    issuer: IssuerConfig | None = Field(None, description="Send null to remove the issuer.")


class TenantOut(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    cluster: str
    status: TenantStatus
    issuer: IssuerConfig | None
    provisioned_services: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class BindingOut(BaseModel):
    """One service's binding for a cluster, as the service itself says it is using it where it
    can answer (`live`). Never a credential; the backend's URL without user info or query."""

    adapter: str
    base_url: str | None = None
    source: Literal["switch", "config"] = Field(
        "config",
        description="`switch`: the service's own binding, as a supplier switch left it; "
        "`config`: the platform config's.",
    )
    live: bool = Field(
        False,
        description="The service answered: the binding shown is the one it is using. False: "
        "it could not be asked (down, slow), so this is the platform config's binding, which "
        "it may not be using.",
    )


class ClusterOut(BaseModel):
    name: str
    description: str
    bindings: dict[str, BindingOut]


class ClusterList(BaseModel):
    items: list[ClusterOut]
