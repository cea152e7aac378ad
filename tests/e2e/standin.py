"""A stand-in service for the end-to-end tests, built on the kernel like every SOP service: it
takes provisioning, echoes what reached it (principal, propagated headers, the internal
token's claims, a digest of the body) and has a deliberately slow route. The tests stop and
start it to show what the gateway does when a service is down."""

import asyncio
import base64
import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, FastAPI, Request
from pydantic_settings import SettingsConfigDict

from sop_shared.app import create_service_app
from sop_shared.context import Principal
from sop_shared.kernel_tables import kernel_metadata
from sop_shared.security import scopes
from sop_shared.settings import ServiceSettings


class StandinSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SOP_STANDIN_", extra="ignore")

    service: str = "procurement"


router = APIRouter(prefix="/procurement/v1")


def _claims(request: Request) -> dict:
    token = request.headers.get("authorization", "")[7:]
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _echo(request: Request, who: Principal, body: bytes) -> dict:
    return {
        "subject": who.subject,
        "client_id": who.client_id,
        "tenant": who.tenant,
        "cluster": who.cluster,
        "scopes": sorted(who.scopes),
        "token": _claims(request),
        "headers": {
            name: request.headers.get(name)
            for name in ("x-request-id", "traceparent", "x-forwarded-for", "cookie", "x-custom")
        },
        "query": str(request.url.query),
        "body_length": len(body),
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }


@router.get("/echo")
async def echo_get(request: Request, who: Annotated[Principal, scopes("procurement:read")]) -> dict:
    return _echo(request, who, b"")


@router.post("/echo")
async def echo_post(
    request: Request, who: Annotated[Principal, scopes("procurement:write")]
) -> dict:
    return _echo(request, who, await request.body())


@router.post("/approvals")
async def approve(
    request: Request, who: Annotated[Principal, scopes("procurement:approve")]
) -> dict:
    return _echo(request, who, await request.body())


@router.get("/slow")
async def slow(seconds: float, _who: Annotated[Principal, scopes("procurement:read")]) -> dict:
    await asyncio.sleep(seconds)
    return {"slept": seconds}


def create_app() -> FastAPI:
    settings = StandinSettings()

    async def tables(app: FastAPI) -> None:
        async with app.state.kernel.database.engine.begin() as conn:
            await conn.run_sync(kernel_metadata.create_all)

    return create_service_app(
        settings=settings,
        title="Stand-in procurement",
        description="End-to-end test double.",
        routers=[router],
        on_startup=[tables],
    )
