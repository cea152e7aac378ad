"""The token endpoint, `POST /platform/v1/oauth/token` (form-encoded, RFC 6749 3.2), and the
exchange issuer's metadata (RFC 8414) at `/.well-known/oauth-authorization-server/<issuer
path>`. Not in the OpenAPI document: services reach it through the kernel's PlatformClient."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from sop_gateway.exchange.service import TOKEN_PATH, TokenExchange
from sop_gateway.oauth import NO_STORE, OAuthError, oauth_error_response

FORM = "application/x-www-form-urlencoded"


def exchange_router(exchange: TokenExchange, *, jwks_uri: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post(TOKEN_PATH)
    async def token(request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != FORM:
            return oauth_error_response(
                OAuthError("invalid_request", f"the request body must be {FORM}")
            )
        form = await request.form()
        params = {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in form}
        basic = request.headers.get("authorization", "")[:6].lower() == "basic "
        try:
            body = await exchange.token(params, basic_auth=basic)
        except OAuthError as exc:
            return oauth_error_response(exc)
        return JSONResponse(body, headers=NO_STORE)

    metadata_path = "/.well-known/oauth-authorization-server" + urlsplit(
        exchange.issuer
    ).path.rstrip("/")

    @router.get(metadata_path)
    async def metadata() -> JSONResponse:
        return JSONResponse(
            exchange.metadata(jwks_uri), headers={"Cache-Control": "public, max-age=300"}
        )

    return router
