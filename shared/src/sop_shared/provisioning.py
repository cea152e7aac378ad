"""Tenant provisioning: the gateway calls `PUT /_internal/tenants/{tenant}` on every service when
a department onboards; each service creates its reference data. Idempotent, so safe to retry."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations,
# which name variables local to the router factory.

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sop_shared.context import Principal
from sop_shared.db import SessionDep, utcnow
from sop_shared.errors import problem_responses
from sop_shared.kernel_tables import provisioned_tenants as t
from sop_shared.security import platform_scopes
from sop_shared.timeutil import as_utc

TENANT_SLUG = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")

Provisioner = Callable[[AsyncSession, str, str], Awaitable[None]]


class ProvisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster: str


class ProvisionResult(BaseModel):
    tenant: str
    cluster: str
    provisioned_at: datetime


def provisioning_router(provision: Provisioner | None) -> APIRouter:
    router = APIRouter(prefix="/_internal", tags=["internal"], include_in_schema=False)

    @router.put(
        "/tenants/{tenant}",
        response_model=ProvisionResult,
        responses=problem_responses(401, 403, 422),
    )
    async def provision_tenant(
        tenant: Annotated[str, Path(pattern=TENANT_SLUG.pattern)],
        body: ProvisionRequest,
        session: SessionDep,
        _principal: Annotated[Principal, platform_scopes("platform:admin")],
    ) -> ProvisionResult:
        row = (await session.execute(select(t).where(t.c.tenant == tenant))).first()
        if row is None:
            now = utcnow()
            await session.execute(
                t.insert().values(tenant=tenant, cluster=body.cluster, provisioned_at=now)
            )
        else:
            now = as_utc(row.provisioned_at)
            if row.cluster != body.cluster:
                await session.execute(
                    t.update().where(t.c.tenant == tenant).values(cluster=body.cluster)
                )
        if provision is not None:
            await provision(session, tenant, body.cluster)  # idempotent by contract
        return ProvisionResult(tenant=tenant, cluster=body.cluster, provisioned_at=now)

    return router
