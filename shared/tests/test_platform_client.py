"""The kernel's client for service-to-service calls, against a small in-process stand-in for the
gateway (httpx's ASGITransport): client assertions, token caching, retries only when safe or
keyed, problems as typed exceptions, 503 and transport failures as ServiceUnavailable with the
upstream's Retry-After. Then what the callee's kernel records: the acting service."""

from __future__ import annotations

import asyncio
import base64
import json
from collections import Counter
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sop_shared.context import request_id_var
from sop_shared.errors import ServiceUnavailable, Unauthorized
from sop_shared.platform_client import (
    PlatformClient,
    PlatformProblem,
    TokenExchangeRefused,
    client_jwks_file,
    load_client_key,
    main,
)
from sop_shared.security import InternalKeys, InternalTokenVerifier, generate_signing_key
from sop_shared.settings import ServiceSettings

GATEWAY = "http://gateway.test"
TOKEN_URL = GATEWAY + "/platform/v1/oauth/token"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


def fake_token(n: int, tenant: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'ES256'})}.{part({'sop_tenant': tenant, 'n': n})}.sig"


class FakeGateway:
    """The token endpoint (checking each client assertion) and a few routes whose failures
    the tests decide."""

    def __init__(self, key: ECKey, *, expires_in: int = 300) -> None:
        self.key = key
        self.expires_in = expires_in
        self.exchanges: list[dict[str, str]] = []
        self.jtis: set[str] = set()
        self.calls: Counter[str] = Counter()
        self.seen_tokens: list[str] = []
        self.seen_headers: list[dict[str, str]] = []
        self.failures: Counter[str] = Counter()  # path -> how many more times to fail
        self.revoked: set[str] = set()
        self.app = Starlette(
            routes=[
                Route("/platform/v1/oauth/token", self.token, methods=["POST"]),
                Route("/hr/v1/{name}", self.hr, methods=["GET", "POST", "PATCH", "DELETE"]),
            ]
        )

    async def token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        assertion = jwt.decode(form["client_assertion"], self.key)
        claims = assertion.claims
        assert assertion.header["kid"] == self.key.kid
        assert form["client_assertion_type"].endswith("client-assertion-type:jwt-bearer")
        assert claims["iss"] == claims["sub"] == "sop-payroll"
        assert claims["aud"] == TOKEN_URL
        assert claims["exp"] - claims["iat"] <= 300
        assert claims["jti"] not in self.jtis  # a fresh assertion every time
        self.jtis.add(claims["jti"])
        if self.failures["token"]:
            self.failures["token"] -= 1
            return JSONResponse({"type": "x", "title": "down"}, status_code=503)
        if form.get("subject_token") == "expired":
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "the subject token has expired"},
                status_code=400,
            )
        self.exchanges.append(form)
        if form["grant_type"] == TOKEN_EXCHANGE:
            tenant = form["subject_token"].split(":")[0]
        else:
            tenant = form["resource"].removeprefix("urn:sop:tenant:")
        body = {
            "access_token": fake_token(len(self.exchanges), tenant),
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": form.get("scope", "hr:read hr:sensitive"),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def hr(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.calls[f"{request.method} {name}"] += 1
        token = request.headers.get("authorization", "")[7:]
        self.seen_tokens.append(token)
        self.seen_headers.append(dict(request.headers))
        if token in self.revoked:
            return JSONResponse(
                {"type": "urn:sop:problem:unauthorized", "title": "Authentication required"},
                status_code=401,
                media_type="application/problem+json",
            )
        if self.failures[name]:
            self.failures[name] -= 1
            return JSONResponse(
                {"type": "urn:sop:problem:service-unavailable", "title": "Service unavailable"},
                status_code=503,
                headers={"Retry-After": "0"},
                media_type="application/problem+json",
            )
        if name == "down":
            return JSONResponse(
                {
                    "type": "urn:sop:problem:service-unavailable",
                    "title": "Service unavailable",
                    "status": 503,
                    "detail": "the hr service is unreachable; retry shortly",
                },
                status_code=503,
                headers={"Retry-After": "7"},
                media_type="application/problem+json",
            )
        if name == "invalid":
            return JSONResponse(
                {
                    "type": "urn:sop:problem:validation-failed",
                    "title": "Request is not valid",
                    "status": 422,
                    "detail": "1 field is not valid",
                    "request_id": "rid-1",
                    "errors": [{"field": "name", "message": "required"}],
                },
                status_code=422,
                media_type="application/problem+json",
            )
        if name == "slow":
            await asyncio.sleep(5)
        response = JSONResponse({"ok": True, "method": request.method})
        if name == "cookie":
            response.set_cookie("session", "someone-elses", domain="gateway.test")
        return response


@pytest.fixture
def key() -> ECKey:
    return generate_signing_key()


@pytest.fixture
def gateway(key: ECKey) -> FakeGateway:
    return FakeGateway(key)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pauses() -> list[float]:
    return []


def client_for(
    gateway: FakeGateway, key: ECKey, pauses: list[float], **options: Any
) -> PlatformClient:
    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    options.setdefault("sleep", sleep)
    return PlatformClient(
        GATEWAY,
        "sop-payroll",
        key,
        transport=httpx.ASGITransport(app=gateway.app),
        **options,
    )


# -- tokens -------------------------------------------------------------------------------------


async def test_acting_for_exchanges_once_and_reuses_the_token_until_near_expiry(
    gateway, key, pauses
):
    clock = Clock()
    gateway.expires_in = 120
    async with client_for(gateway, key, pauses, clock=clock, refresh_margin=30) as platform:
        hr = await platform.acting_for("t-one:alice-request")
        assert hr.tenant == "t-one"
        assert (await hr.get("/hr/v1/employees")).json() == {"ok": True, "method": "GET"}
        await hr.get("/hr/v1/employees")
        again = await platform.acting_for("t-one:alice-request")  # same subject, same scopes
        await again.get("/hr/v1/employees")
        assert len(gateway.exchanges) == 1
        assert gateway.exchanges[0]["grant_type"] == TOKEN_EXCHANGE
        assert gateway.exchanges[0]["subject_token"] == "t-one:alice-request"
        assert gateway.exchanges[0]["subject_token_type"] == "urn:ietf:params:oauth:token-type:jwt"
        assert "scope" not in gateway.exchanges[0]  # the whole allow-list
        assert len(set(gateway.seen_tokens)) == 1

        # Other scopes, or another person's request: another token.
        await (await platform.acting_for("t-one:alice-request", scopes=["hr:read"])).get(
            "/hr/v1/employees"
        )
        await (await platform.acting_for("t-one:bob-request")).get("/hr/v1/employees")
        assert len(gateway.exchanges) == 3
        assert gateway.exchanges[1]["scope"] == "hr:read"

        clock.now += 89  # still 31 s left: cached
        await hr.get("/hr/v1/employees")
        assert len(gateway.exchanges) == 3
        clock.now += 2  # within 30 s of expiry: exchanged again, the session carries on
        await hr.get("/hr/v1/employees")
        assert len(gateway.exchanges) == 4
        assert gateway.seen_tokens[-1] != gateway.seen_tokens[0]


async def test_concurrent_callers_share_one_exchange(gateway, key, pauses):
    async with client_for(gateway, key, pauses) as platform:
        sessions = await asyncio.gather(
            *(platform.acting_for("t-one:alice-request") for _ in range(20))
        )
        await asyncio.gather(*(s.get("/hr/v1/employees") for s in sessions))
    assert len(gateway.exchanges) == 1
    assert platform.exchanges == 1


async def test_scheduled_work_names_the_tenant(gateway, key, pauses):
    async with client_for(gateway, key, pauses) as platform:
        nightly = await platform.scheduled("t-two", scopes="hr:read")
        await nightly.get("/hr/v1/employees")
    form = gateway.exchanges[0]
    assert (form["grant_type"], form["resource"], form["scope"]) == (
        "client_credentials",
        "urn:sop:tenant:t-two",
        "hr:read",
    )
    assert nightly.tenant == "t-two"


async def test_a_refused_exchange_is_typed(gateway, key, pauses):
    async with client_for(gateway, key, pauses) as platform:
        with pytest.raises(TokenExchangeRefused) as refused:
            await platform.acting_for("expired")
    assert (refused.value.status, refused.value.error) == (400, "invalid_grant")
    assert "expired" in (refused.value.detail or "")
    assert isinstance(refused.value, PlatformProblem)


async def test_a_token_endpoint_outage_is_retried_then_unavailable(gateway, key, pauses):
    async with client_for(gateway, key, pauses) as platform:
        gateway.failures["token"] = 1
        await platform.acting_for("t-one:alice-request")  # one 503, then a token
        assert len(gateway.exchanges) == 1
        gateway.failures["token"] = 10
        with pytest.raises(ServiceUnavailable):
            await platform.acting_for("t-one:bob-request")


async def test_a_token_refused_at_the_door_is_exchanged_again_once(gateway, key, pauses):
    async with client_for(gateway, key, pauses) as platform:
        hr = await platform.acting_for("t-one:alice-request")
        await hr.get("/hr/v1/employees")
        gateway.revoked.add(gateway.seen_tokens[-1])  # say, the gateway's keys rotated
        r = await hr.post("/hr/v1/employees", json={"name": "x"})  # not keyed, yet safe here
        assert r.status_code == 200
        assert len(gateway.exchanges) == 2
        gateway.revoked.add(gateway.seen_tokens[-1])
        gateway.revoked.add(fake_token(3, "t-one"))
        with pytest.raises(PlatformProblem) as problem:
            await hr.get("/hr/v1/employees")
        assert problem.value.status == 401


# -- retries and deadlines ----------------------------------------------------------------------


async def test_safe_calls_are_retried_with_backoff(gateway, key, pauses):
    async with client_for(gateway, key, pauses, attempts=3, backoff=0.1) as platform:
        hr = await platform.acting_for("t-one:alice-request")
        gateway.failures["flaky"] = 2
        r = await hr.get("/hr/v1/flaky")
        assert r.status_code == 200
        assert gateway.calls["GET flaky"] == 3
        assert len(pauses) == 2
        assert 0.05 <= pauses[0] <= 0.1 and 0.1 <= pauses[1] <= 0.2  # doubling, with jitter


async def test_unsafe_calls_are_retried_only_with_an_idempotency_key(gateway, key, pauses):
    async with client_for(gateway, key, pauses, attempts=3) as platform:
        hr = await platform.acting_for("t-one:alice-request")
        for method in ("post", "patch", "delete"):
            gateway.failures["things"] = 1
            with pytest.raises(ServiceUnavailable):
                await getattr(hr, method)("/hr/v1/things")
            assert gateway.calls[f"{method.upper()} things"] == 1  # never sent twice
        gateway.failures["things"] = 2
        r = await hr.post("/hr/v1/things", json={}, headers={"Idempotency-Key": "k-1"})
        assert r.status_code == 200
        assert gateway.calls["POST things"] == 4  # 1 above, then 3 with the key


async def test_503_becomes_service_unavailable_with_the_upstreams_retry_after(gateway, key, pauses):
    async with client_for(gateway, key, pauses, attempts=2, deadline=30) as platform:
        hr = await platform.acting_for("t-one:alice-request")
        with pytest.raises(ServiceUnavailable) as unavailable:
            await hr.get("/hr/v1/down")
    assert unavailable.value.status == 503
    assert unavailable.value.headers["Retry-After"] == "7"
    assert "unreachable" in (unavailable.value.detail or "")
    assert gateway.calls["GET down"] == 2
    assert pauses == [7.0]  # the retry waited as long as the upstream asked


async def test_transport_failures_become_service_unavailable(key, pauses):
    attempts = Counter[str]()

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts[request.url.path] += 1
        if request.url.path.endswith("/token"):
            token = fake_token(1, "t-one")
            return httpx.Response(200, json={"access_token": token, "expires_in": 300})
        raise httpx.ConnectError("connection refused", request=request)

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    platform = PlatformClient(
        GATEWAY, "sop-payroll", key, transport=httpx.MockTransport(refuse), sleep=sleep
    )
    async with platform:
        hr = await platform.acting_for("t-one:alice-request")
        with pytest.raises(ServiceUnavailable) as unavailable:
            await hr.get("/hr/v1/employees")
        assert unavailable.value.headers["Retry-After"] == "5"
        assert "ConnectError" in (unavailable.value.detail or "")
        assert attempts["/hr/v1/employees"] == 3
        with pytest.raises(ServiceUnavailable):
            await hr.post("/hr/v1/employees", json={})
        assert attempts["/hr/v1/employees"] == 4  # a POST without a key: tried once


async def test_each_call_has_a_deadline(gateway, key, pauses):
    async with client_for(gateway, key, pauses, deadline=5) as platform:
        hr = await platform.acting_for("t-one:alice-request")
        with pytest.raises(ServiceUnavailable) as unavailable:
            await hr.get("/hr/v1/slow", deadline=0.2)
    assert "0.2s" in (unavailable.value.detail or "")


# -- problems -----------------------------------------------------------------------------------


async def test_a_problem_answer_is_a_typed_exception(gateway, key, pauses):
    async with client_for(gateway, key, pauses) as platform:
        hr = await platform.acting_for("t-one:alice-request")
        with pytest.raises(PlatformProblem) as problem:
            await hr.post("/hr/v1/invalid", json={})
    p = problem.value
    assert (p.status, p.type, p.title) == (
        422,
        "urn:sop:problem:validation-failed",
        "Request is not valid",
    )
    assert p.detail == "1 field is not valid"
    assert p.errors == [{"field": "name", "message": "required"}]
    assert p.request_id == "rid-1"
    assert gateway.calls["POST invalid"] == 1


async def test_the_request_id_travels_and_no_cookie_is_kept(gateway, key, pauses):
    async with client_for(gateway, key, pauses) as platform:
        hr = await platform.acting_for("t-one:alice-request")
        token = request_id_var.set("rid-42")
        try:
            await hr.get("/hr/v1/employees")
        finally:
            request_id_var.reset(token)
        assert gateway.seen_headers[-1]["x-request-id"] == "rid-42"
        await hr.get("/hr/v1/cookie")
        await hr.get("/hr/v1/employees")
        assert "cookie" not in gateway.seen_headers[-1]
        assert not platform._http.cookies


# -- keys and settings --------------------------------------------------------------------------


def test_development_generates_the_key_and_publishes_its_jwks(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_DATA_DIR", str(tmp_path))
    settings = ServiceSettings(service="payroll", env="development")
    assert settings.client_key_file == str(tmp_path / "keys" / "payroll-client-key.json")
    assert settings.client_id == "sop-payroll"
    key = load_client_key(settings)
    assert load_client_key(settings).kid == key.kid  # kept across restarts
    published = json.loads((tmp_path / "keys" / "payroll-client-jwks.json").read_text())
    assert [k["kid"] for k in published["keys"]] == [key.kid]
    assert all("d" not in k for k in published["keys"])
    platform = PlatformClient.from_settings(settings)
    assert (platform.client_id, platform.audience) == (
        "sop-payroll",
        "http://127.0.0.1:8000/platform/v1/oauth/token",
    )
    assert client_jwks_file("/k/hr-client-key.json").name == "hr-client-jwks.json"


def test_production_needs_a_provisioned_key(tmp_path, capsys):
    common = {
        "service": "payroll",
        "env": "production",
        "database_url": "postgresql+asyncpg://db/payroll",
        "internal_jwks_url": "https://gateway/keys",
    }
    with pytest.raises(ValueError, match="CLIENT_KEY_FILE"):
        ServiceSettings(**common)
    with pytest.raises(ValueError, match="does not exist"):
        ServiceSettings(**common, client_key_file=str(tmp_path / "absent.json"))
    missing = ServiceSettings.model_construct(**common, client_key_file=str(tmp_path / "gone"))
    with pytest.raises(RuntimeError, match="never generated in production"):
        load_client_key(missing)
    assert not (tmp_path / "gone").exists()

    provisioned = tmp_path / "payroll-key.json"
    key = generate_signing_key()
    provisioned.write_text(json.dumps(key.as_dict(private=True)))
    settings = ServiceSettings(**common, client_key_file=str(provisioned))
    assert load_client_key(settings).kid == key.kid
    assert not (tmp_path / "payroll-jwks.json").exists()  # production writes nothing
    assert main(["public-jwks", str(provisioned)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["keys"][0]["kid"] == key.kid and "d" not in printed["keys"][0]


# -- at the callee: the acting service in the audit trail ---------------------------------------


async def test_the_callees_audit_event_names_the_person_and_the_acting_service(toy, mint, tenant):
    token, _ = mint.signer.sign(
        audience="sop-toy",
        subject="alice",
        client_id="sop-payroll",
        tenant=tenant,
        cluster="matrix",
        scopes="toy:read toy:write",
        actors=("sop-payroll",),
    )
    headers = {"Authorization": f"Bearer {token}"}
    r = await toy.post("/toy/v1/widgets", json={"name": "w", "price": "1.00"}, headers=headers)
    assert r.status_code == 201, r.text
    direct = mint.headers(tenant=tenant, audience="sop-toy", scopes="toy:read toy:write")
    r2 = await toy.post("/toy/v1/widgets", json={"name": "v", "price": "2.00"}, headers=direct)
    assert r2.status_code == 201, r2.text
    events = (await toy.get("/toy/v1/audit-events", headers=headers)).json()["items"]
    by_resource = {e["resource_id"]: e for e in events}
    acted = by_resource[r.json()["id"]]
    assert (acted["actor"], acted["client_id"], acted["acting_service"]) == (
        "alice",
        "sop-payroll",
        "sop-payroll",
    )
    assert by_resource[r2.json()["id"]]["acting_service"] is None


async def test_a_malformed_act_is_refused_by_the_callee(toy, mint, tenant):
    token, _ = mint.signer.sign(
        audience="sop-toy",
        subject="alice",
        client_id="sop-payroll",
        tenant=tenant,
        cluster="matrix",
        scopes="toy:read",
        actors=("x" * 64,),
    )
    verifier = InternalTokenVerifier(
        keys=InternalKeys(jwks_file=str(mint.jwks_file)), issuer="sop-gateway", audience="sop-toy"
    )
    with pytest.raises(Unauthorized, match="act"):
        await verifier.verify(token)
    r = await toy.get("/toy/v1/widgets", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
