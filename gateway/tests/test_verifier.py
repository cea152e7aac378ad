"""External token verification: what is accepted, everything that is refused, how tenants and
scopes come out of tokens, and that verified tokens are cached."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from joserfc.jwk import RSAKey

from sop_gateway.identity.config import ClaimMapping
from sop_gateway.identity.jwks import StaticKeys
from sop_gateway.identity.verifier import TokenVerifier, TrustedIssuer
from sop_gateway.testing import public_jwks, sign_token
from sop_shared.errors import Unauthorized

ISSUER = "https://idp.example.gov.uk/realms/sop"
DEPT = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"


def b64(data: object) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign(key, alg=None, **claims) -> str:
    return sign_token(key, issuer=ISSUER, alg=alg, **{"sub": "user-1", **claims})


@pytest.fixture
def verifier(rsa_key, ec_key, ed_key) -> TokenVerifier:
    v = TokenVerifier()
    v.set_platform_issuers(
        [
            TrustedIssuer(
                issuer=ISSUER,
                audience="sop-api",
                keys=StaticKeys(public_jwks(rsa_key, ec_key, ed_key)),
                claims=ClaimMapping(),
            )
        ]
    )
    return v


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "EdDSA"])
async def test_each_allowed_algorithm_is_accepted(verifier, rsa_key, ec_key, ed_key, alg):
    key = {"RS256": rsa_key, "PS256": rsa_key, "ES256": ec_key, "EdDSA": ed_key}[alg]
    identity = await verifier.verify(
        sign(key, alg, sop_tenant="home-office", scope="hr:read openid", azp="portal")
    )
    assert identity.tenant == "home-office"
    assert identity.scopes == {"hr:read"}  # non-SOP scopes are dropped
    assert identity.client_id == "portal"
    assert identity.subject == "user-1"


async def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(Unauthorized) as caught:
        await verifier.verify(token)
    return caught.value.detail or ""


async def test_alg_none_is_refused(verifier):
    token = f"{b64({'alg': 'none'})}.{b64({'iss': ISSUER, 'aud': 'sop-api', 'sub': 'x'})}."
    assert "none" in await refused(verifier, token)


async def test_hmac_keyed_with_the_public_key_is_refused(verifier, rsa_key):
    claims = {"iss": ISSUER, "aud": "sop-api", "sub": "x", "exp": time.time() + 60}
    signing_input = f"{b64({'alg': 'HS256', 'kid': 'rsa-1'})}.{b64(claims)}"
    mac = hmac.new(rsa_key.as_pem(private=False), signing_input.encode(), hashlib.sha256)
    assert "HS256" in await refused(verifier, f"{signing_input}.{b64(mac.digest())}")


async def test_an_rsa_key_cannot_verify_an_es256_token(verifier, rsa_key):
    # Same kid as the RSA key, claiming ES256: no EC key fits, so it is refused.
    from joserfc.jwk import ECKey

    forger = ECKey.generate_key("P-256", private=True, parameters={"kid": "rsa-1"})
    assert "signing key" in await refused(verifier, sign(forger, "ES256"))


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": -61 - 10}, "expired"),
        ({"exp": None}, "no expiry"),
        ({"nbf": +120}, "not valid yet"),
        ({"iat": +120}, "in the future"),
        ({"iss": "https://elsewhere.example"}, "not trusted"),
        ({"iss": ISSUER + "-evil"}, "not trusted"),
        ({"iss": ISSUER[:-1]}, "not trusted"),
        ({"iss": ISSUER + "/"}, "not trusted"),
        ({"aud": "another-api"}, "audience"),
        ({"aud": ["another-api", "yet-another"]}, "audience"),
        ({"sub": None}, "sub"),
        ({"sop_tenant": "Not A Slug"}, "tenant slug"),
        ({"exp": "tomorrow"}, "not a number"),
    ],
)
async def test_bad_claims_are_refused(verifier, rsa_key, claims, reason):
    # Time claims are given as offsets from now and resolved here, not at collection: a long
    # run would otherwise reach the "future" moment before the test runs.
    now = int(time.time())
    claims = {
        k: now + v if k in ("exp", "nbf", "iat") and isinstance(v, int) else v
        for k, v in claims.items()
    }
    assert reason in await refused(verifier, sign(rsa_key, **claims))


async def test_within_the_60_second_leeway_is_accepted(verifier, rsa_key):
    now = int(time.time())
    await verifier.verify(sign(rsa_key, exp=now - 30, nbf=now + 30))


async def test_audience_may_be_one_of_several(verifier, rsa_key):
    await verifier.verify(sign(rsa_key, aud=["account", "sop-api"]))


async def test_tampering_is_refused(verifier, rsa_key):
    head, payload, signature = sign(rsa_key, scope="hr:read").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["scope"] = "hr:read hr:sensitive"
    assert "signature" in await refused(verifier, f"{head}.{b64(claims)}.{signature}")


async def test_a_key_the_issuer_does_not_publish_is_refused(verifier):
    stranger = RSAKey.generate_key(2048, private=True, parameters={"kid": "stranger"})
    assert "signing key" in await refused(verifier, sign(stranger))


async def test_critical_headers_are_refused(verifier, rsa_key):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    claims = {"iss": ISSUER, "aud": "sop-api", "sub": "x", "exp": int(time.time()) + 60}
    signing_input = f"{b64({'alg': 'RS256', 'kid': 'rsa-1', 'crit': ['b64'], 'b64': True})}"
    signing_input += f".{b64(claims)}"
    sig = rsa_key.raw_value.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    assert "critical" in await refused(verifier, f"{signing_input}.{b64(sig)}")


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "!!.??.xx", "e30.e30."])
async def test_garbage_is_refused(verifier, token):
    await refused(verifier, token)


async def test_a_token_without_kid_uses_the_only_fitting_key(rsa_key):
    v = TokenVerifier()
    v.set_platform_issuers(
        [TrustedIssuer(ISSUER, "sop-api", StaticKeys(public_jwks(rsa_key)), ClaimMapping())]
    )
    from joserfc import jwt

    claims = {"iss": ISSUER, "aud": "sop-api", "sub": "x", "exp": int(time.time()) + 60}
    token = jwt.encode({"alg": "RS256"}, claims, rsa_key, algorithms=["RS256"])
    assert (await v.verify(token)).subject == "x"


async def test_verified_tokens_are_cached_until_they_expire(verifier, rsa_key):
    clock = [time.time()]
    verifier._clock = lambda: clock[0]
    token = sign(rsa_key, exp=int(clock[0]) + 100, iat=None, nbf=None)
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first
    clock[0] += 100 + 61
    assert "expired" in await refused(verifier, token)


def tenant_issuer(ec_key, **mapping) -> TrustedIssuer:
    return TrustedIssuer(
        issuer=DEPT,
        audience="api://sop",
        keys=StaticKeys(public_jwks(ec_key)),
        claims=ClaimMapping(**mapping),
        tenant="dwp",
    )


async def test_a_tenant_issuer_decides_the_tenant_and_never_grants_platform_admin(verifier, ec_key):
    verifier.set_tenant_issuers(
        [tenant_issuer(ec_key, scopes=["roles"], scope_map={"HR.Read": "hr:read"})]
    )
    token = sign(
        ec_key,
        "ES256",
        iss=DEPT,
        aud="api://sop",
        roles=["HR.Read", "platform:admin", "Finance.Unknown"],
        sop_tenant="home-office",
        appid="legacy-app",
    )
    identity = await verifier.verify(token)
    assert identity.tenant == "dwp"
    assert identity.scopes == {"hr:read"}
    assert identity.client_id == "legacy-app"


async def test_a_platform_issuer_cannot_be_claimed_by_a_tenant(verifier, rsa_key, ec_key):
    hijack = TrustedIssuer(
        ISSUER, "sop-api", StaticKeys(public_jwks(ec_key)), ClaimMapping(), tenant="dwp"
    )
    verifier.set_tenant_issuers([hijack])
    identity = await verifier.verify(sign(rsa_key, sop_tenant="hmrc"))
    assert identity.tenant == "hmrc"


async def test_changing_a_tenant_issuer_drops_its_cached_tokens(verifier, ec_key):
    verifier.set_tenant_issuers([tenant_issuer(ec_key)])
    token = sign(ec_key, "ES256", iss=DEPT, aud="api://sop", scope="hr:read")
    await verifier.verify(token)
    verifier.set_tenant_issuers([])
    assert "not trusted" in await refused(verifier, token)


def test_scope_mapping_reads_strings_and_lists():
    mapping = ClaimMapping(
        scopes=["scp", "roles"], scope_map={"Payroll.Run": ["payroll:read", "payroll:run"]}
    )
    claims = {"scp": "hr:read  openid", "roles": ["Payroll.Run", 7, "finance:approve"]}
    assert mapping.scopes_of(claims) == {
        "hr:read",
        "payroll:read",
        "payroll:run",
        "finance:approve",
    }
