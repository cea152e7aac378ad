"""External tokens at the gateway, over real HTTP: every way a token can be wrong is a 401
problem, a flood of unknown key ids costs at most one JWKS fetch, and a department's own
issuer works beside the platform's."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid

import pytest
from joserfc.jwk import RSAKey

from sop_gateway.testing import sign_raw_rs256

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

EMPLOYEES = "/hr/v1/employees"


def b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_for(stack, tenant: str, **extra) -> dict:
    now = int(time.time())
    return {
        "iss": stack.idp.issuer("main"),
        "aud": "sop-api",
        "sub": "mallory",
        "iat": now,
        "exp": now + 600,
        "sop_tenant": tenant,
        "scope": "hr:read",
        **extra,
    }


async def assert_401(client, token: str | None, path: str = EMPLOYEES) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    r = await client.get(path, headers=headers)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Bearer")
    body = r.json()
    assert body["status"] == 401
    assert body["type"] == "urn:sop:problem:unauthorized"
    assert body["request_id"] == r.headers["x-request-id"]
    return body


async def test_a_valid_token_is_served(stack, client):
    tenant = await stack.onboard(client)
    r = await client.get(EMPLOYEES, headers=stack.tenant_headers(tenant))
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "next_cursor": None}


async def test_no_token_is_401(stack, client):
    await assert_401(client, None)


async def test_alg_none_is_401(stack, client):
    tenant = await stack.onboard(client)
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_for(stack, tenant))}."
    body = await assert_401(client, token)
    assert "none" in body["detail"]


async def test_hs256_keyed_with_the_providers_public_key_is_401(stack, client):
    tenant = await stack.onboard(client)
    public_pem = stack.idp.keys["main"].as_pem(private=False)
    signing_input = f"{b64({'alg': 'HS256', 'kid': 'main-1'})}.{b64(claims_for(stack, tenant))}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    await assert_401(client, f"{signing_input}.{b64(mac)}")


async def test_expired_token_is_401(stack, client):
    tenant = await stack.onboard(client)
    now = int(time.time())
    token = stack.idp.token(sop_tenant=tenant, scope="hr:read", iat=now - 900, exp=now - 61 - 5)
    body = await assert_401(client, token)
    assert "expired" in body["detail"]


async def test_token_not_yet_valid_is_401(stack, client):
    tenant = await stack.onboard(client)
    token = stack.idp.token(sop_tenant=tenant, scope="hr:read", nbf=int(time.time()) + 300)
    body = await assert_401(client, token)
    assert "not valid yet" in body["detail"]


async def test_wrong_issuer_is_401(stack, client):
    tenant = await stack.onboard(client)
    token = stack.idp.token(sop_tenant=tenant, scope="hr:read", iss="https://idp.example/other")
    await assert_401(client, token)


@pytest.mark.parametrize("suffix", ["-evil", ".attacker.example", "/../main"])
async def test_an_issuer_that_only_starts_like_the_real_one_is_401(stack, client, suffix):
    tenant = await stack.onboard(client)
    real = stack.idp.issuer("main")
    for iss in (real + suffix, real[:-1]):
        await assert_401(client, stack.idp.token(sop_tenant=tenant, scope="hr:read", iss=iss))


async def test_wrong_audience_is_401(stack, client):
    tenant = await stack.onboard(client)
    token = stack.idp.token(sop_tenant=tenant, scope="hr:read", aud="some-other-api")
    body = await assert_401(client, token)
    assert "audience" in body["detail"]


async def test_tampered_signature_is_401(stack, client):
    tenant = await stack.onboard(client)
    token = stack.idp.token(sop_tenant=tenant, scope="hr:read")
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["scope"] = "hr:read hr:write hr:sensitive"  # widen the scopes, keep the signature
    await assert_401(client, f"{head}.{b64(claims)}.{signature}")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    await assert_401(client, f"{head}.{payload}.{flipped}")


async def test_token_signed_by_a_key_the_issuer_does_not_publish_is_401(stack, client):
    tenant = await stack.onboard(client)
    stranger = RSAKey.generate_key(2048, private=True, parameters={"kid": "main-1"})
    await assert_401(client, stack.idp.token(sop_tenant=tenant, scope="hr:read", key=stranger))


async def test_unknown_critical_header_is_401(stack, client):
    tenant = await stack.onboard(client)
    header = {"alg": "RS256", "kid": "main-1", "crit": ["exp-policy"], "exp-policy": 1}
    token = sign_raw_rs256(stack.idp.keys["main"], header, claims_for(stack, tenant))
    body = await assert_401(client, token)
    assert "critical" in body["detail"]
    # The same claims without `crit` pass: it is the header that was refused.
    plain = sign_raw_rs256(
        stack.idp.keys["main"], {"alg": "RS256", "kid": "main-1"}, claims_for(stack, tenant)
    )
    r = await client.get(EMPLOYEES, headers={"Authorization": f"Bearer {plain}"})
    assert r.status_code == 200, r.text


async def test_a_burst_of_unknown_kids_costs_at_most_one_jwks_fetch(stack, client):
    tenant = await stack.onboard(client)
    before = stack.idp.jwks_fetches("burst")
    key = stack.idp.keys["burst"]

    rogue = RSAKey.generate_key(2048, private=True)
    tokens = [
        stack.idp.token(
            "burst", key=rogue, header={"kid": uuid.uuid4().hex}, sop_tenant=tenant, scope="hr:read"
        )
        for _ in range(100)
    ]
    responses = await asyncio.gather(
        *(client.get(EMPLOYEES, headers={"Authorization": f"Bearer {t}"}) for t in tokens)
    )
    assert [r.status_code for r in responses] == [401] * 100
    assert stack.idp.jwks_fetches("burst") - before <= 1
    # The issuer's real key still works: the cache was not poisoned by the flood.
    good = stack.idp.token("burst", key=key, sop_tenant=tenant, scope="hr:read")
    r = await client.get(EMPLOYEES, headers={"Authorization": f"Bearer {good}"})
    assert r.status_code == 200, r.text
    assert stack.idp.jwks_fetches("burst") - before <= 1


async def test_a_token_without_the_routes_scope_is_403(stack, client):
    tenant = await stack.onboard(client)
    r = await client.post(EMPLOYEES, json={}, headers=stack.tenant_headers(tenant, "hr:read"))
    assert r.status_code == 403
    assert "hr:write" in r.json()["detail"]


async def test_a_token_naming_no_tenant_cannot_reach_a_service(stack, client):
    r = await client.get(EMPLOYEES, headers=stack.admin_headers())
    assert r.status_code == 403
    assert "names no tenant" in r.json()["detail"]


async def test_a_token_for_a_tenant_never_onboarded_is_403(stack, client):
    r = await client.get(EMPLOYEES, headers=stack.tenant_headers("never-onboarded"))
    assert r.status_code == 403
    assert "not onboarded" in r.json()["detail"]


async def test_tenant_issuer_works_alongside_the_shared_issuer(stack, client):
    dept = await stack.onboard(
        client,
        issuer={
            "issuer": stack.idp.issuer("dept"),
            "audience": "api://sop-dept",
            "claims": {
                "scopes": ["roles"],
                "scope_map": {"HR.Reader": "hr:read", "HR.Writer": ["hr:read", "hr:write"]},
            },
        },
    )
    shared = await stack.onboard(client)

    # The department's token names no tenant: its issuer decides. Its roles map to scopes.
    dept_token = stack.idp.token(
        "dept", aud="api://sop-dept", roles=["HR.Reader"], azp="dept-portal"
    )
    dept_headers = {"Authorization": f"Bearer {dept_token}"}
    r = await client.get(EMPLOYEES, headers=dept_headers)
    assert r.status_code == 200, r.text
    r = await client.post(EMPLOYEES, json={}, headers=dept_headers)
    assert r.status_code == 403  # HR.Reader grants no hr:write

    # A claim naming another tenant changes nothing, and platform:admin is never granted.
    sneaky = stack.idp.token(
        "dept",
        aud="api://sop-dept",
        roles=["HR.Reader", "platform:admin"],
        sop_tenant=shared,
    )
    sneaky_headers = {"Authorization": f"Bearer {sneaky}"}
    r = await client.get("/platform/v1/tenants", headers=sneaky_headers)
    assert r.status_code == 403
    assert dept != shared

    # The shared issuer keeps working for other tenants at the same time.
    r = await client.get(EMPLOYEES, headers=stack.tenant_headers(shared))
    assert r.status_code == 200

    # The department's issuer is audience-checked with its own audience.
    wrong_aud = stack.idp.token("dept", aud="sop-api", roles=["HR.Reader"])
    await assert_401(client, wrong_aud)


async def test_a_department_token_is_bound_to_its_tenant_upstream(stack, client):
    dept = await stack.onboard(
        client, issuer={"issuer": stack.idp.issuer("dept2"), "audience": "api://dept-2"}
    )
    token = stack.idp.token(
        "dept2", aud="api://dept-2", scope="procurement:read", sop_tenant="someone-else"
    )
    r = await client.get("/procurement/v1/echo", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    assert r.json()["tenant"] == dept


async def test_a_token_from_the_development_provider_works(stack, client):
    tenant = await stack.onboard(client)  # in development, onboarding adds a demo client
    r = await client.post(
        "/idp/token",
        data={"grant_type": "client_credentials", "scope": "hr:read"},
        auth=(f"{tenant}-integrator", "dev-secret"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "Bearer"
    token = r.json()["access_token"]
    r = await client.get(EMPLOYEES, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    r = await client.post(EMPLOYEES, json={}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403  # asked for hr:read only
