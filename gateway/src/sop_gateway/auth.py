"""The platform API's caller: a verified external token holding `platform:admin`."""

from typing import Annotated

from fastapi import Depends, Request, Security

from sop_gateway.tenants.provisioning import Actor
from sop_shared.context import Principal, principal_var
from sop_shared.security import bearer_scheme


async def _platform_admin(
    request: Request, authorization: Annotated[str | None, Depends(bearer_scheme)]
) -> Actor:
    gate = request.app.state.gateway.gate
    identity = await gate.identify(request.headers.get("authorization"))
    gate.require(identity, ("platform:admin",))
    principal_var.set(
        Principal(
            subject=identity.subject,
            client_id=identity.client_id,
            tenant=identity.tenant,
            cluster=None,
            scopes=identity.scopes,
        )
    )
    return Actor(subject=identity.subject, client_id=identity.client_id)


PlatformAdmin = Annotated[Actor, Security(_platform_admin, scopes=["platform:admin"])]
