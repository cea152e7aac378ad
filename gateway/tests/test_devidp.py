"""The development identity provider: discovery, client credentials, the authorization-code
flow with PKCE for demo users, refresh-token rotation, and its tokens accepted by the gateway."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

from sop_gateway.seed import seed


@pytest.fixture
async def idp(gateway):
    await seed(gateway.gateway.database, gateway.gateway.settings, gateway.gateway.platform)
    return gateway


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(40)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


REDIRECT = "http://127.0.0.1:5173/callback"


def authorize_params(challenge: str, **extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": "sop-web",
        "redirect_uri": REDIRECT,
        "scope": "openid hr:read",
        "state": "xyz",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


async def test_discovery_and_keys(idp):
    doc = (await idp.client.get("/idp/.well-known/openid-configuration")).json()
    assert doc["issuer"] == "http://gateway.test/idp"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    jwks = (await idp.client.get("/idp/jwks")).json()
    assert [k["alg"] for k in jwks["keys"]] == ["RS256"]
    assert "d" not in jwks["keys"][0]


async def test_client_credentials_give_a_token_the_gateway_accepts(idp):
    r = await idp.client.post(
        "/idp/token",
        data={"grant_type": "client_credentials", "scope": "hr:read finance:read"},
        auth=("cabinet-office-integrator", "dev-secret"),
    )
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert (body["token_type"], body["scope"]) == ("Bearer", "finance:read hr:read")
    identity = await idp.gateway.verifier.verify(body["access_token"])
    assert (identity.tenant, identity.client_id) == ("cabinet-office", "cabinet-office-integrator")
    assert identity.scopes == {"hr:read", "finance:read"}

    posted = await idp.client.post(
        "/idp/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "sop-admin",
            "client_secret": "dev-secret",
        },
    )
    admin = await idp.gateway.verifier.verify(posted.json()["access_token"])
    assert (admin.tenant, admin.scopes) == (None, {"platform:admin"})


@pytest.mark.parametrize(
    ("data", "auth", "status", "error"),
    [
        (
            {"grant_type": "client_credentials"},
            ("cabinet-office-integrator", "wrong"),
            401,
            "invalid_client",
        ),
        ({"grant_type": "client_credentials"}, ("nobody", "dev-secret"), 401, "invalid_client"),
        (
            {"grant_type": "client_credentials", "scope": "platform:admin"},
            ("cabinet-office-integrator", "dev-secret"),
            400,
            "invalid_scope",
        ),
        (
            {"grant_type": "client_credentials", "scope": "hr:fly"},
            ("cabinet-office-integrator", "dev-secret"),
            400,
            "invalid_scope",
        ),
        (
            {"grant_type": "password"},
            ("cabinet-office-integrator", "dev-secret"),
            400,
            "unsupported_grant_type",
        ),
        (
            {"grant_type": "client_credentials", "client_id": "sop-web"},
            None,
            400,
            "unauthorized_client",
        ),
    ],
)
async def test_token_endpoint_errors(idp, data, auth, status, error):
    r = await idp.client.post("/idp/token", data=data, auth=auth)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error


async def sign_in(idp, challenge: str, password: str = "demo", **extra: str):
    params = authorize_params(challenge, **extra)
    page = await idp.client.get("/idp/authorize", params=params)
    assert page.status_code == 200, page.text
    assert 'name="username"' in page.text and "admin@home-office" in page.text
    return await idp.client.post(
        "/idp/authorize", data={**params, "username": "admin@home-office", "password": password}
    )


async def test_authorization_code_with_pkce_and_refresh_rotation(idp):
    verifier, challenge = pkce()
    r = await sign_in(idp, challenge)
    assert r.status_code == 302
    target = urlsplit(r.headers["location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT
    assert query["state"] == ["xyz"] and query["iss"] == ["http://gateway.test/idp"]
    code = query["code"][0]

    exchange = {
        "grant_type": "authorization_code",
        "client_id": "sop-web",
        "code": code,
        "redirect_uri": REDIRECT,
    }
    wrong = await idp.client.post("/idp/token", data={**exchange, "code_verifier": "x" * 43})
    assert wrong.json()["error"] == "invalid_grant"  # and the code is spent by that attempt

    verifier, challenge = pkce()
    code = parse_qs(urlsplit((await sign_in(idp, challenge)).headers["location"]).query)["code"][0]
    exchange["code"] = code
    r = await idp.client.post("/idp/token", data={**exchange, "code_verifier": verifier})
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert {"access_token", "refresh_token", "id_token"} <= set(tokens)
    identity = await idp.gateway.verifier.verify(tokens["access_token"])
    assert (identity.subject, identity.tenant) == ("admin@home-office", "home-office")
    assert identity.scopes == {"hr:read"}

    replay = await idp.client.post("/idp/token", data={**exchange, "code_verifier": verifier})
    assert replay.json()["error"] == "invalid_grant"

    refresh = {"grant_type": "refresh_token", "client_id": "sop-web"}
    r = await idp.client.post(
        "/idp/token", data={**refresh, "refresh_token": tokens["refresh_token"]}
    )
    assert r.status_code == 200, r.text
    rotated = r.json()["refresh_token"]
    old = await idp.client.post(
        "/idp/token", data={**refresh, "refresh_token": tokens["refresh_token"]}
    )
    assert old.json()["error"] == "invalid_grant"  # single use
    wider = await idp.client.post(
        "/idp/token", data={**refresh, "refresh_token": rotated, "scope": "hr:write"}
    )
    assert wider.json()["error"] == "invalid_scope"


async def test_a_wrong_password_shows_the_page_again(idp):
    _, challenge = pkce()
    r = await sign_in(idp, challenge, password="guess")
    assert r.status_code == 401
    assert 'role="alert"' in r.text


async def test_an_unregistered_redirect_is_never_followed(idp):
    _, challenge = pkce()
    params = authorize_params(challenge, redirect_uri="https://evil.example/callback")
    r = await idp.client.get("/idp/authorize", params=params)
    assert r.status_code == 400
    assert "location" not in r.headers


async def test_loopback_redirects_may_use_any_port_but_not_another_path(idp):
    _, challenge = pkce()
    ok = await idp.client.get(
        "/idp/authorize",
        params=authorize_params(challenge, redirect_uri="http://localhost:9999/callback"),
    )
    assert ok.status_code == 200
    bad = await idp.client.get(
        "/idp/authorize",
        params=authorize_params(challenge, redirect_uri="http://localhost:9999/elsewhere"),
    )
    assert bad.status_code == 400


async def test_pkce_is_required(idp):
    params = authorize_params("", code_challenge_method="plain")
    r = await idp.client.get("/idp/authorize", params=params)
    assert r.status_code == 302
    assert parse_qs(urlsplit(r.headers["location"]).query)["error"] == ["invalid_request"]


async def test_the_login_page_escapes_what_it_echoes(idp):
    _, challenge = pkce()
    r = await idp.client.get(
        "/idp/authorize", params=authorize_params(challenge, state='"><script>x</script>')
    )
    assert "<script>x</script>" not in r.text
    assert re.search(r"&quot;&gt;&lt;script&gt;", r.text)
