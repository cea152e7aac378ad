"""The development identity provider's endpoints under /idp: discovery, JWKS, token, and a
plain login page for the authorization-code flow (browser apps, the docs page)."""

import base64
import binascii
import html
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from sop_gateway.devidp import repository
from sop_gateway.devidp.service import AuthorizationRequest, DevIdentityProvider, with_query
from sop_gateway.oauth import NO_STORE, OAuthError, oauth_error_response


def _oauth_error(exc: OAuthError) -> JSONResponse:
    return oauth_error_response(exc, basic_realm="sop-dev-idp")


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """client_secret_basic (RFC 6749 2.3.1: form-encoded id and secret) or client_secret_post."""
    auth = request.headers.get("authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:].strip(), validate=True).decode()
            client_id, _, secret = decoded.partition(":")
            return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "malformed Basic credentials", 401) from None
    return form.get("client_id"), form.get("client_secret")


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SOP development sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;
color:#0b0c0c}}
label{{display:block;margin-top:1rem;font-weight:600}}
input[type=text],input[type=password]{{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}}
button{{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;background:#00703c;color:#fff;
border:0}}
.error{{border-left:5px solid #d4351c;padding:.5rem 1rem;color:#d4351c}}
.note{{background:#f3f2f1;padding:.75rem 1rem;font-size:.9rem}}
</style></head><body>
<h1>Sign in to SOP</h1>
<p class="note">Development identity provider: never enabled in production.
Demo users have the password <code>demo</code>.</p>
{error}
<p>Signing in to <strong>{client}</strong>.</p>
<form method="post" action="{action}">
{hidden}
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" list="demo-users"
 value="{username}" required>
<datalist id="demo-users">{users}</datalist>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></body></html>"""


def dev_idp_router(provider: DevIdentityProvider) -> APIRouter:
    router = APIRouter(prefix="/idp", include_in_schema=False)

    @router.get("/.well-known/openid-configuration")
    async def discovery() -> JSONResponse:
        return JSONResponse(provider.discovery())

    @router.get("/jwks")
    async def jwks() -> JSONResponse:
        return JSONResponse(provider.jwks(), headers={"Cache-Control": "public, max-age=300"})

    @router.post("/token")
    async def token(request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            client_id, secret = _client_credentials(request, form)
            grant_type = form.get("grant_type")
            if grant_type == "client_credentials":
                body = await provider.client_credentials(client_id, secret, form.get("scope"))
            elif grant_type == "authorization_code":
                body = await provider.authorization_code(
                    client_id,
                    secret,
                    form.get("code"),
                    form.get("redirect_uri"),
                    form.get("code_verifier"),
                )
            elif grant_type == "refresh_token":
                body = await provider.refresh(
                    client_id, secret, form.get("refresh_token"), form.get("scope")
                )
            else:
                raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r}")
        except OAuthError as exc:
            return _oauth_error(exc)
        return JSONResponse(body, headers=NO_STORE)

    async def page(auth: AuthorizationRequest, *, error: str = "", username: str = "") -> Response:
        async with provider.database.transaction() as session:
            users = await repository.users(session)
            client = await repository.client(session, auth.client_id)
        hidden = "\n".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in auth.as_form().items()
        )
        options = "".join(f'<option value="{html.escape(u.username)}">' for u in users)
        body = PAGE.format(
            error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "",
            client=html.escape(client.name if client else auth.client_id),
            action="/idp/authorize",
            hidden=hidden,
            username=html.escape(username),
            users=options,
        )
        return HTMLResponse(
            body,
            status_code=401 if error else 200,
            headers={**NO_STORE, "X-Frame-Options": "DENY"},
        )

    async def validated(params: dict[str, Any]) -> AuthorizationRequest | Response:
        try:
            return await provider.authorization_request(params)
        except OAuthError as exc:
            if exc.status != 302:  # bad client or redirect: never redirect anywhere
                return HTMLResponse(
                    f"<!doctype html><title>Sign-in error</title><h1>Sign-in error</h1>"
                    f"<p>{html.escape(exc.description)}</p>",
                    status_code=400,
                )
            return RedirectResponse(
                with_query(
                    params["redirect_uri"],
                    {
                        "error": exc.error,
                        "error_description": exc.description,
                        "state": params.get("state"),
                    },
                ),
                status_code=302,
            )

    @router.get("/authorize")
    async def authorize(request: Request) -> Response:
        auth = await validated(dict(request.query_params))
        if isinstance(auth, Response):
            return auth
        return await page(auth)

    @router.post("/authorize")
    async def sign_in(request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        auth = await validated(form)
        if isinstance(auth, Response):
            return auth
        username = form.get("username", "")
        try:
            target = await provider.login(auth, username, form.get("password", ""))
        except OAuthError as exc:
            if exc.error == "access_denied":
                return await page(auth, error=exc.description, username=username)
            return RedirectResponse(
                with_query(
                    auth.redirect_uri,
                    {"error": exc.error, "error_description": exc.description, "state": auth.state},
                ),
                status_code=302,
            )
        return RedirectResponse(target, status_code=302)

    return router
