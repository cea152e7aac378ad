"""A tenant onboarded in development gets an officer and an approver in the development
identity provider (so the four-eyes rules can be tried at once); one with its own issuer does
not, and a production gateway never does."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey

from sop_gateway.identity.config import TENANT_SCOPES

REDIRECT = "http://127.0.0.1/callback"
ISSUER = "https://idp.example.gov.uk/realms/sop"  # the trusted issuer of conftest.py
PLATFORM = {
    "services": {},
    "clusters": {"matrix": {"description": "native", "bindings": {"hr": {"adapter": "native"}}}},
    "identity": {"issuers": [{"issuer": ISSUER}]},
}
APPROVE = {s for s in TENANT_SCOPES if s.endswith(":approve")}
READ = {s for s in TENANT_SCOPES if s.endswith(":read")}


def slug() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


async def onboard(client: httpx.AsyncClient, admin: dict[str, str], **body: object) -> str:
    name = slug()
    payload = {"slug": name, "name": "Department", "cluster": "matrix", **body}
    r = await client.post("/platform/v1/tenants", json=payload, headers=admin)
    assert r.status_code == 201, r.text
    return name


async def sign_in(
    client: httpx.AsyncClient, username: str, password: str = "demo"
) -> httpx.Response:
    """The authorization-code flow with PKCE, as the docs' `sop_login` runs it with curl."""
    verifier = secrets.token_urlsafe(40)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    r = await client.post(
        "/idp/authorize",
        data={
            "response_type": "code",
            "client_id": "sop-web",
            "redirect_uri": REDIRECT,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "username": username,
            "password": password,
        },
    )
    if r.status_code != 302:
        return r
    code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    return await client.post(
        "/idp/token",
        data={
            "grant_type": "authorization_code",
            "client_id": "sop-web",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )


@pytest.fixture
async def idp(gateway):
    from sop_gateway.seed import seed

    # The seed registers the `sop-web` client the sign-in goes through.
    await seed(gateway.gateway.database, gateway.gateway.settings, gateway.gateway.platform)
    return gateway


async def test_an_onboarded_tenant_has_an_officer_and_an_approver(idp, admin):
    tenant = await onboard(idp.client, admin)

    officer = await sign_in(idp.client, f"officer@{tenant}")
    assert officer.status_code == 200, officer.text
    who = await idp.gateway.verifier.verify(officer.json()["access_token"])
    assert (who.subject, who.tenant) == (f"officer@{tenant}", tenant)
    assert {"hr:write", "finance:write", "procurement:write", "payroll:run"} <= who.scopes
    assert who.scopes >= READ
    assert not who.scopes & APPROVE  # prepares, never approves
    assert "platform:admin" not in who.scopes and "payroll:self" not in who.scopes

    approver = await sign_in(idp.client, f"approver@{tenant}")
    assert approver.status_code == 200, approver.text
    who = await idp.gateway.verifier.verify(approver.json()["access_token"])
    assert (who.subject, who.tenant) == (f"approver@{tenant}", tenant)
    assert who.scopes == READ | APPROVE  # approves and reads, writes nothing

    wrong = await sign_in(idp.client, f"officer@{tenant}", password="not-demo")
    assert wrong.status_code == 401


async def test_onboarding_again_keeps_the_users_as_they_are(idp, admin):
    tenant = await onboard(idp.client, admin)
    again = {"slug": tenant, "name": "Department", "cluster": "matrix"}
    r = await idp.client.post("/platform/v1/tenants", json=again, headers=admin)
    assert r.status_code == 200, r.text
    assert (await sign_in(idp.client, f"approver@{tenant}")).status_code == 200


async def test_a_tenant_with_its_own_issuer_gets_no_development_users(idp, admin):
    tenant = await onboard(
        idp.client, admin, issuer={"issuer": f"https://login.example/{uuid.uuid4().hex}"}
    )
    refused = await sign_in(idp.client, f"officer@{tenant}")
    assert refused.status_code == 401  # the sign-in page again: unknown user


async def test_a_production_gateway_gives_an_onboarded_tenant_no_users(
    request: pytest.FixtureRequest, tmp_path: Path, admin: dict[str, str], rsa_key: RSAKey
):
    from sop_gateway.app import create_app
    from sop_gateway.devidp import repository
    from sop_gateway.identity.jwks import StaticKeys
    from sop_gateway.settings import GatewaySettings
    from sop_gateway.testing import public_jwks
    from sop_shared.platform_config import PlatformConfig
    from sop_shared.security import generate_signing_key

    key_file = tmp_path / "internal-signing-key.json"
    key_file.write_text(json.dumps(generate_signing_key().as_dict(private=True)))
    settings = GatewaySettings(
        env="production",
        database_url=request.getfixturevalue("_gateway_postgresql_url"),  # never SQLite
        internal_key_file=str(key_file),
        key_dir=str(tmp_path),
        internal_jwks_file=str(tmp_path / "internal-jwks.json"),
        public_url="https://gateway.test",
        metrics_token="a-scrape-secret-of-some-length",
        log_json=False,
    )
    app = create_app(settings, PlatformConfig.model_validate(PLATFORM))
    gw = app.gateway
    for trusted in gw.verifier.platform_issuers:
        if trusted.issuer == ISSUER:
            object.__setattr__(trusted, "keys", StaticKeys(public_jwks(rsa_key)))
    await gw.start()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://gateway.test") as c:
            tenant = await onboard(c, admin)
            assert (await c.post("/idp/token", data={"grant_type": "x"})).status_code == 404
        async with gw.database.transaction() as session:
            assert await repository.user(session, f"officer@{tenant}") is None
            assert await repository.user(session, f"approver@{tenant}") is None
            assert await repository.client(session, f"{tenant}-integrator") is None
    finally:
        await gw.stop()
