"""Token exchange at the gateway (RFC 8693, ADR 0108), in process: services authenticate with a
private-key JWT, exchange the internal token of the request they serve for a token in the same
tenant with their allow-listed scopes and an `act` claim, or (when configured) obtain one for
scheduled work; everything else is refused with an RFC 6749 error. The issued token is then
accepted by the gateway, and the internal token it mints carries `act` to the service."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from sop_gateway.exchange.clients import service_clients
from sop_gateway.exchange.replay import MemoryReplayGuard
from sop_gateway.testing import public_jwks, sign_token
from sop_shared.platform_config import PlatformConfig
from sop_shared.security import InternalKeys, InternalTokenSigner, InternalTokenVerifier

ISSUER = "https://idp.example.gov.uk/realms/sop"  # the trusted issuer of conftest.py
PUBLIC_URL = "http://gateway.test"
TOKEN_PATH = "/platform/v1/oauth/token"
TOKEN_URL = PUBLIC_URL + TOKEN_PATH
EXCHANGE_ISSUER = PUBLIC_URL + "/platform/v1/oauth"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
PAYROLL_SCOPES = "finance:read finance:write hr:read hr:sensitive"


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class EchoService:
    """Every service the test gateway routes to: answers any request (provisioning included)
    with what reached it, the internal token above all."""

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                request_line, *lines = head[:-4].decode("latin-1").split("\r\n")
                method, target, _ = request_line.split(" ")
                headers = {}
                for line in lines:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                if "content-length" in headers:
                    await reader.readexactly(int(headers["content-length"]))
                body = json.dumps(
                    {
                        "method": method,
                        "path": target,
                        "token": headers.get("authorization", "")[7:],
                    }
                ).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    + f"content-length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        finally:
            writer.close()

    def close(self) -> None:
        self.server.close()


class ServiceKey:
    """A service's private key, its public JWKS in the file the platform config names, and
    client assertions signed with it (tamperable)."""

    def __init__(self, directory: Path, service: str) -> None:
        self.client_id = f"sop-{service}"
        self.key = ECKey.generate_key("P-256", private=True, parameters={"kid": f"{service}-1"})
        self.jwks_file = directory / f"{service}-client-jwks.json"
        self.jwks_file.write_text(json.dumps(public_jwks(self.key)))

    def assertion(self, *, key: Any = None, lifetime: int = 60, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": TOKEN_URL,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + lifetime,
            **claims,
        }
        body = {k: v for k, v in body.items() if v is not None}
        signing_key = key or self.key
        alg = "RS256" if isinstance(signing_key, RSAKey) else "ES256"
        return jwt.encode({"alg": alg, "kid": signing_key.kid}, body, signing_key, algorithms=[alg])


class Exchange:
    """The in-process gateway, its HTTP client and the services' keys."""

    def __init__(self, app: Any, client: httpx.AsyncClient, keys: dict[str, ServiceKey]) -> None:
        self.app = app
        self.gateway = app.gateway
        self.client = client
        self.keys = keys

    def internal_token(
        self,
        tenant: str | None,
        *,
        audience: str = "sop-payroll",
        subject: str = "alice",
        scopes: str = "payroll:read",
        actors: tuple[str, ...] = (),
        signer: InternalTokenSigner | None = None,
    ) -> str:
        """The internal token a request to a service carries (signed by this gateway)."""
        token, _ = (signer or self.gateway.internal_tokens.signer).sign(
            audience=audience,
            subject=subject,
            client_id="portal",
            tenant=tenant,
            cluster="matrix",
            scopes=scopes,
            actors=actors,
        )
        return token

    async def token(
        self, service: str = "payroll", *, assertion: str | None = None, **form: str
    ) -> httpx.Response:
        data = {
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion or self.keys[service].assertion(),
            **form,
        }
        return await self.client.post(TOKEN_PATH, data={k: v for k, v in data.items() if v})

    async def exchange(
        self, subject_token: str, service: str = "payroll", **form: str
    ) -> httpx.Response:
        return await self.token(
            service,
            grant_type=TOKEN_EXCHANGE,
            subject_token=subject_token,
            subject_token_type=JWT_TYPE,
            **form,
        )

    async def scheduled(self, tenant: str, service: str = "payroll", **form: str) -> httpx.Response:
        return await self.token(
            service,
            grant_type="client_credentials",
            resource=f"urn:sop:tenant:{tenant}",
            **form,
        )


@pytest_asyncio.fixture(loop_scope="session")
async def exchange(
    _gateway_sqlite_url: str, tmp_path: Path, rsa_key: RSAKey
) -> AsyncIterator[Exchange]:
    from sop_gateway.app import create_app
    from sop_gateway.identity.jwks import StaticKeys
    from sop_gateway.settings import GatewaySettings

    echo = EchoService()
    port = await echo.start()
    keys = {s: ServiceKey(tmp_path, s) for s in ("payroll", "hr", "finance")}
    url = f"http://127.0.0.1:{port}"
    platform = PlatformConfig.model_validate(
        {
            "services": {
                "payroll": {
                    "url": url,
                    "client": {
                        "jwks_file": str(keys["payroll"].jwks_file),
                        "scopes": PAYROLL_SCOPES,
                        "scheduled": True,
                    },
                },
                "hr": {
                    "url": url,
                    "client": {"jwks_file": str(keys["hr"].jwks_file), "scopes": "finance:read"},
                },
                "finance": {
                    "url": url,
                    "client": {"jwks_file": str(keys["finance"].jwks_file), "scopes": "hr:read"},
                },
            },
            "clusters": {"matrix": {"bindings": {"hr": {"adapter": "native"}}}},
            "identity": {"issuers": [{"issuer": ISSUER}]},
        }
    )
    settings = GatewaySettings(
        env="development",
        database_url=_gateway_sqlite_url,
        key_dir=str(tmp_path / "keys"),
        internal_jwks_file=str(tmp_path / "keys" / "internal-jwks.json"),
        public_url=PUBLIC_URL,
        log_json=False,
    )
    app = create_app(settings, platform)
    gw = app.gateway
    for trusted in gw.verifier.platform_issuers:
        if trusted.issuer == ISSUER:
            object.__setattr__(trusted, "keys", StaticKeys(public_jwks(rsa_key)))
    await gw.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        yield Exchange(app, client, keys)
    await gw.stop()
    echo.close()


async def onboard(exchange: Exchange, admin: dict[str, str]) -> str:
    slug = f"t-{uuid.uuid4().hex[:10]}"
    r = await exchange.client.post(
        "/platform/v1/tenants",
        json={"slug": slug, "name": "Department", "cluster": "matrix"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "active"
    return slug


def assert_oauth_error(r: httpx.Response, error: str, status: int = 400) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["error"] == error, body
    return body["error_description"]


# -- the exchange -----------------------------------------------------------------------------


async def test_exchange_gives_the_subjects_tenant_the_allow_list_and_act(exchange, admin):
    tenant = await onboard(exchange, admin)
    r = await exchange.exchange(exchange.internal_token(tenant))
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 300
    assert body["scope"] == PAYROLL_SCOPES  # none asked: the whole allow-list
    claims = claims_of(body["access_token"])
    assert claims["iss"] == EXCHANGE_ISSUER
    assert claims["aud"] == "sop-api"
    assert claims["sub"] == "alice"  # the person, not the service
    assert claims["sop_tenant"] == tenant
    assert claims["client_id"] == "sop-payroll"
    assert claims["act"] == {"sub": "sop-payroll"}
    assert claims["scope"] == PAYROLL_SCOPES
    assert claims["jti"] and claims["exp"] - claims["iat"] <= 300


async def test_the_token_never_outlives_the_persons_token(exchange, admin):
    tenant = await onboard(exchange, admin)
    signer = exchange.gateway.internal_tokens.signer
    short = InternalTokenSigner(signer.key, issuer=signer.issuer, lifetime=40)
    r = await exchange.exchange(exchange.internal_token(tenant, signer=short))
    assert r.status_code == 200, r.text
    assert r.json()["expires_in"] <= 40


async def test_a_narrower_scope_is_granted_and_a_wider_one_refused(exchange, admin):
    tenant = await onboard(exchange, admin)
    subject = exchange.internal_token(tenant)
    r = await exchange.exchange(subject, scope="hr:read")
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "hr:read"
    assert claims_of(r.json()["access_token"])["scope"] == "hr:read"
    for scope in ("hr:read hr:write", "platform:admin", "payroll:run", "openid"):
        refused = await exchange.exchange(subject, scope=scope)
        assert_oauth_error(refused, "invalid_scope")


async def test_another_tenant_is_refused(exchange, admin):
    tenant, other = await onboard(exchange, admin), await onboard(exchange, admin)
    subject = exchange.internal_token(tenant)
    refused = await exchange.exchange(subject, resource=f"urn:sop:tenant:{other}")
    assert other not in assert_oauth_error(refused, "invalid_target")
    assert_oauth_error(
        await exchange.exchange(subject, resource="https://elsewhere.example"), "invalid_target"
    )
    assert_oauth_error(await exchange.exchange(subject, audience="sop-hr"), "invalid_target")
    same = await exchange.exchange(subject, resource=f"urn:sop:tenant:{tenant}", audience="sop-api")
    assert same.status_code == 200, same.text
    assert claims_of(same.json()["access_token"])["sop_tenant"] == tenant


async def test_a_subject_token_meant_for_another_service_is_refused(exchange, admin, bearer):
    tenant = await onboard(exchange, admin)
    # An internal token HR received cannot be exchanged by payroll...
    for_hr = exchange.internal_token(tenant, audience="sop-hr", scopes="hr:read")
    description = assert_oauth_error(await exchange.exchange(for_hr), "invalid_grant")
    assert "sop-payroll" in description
    # ...though HR may exchange it itself.
    assert (await exchange.exchange(for_hr, service="hr")).status_code == 200


@pytest.mark.parametrize("kind", ["external", "foreign-key", "no-tenant", "expired", "garbage"])
async def test_subject_tokens_the_gateway_did_not_issue_to_the_service_are_refused(
    exchange, admin, rsa_key, kind
):
    tenant = await onboard(exchange, admin)
    if kind == "external":  # a client's own access token is not for services to exchange
        subject = sign_token(rsa_key, issuer=ISSUER, sop_tenant=tenant, scope="hr:read")
    elif kind == "foreign-key":
        impostor = InternalTokenSigner(ECKey.generate_key("P-256", private=True))
        subject = exchange.internal_token(tenant, signer=impostor)
    elif kind == "no-tenant":
        subject = exchange.internal_token(None)
    elif kind == "expired":
        signer = exchange.gateway.internal_tokens.signer
        subject, _ = signer.sign(
            audience="sop-payroll",
            subject="alice",
            client_id="portal",
            tenant=tenant,
            cluster="matrix",
            scopes="payroll:read",
            now=int(time.time()) - 400,
        )
    else:
        subject = "not-a-token"
    assert_oauth_error(await exchange.exchange(subject), "invalid_grant")


async def test_an_existing_act_is_nested(exchange, admin):
    """HR serving a request payroll made for alice exchanges its internal token: HR acts for
    payroll acting for alice (RFC 8693 4.1)."""
    tenant = await onboard(exchange, admin)
    for_hr = exchange.internal_token(
        tenant, audience="sop-hr", scopes="hr:read", actors=("sop-payroll",)
    )
    r = await exchange.exchange(for_hr, service="hr")
    assert r.status_code == 200, r.text
    claims = claims_of(r.json()["access_token"])
    assert claims["act"] == {"sub": "sop-hr", "act": {"sub": "sop-payroll"}}
    assert (claims["sub"], claims["client_id"], claims["scope"]) == (
        "alice",
        "sop-hr",
        "finance:read",
    )
    too_deep = exchange.internal_token(
        tenant, audience="sop-hr", actors=("sop-a", "sop-b", "sop-c", "sop-d")
    )
    assert_oauth_error(await exchange.exchange(too_deep, service="hr"), "invalid_grant")


# -- client authentication --------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "another-key",
        "rsa-key",
        "expired",
        "too-long-lived",
        "no-exp",
        "wrong-audience",
        "iss-not-sub",
        "no-jti",
        "client-id-differs",
    ],
)
async def test_bad_client_assertions_are_refused(exchange, admin, rsa_key, case):
    tenant = await onboard(exchange, admin)
    payroll = exchange.keys["payroll"]
    now = int(time.time())
    form: dict[str, str] = {}
    if case == "another-key":  # same kid, another key
        assertion = payroll.assertion(
            key=ECKey.generate_key("P-256", private=True, parameters={"kid": "payroll-1"})
        )
    elif case == "rsa-key":
        assertion = payroll.assertion(key=rsa_key)
    elif case == "expired":
        assertion = payroll.assertion(iat=now - 400, exp=now - 100)
    elif case == "too-long-lived":
        assertion = payroll.assertion(lifetime=3600)
    elif case == "no-exp":
        assertion = payroll.assertion(exp=None)
    elif case == "wrong-audience":
        assertion = payroll.assertion(aud="https://other.example/token")
    elif case == "iss-not-sub":
        assertion = payroll.assertion(sub="alice")
    elif case == "no-jti":
        assertion = payroll.assertion(jti=None)
    else:
        assertion = payroll.assertion()
        form["client_id"] = "sop-hr"
    r = await exchange.token(
        assertion=assertion,
        grant_type=TOKEN_EXCHANGE,
        subject_token=exchange.internal_token(tenant),
        subject_token_type=JWT_TYPE,
        **form,
    )
    assert_oauth_error(r, "invalid_client", 401)


async def test_a_replayed_assertion_is_refused(exchange, admin):
    tenant = await onboard(exchange, admin)
    assertion = exchange.keys["payroll"].assertion()
    subject = exchange.internal_token(tenant)
    first = await exchange.exchange(subject, client_assertion=assertion)
    assert first.status_code == 200, first.text
    again = await exchange.exchange(subject, client_assertion=assertion)
    assert "already used" in assert_oauth_error(again, "invalid_client", 401)


async def test_unknown_clients_and_secrets_are_refused(exchange, admin, tmp_path):
    tenant = await onboard(exchange, admin)
    (tmp_path / "elsewhere").mkdir()
    stranger = ServiceKey(tmp_path / "elsewhere", "stranger")
    subject = exchange.internal_token(tenant)
    r = await exchange.exchange(subject, client_assertion=stranger.assertion())
    assert "unknown client" in assert_oauth_error(r, "invalid_client", 401)
    # No assertion at all, or a client secret instead: private_key_jwt only.
    r = await exchange.client.post(
        TOKEN_PATH,
        data={
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": subject,
            "subject_token_type": JWT_TYPE,
        },
    )
    assert_oauth_error(r, "invalid_client", 401)
    r = await exchange.client.post(
        TOKEN_PATH,
        data={
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": subject,
            "subject_token_type": JWT_TYPE,
        },
        auth=("sop-payroll", "secret"),
    )
    assert_oauth_error(r, "invalid_client", 401)


async def test_a_key_published_after_start_up_is_picked_up(exchange, admin):
    """In development a service writes its key's JWKS on first use, maybe after the gateway
    started: the file is read again when it changes."""
    tenant = await onboard(exchange, admin)
    finance = exchange.keys["finance"]
    finance.jwks_file.unlink()
    subject = exchange.internal_token(tenant, audience="sop-finance", scopes="finance:read")
    assert_oauth_error(await exchange.exchange(subject, "finance"), "invalid_client", 401)
    finance.key = ECKey.generate_key("P-256", private=True, parameters={"kid": "finance-2"})
    finance.jwks_file.write_text(json.dumps(public_jwks(finance.key)))
    assert (await exchange.exchange(subject, "finance")).status_code == 200


# -- scheduled work and tenants ---------------------------------------------------------------


async def test_scheduled_work_only_when_configured(exchange, admin):
    tenant = await onboard(exchange, admin)
    r = await exchange.scheduled(tenant, scope="hr:read")
    assert r.status_code == 200, r.text
    claims = claims_of(r.json()["access_token"])
    assert (claims["sub"], claims["client_id"], claims["sop_tenant"]) == (
        "sop-payroll",
        "sop-payroll",
        tenant,
    )
    assert claims["act"] == {"sub": "sop-payroll"}
    assert claims["scope"] == "hr:read"
    # HR's configuration does not allow scheduled work.
    assert_oauth_error(await exchange.scheduled(tenant, "hr"), "unauthorized_client")
    # The tenant must be named, exist and be a tenant slug.
    assert_oauth_error(await exchange.token(grant_type="client_credentials"), "invalid_request")
    assert_oauth_error(await exchange.scheduled("t-nobody-here"), "invalid_target")
    assert_oauth_error(
        await exchange.token(grant_type="client_credentials", resource="urn:sop:tenant:A!"),
        "invalid_target",
    )
    assert_oauth_error(await exchange.scheduled(tenant, scope="hr:write"), "invalid_scope")


async def test_a_suspended_tenant_gets_no_token(exchange, admin):
    tenant = await onboard(exchange, admin)
    subject = exchange.internal_token(tenant)
    r = await exchange.client.post(f"/platform/v1/tenants/{tenant}/suspend", headers=admin)
    assert r.json()["status"] == "suspended"
    assert "suspended" in assert_oauth_error(await exchange.exchange(subject), "invalid_grant")
    assert "suspended" in assert_oauth_error(await exchange.scheduled(tenant), "invalid_target")
    await exchange.client.post(f"/platform/v1/tenants/{tenant}/resume", headers=admin)
    assert (await exchange.exchange(subject)).status_code == 200


# -- the request's form -----------------------------------------------------------------------


async def test_malformed_requests(exchange, admin):
    tenant = await onboard(exchange, admin)
    subject = exchange.internal_token(tenant)
    r = await exchange.client.post(TOKEN_PATH, json={"grant_type": TOKEN_EXCHANGE})
    assert_oauth_error(r, "invalid_request")
    assertion = exchange.keys["payroll"].assertion()
    twice = (
        f"grant_type={TOKEN_EXCHANGE}&subject_token={subject}&subject_token_type={JWT_TYPE}"
        f"&client_assertion_type={ASSERTION_TYPE}&client_assertion={assertion}"
        "&scope=hr:read&scope=hr:sensitive"
    )
    r = await exchange.client.post(
        TOKEN_PATH,
        content=twice,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "more than once" in assert_oauth_error(r, "invalid_request")
    assert_oauth_error(await exchange.token(grant_type="password"), "unsupported_grant_type")
    assert_oauth_error(
        await exchange.token(grant_type=TOKEN_EXCHANGE, subject_token=subject), "invalid_request"
    )
    assert_oauth_error(
        await exchange.exchange(subject, actor_token=subject, actor_token_type=JWT_TYPE),
        "invalid_request",
    )
    assert_oauth_error(
        await exchange.exchange(
            subject, requested_token_type="urn:ietf:params:oauth:token-type:refresh_token"
        ),
        "invalid_request",
    )


async def test_metadata_names_the_token_endpoint(exchange):
    r = await exchange.client.get("/.well-known/oauth-authorization-server/platform/v1/oauth")
    assert r.status_code == 200
    meta = r.json()
    assert meta["issuer"] == EXCHANGE_ISSUER
    assert meta["token_endpoint"] == TOKEN_URL
    assert meta["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert TOKEN_EXCHANGE in meta["grant_types_supported"]


# -- the issued token at the gateway ----------------------------------------------------------


async def internal_token_at_service(exchange: Exchange, token: str, path: str) -> dict[str, Any]:
    r = await exchange.client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


async def test_the_gateway_accepts_the_issued_token_and_carries_act_through(
    exchange, admin, tmp_path
):
    tenant = await onboard(exchange, admin)
    issued = (await exchange.exchange(exchange.internal_token(tenant))).json()["access_token"]
    seen = await internal_token_at_service(exchange, issued, "/hr/v1/employees")
    internal = claims_of(seen["token"])
    assert internal["aud"] == "sop-hr"
    assert internal["sub"] == "alice"
    assert internal["client_id"] == "sop-payroll"
    assert internal["sop_tenant"] == tenant
    assert internal["scope"] == "hr:read hr:sensitive"  # only HR's scopes travel to HR
    assert internal["act"] == {"sub": "sop-payroll"}
    # What HR's kernel makes of it: the person, and the service acting for them.
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(exchange.gateway.internal_jwks))
    verifier = InternalTokenVerifier(
        keys=InternalKeys(jwks_file=str(jwks)), issuer="sop-gateway", audience="sop-hr"
    )
    principal = await verifier.verify(seen["token"])
    assert (principal.subject, principal.acting_service) == ("alice", "sop-payroll")
    # The gateway authorises it like any token: payroll's allow-list has no hr:write.
    r = await exchange.client.post(
        "/hr/v1/employees", json={}, headers={"Authorization": f"Bearer {issued}"}
    )
    assert r.status_code == 403
    assert "hr:write" in r.json()["detail"]


async def test_nested_act_reaches_the_next_service(exchange, admin, tmp_path):
    tenant = await onboard(exchange, admin)
    for_hr = exchange.internal_token(
        tenant, audience="sop-hr", scopes="hr:read", actors=("sop-payroll",)
    )
    issued = (await exchange.exchange(for_hr, service="hr")).json()["access_token"]
    seen = await internal_token_at_service(exchange, issued, "/finance/v1/accounts")
    internal = claims_of(seen["token"])
    assert internal["act"] == {"sub": "sop-hr", "act": {"sub": "sop-payroll"}}
    assert internal["aud"] == "sop-finance"


async def test_act_from_any_other_issuer_is_ignored(exchange, admin, bearer):
    """Only the gateway's own exchange issuer names acting services: a department's (or the
    platform provider's) `act` never reaches a service's audit trail."""
    tenant = await onboard(exchange, admin)
    headers = bearer(sop_tenant=tenant, scope="hr:read", act={"sub": "sop-payroll"})
    seen = await internal_token_at_service(
        exchange, headers["Authorization"][7:], "/hr/v1/employees"
    )
    assert "act" not in claims_of(seen["token"])


async def test_a_suspended_tenants_issued_token_stops_at_the_door(exchange, admin):
    tenant = await onboard(exchange, admin)
    issued = (await exchange.exchange(exchange.internal_token(tenant))).json()["access_token"]
    await exchange.client.post(f"/platform/v1/tenants/{tenant}/suspend", headers=admin)
    r = await exchange.client.get("/hr/v1/employees", headers={"Authorization": f"Bearer {issued}"})
    assert r.status_code == 403


# -- parts ------------------------------------------------------------------------------------


async def test_replay_guard_forgets_an_assertion_once_it_expired():
    now = [1000.0]
    guard = MemoryReplayGuard(clock=lambda: now[0])
    assert await guard.first_use("sop-payroll\x00a", 1060.0)
    assert not await guard.first_use("sop-payroll\x00a", 1060.0)
    assert await guard.first_use("sop-hr\x00a", 1060.0)  # per client
    now[0] = 1061.0
    assert await guard.first_use("sop-payroll\x00a", 1120.0)


async def test_redis_replay_guard_shares_jtis_and_fails_closed():
    from redis.exceptions import ConnectionError as RedisConnectionError

    from sop_gateway.exchange.replay import RedisReplayGuard
    from sop_shared.errors import ServiceUnavailable

    class FakeRedis:
        def __init__(self) -> None:
            self.keys: dict[str, int] = {}
            self.down = False

        async def set(self, name: str, value: bytes, *, nx: bool, px: int) -> bool | None:
            if self.down:
                raise RedisConnectionError("gone")
            assert nx and px > 0
            if name in self.keys:
                return None
            self.keys[name] = px
            return True

        async def aclose(self) -> None:
            return None

    guard = RedisReplayGuard("redis://127.0.0.1:1", clock=lambda: 1000.0)
    fake = FakeRedis()
    guard._client = fake
    assert await guard.first_use("sop-payroll\x00a", 1060.0)
    assert not await guard.first_use("sop-payroll\x00a", 1060.0)
    assert fake.keys == {"sop:jti:sop-payroll\x00a": 60_000}
    fake.down = True
    with pytest.raises(ServiceUnavailable):
        await guard.first_use("sop-payroll\x00b", 1060.0)
    await guard.close()


def test_allow_lists_hold_tenant_scopes_only(tmp_path):
    def config(client: dict[str, Any]) -> PlatformConfig:
        return PlatformConfig.model_validate(
            {"services": {"payroll": {"url": "http://p", "client": client}}}
        )

    with pytest.raises(RuntimeError, match="platform:admin"):
        service_clients(
            config({"jwks_file": "k.json", "scopes": "hr:read platform:admin"}), lambda *a: None
        )
    with pytest.raises(RuntimeError, match="jwks_file"):
        service_clients(config({"scopes": "hr:read"}), lambda *a: None)
    with pytest.raises(ValueError, match="area:verb"):
        config({"jwks_file": "k.json", "scopes": "HR.Read"})
    clients = service_clients(
        config({"jwks_url": "", "jwks_file": "k.json", "scopes": ["hr:read", "hr:sensitive"]}),
        lambda *a: None,
    )
    assert clients["sop-payroll"].scopes == {"hr:read", "hr:sensitive"}
    assert not clients["sop-payroll"].scheduled


def test_production_refuses_a_client_jwks_url_over_http():
    from sop_gateway.app import refuse_unsafe_platform_config
    from sop_gateway.identity.config import identity_config

    platform = PlatformConfig.model_validate(
        {
            "services": {
                "payroll": {
                    "url": "https://payroll.internal",
                    "client": {"jwks_url": "http://payroll.internal/jwks", "scopes": "hr:read"},
                }
            },
            "identity": {"issuers": [{"issuer": "https://idp.example"}]},
        }
    )
    with pytest.raises(RuntimeError, match="jwks_url must be https"):
        refuse_unsafe_platform_config(identity_config(platform), platform)
