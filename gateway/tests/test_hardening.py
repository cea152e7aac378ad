"""The gateway's own hardening: every platform body capped, no body read for an anonymous
platform call, metrics not public, one Authorization header, bounded headers."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from sop_shared.testing.asgi import call_asgi

MIB = 1024 * 1024
PROBLEM = "application/problem+json"


async def call(
    app: Any,
    method: str,
    path: str,
    chunks: list[bytes],
    headers: list[tuple[bytes, bytes]],
    client: tuple[str, int] = ("127.0.0.1", 1234),
) -> tuple[int, dict[str, str], bytes, int]:
    return await call_asgi(app, method, path, chunks, headers, host="gateway.test", client=client)


def tenant_body(slug: str, pad: int) -> bytes:
    return b'{"slug": "' + slug.encode() + b'", "name": "' + b"n" * pad + b'", "cluster": "matrix"}'


def auth(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode(), v.encode()) for k, v in headers.items()]


JSON = [(b"content-type", b"application/json")]


async def test_platform_body_over_the_cap_with_content_length(gateway, admin):
    slug = f"t-{uuid.uuid4().hex[:10]}"
    body = tenant_body(slug, 11 * MIB)
    status, headers, _, read = await call(
        gateway.app,
        "POST",
        "/platform/v1/tenants",
        [body],
        [*auth(admin), *JSON, (b"content-length", str(len(body)).encode())],
    )
    assert status == 413 and headers["content-type"].startswith(PROBLEM)
    assert read == 0
    r = await gateway.client.get(f"/platform/v1/tenants/{slug}", headers=admin)
    assert r.status_code == 404


async def test_platform_body_over_the_cap_streamed(gateway, admin):
    slug = f"t-{uuid.uuid4().hex[:10]}"
    body = tenant_body(slug, 11 * MIB)
    chunks = [body[i : i + MIB] for i in range(0, len(body), MIB)]
    status, headers, _, read = await call(
        gateway.app, "POST", "/platform/v1/tenants", chunks, [*auth(admin), *JSON]
    )
    assert status == 413 and headers["content-type"].startswith(PROBLEM)
    assert read <= 11 * MIB  # cut off at the chunk that passed 10 MiB
    r = await gateway.client.get(f"/platform/v1/tenants/{slug}", headers=admin)
    assert r.status_code == 404


async def test_public_routes_are_capped_too(gateway):
    body = b"a" * (11 * MIB)
    for path in ("/idp/token", "/platform/v1/oauth/token"):
        status, headers, _, read = await call(
            gateway.app,
            "POST",
            path,
            [body],
            [
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"content-length", str(len(body)).encode()),
            ],
        )
        assert status == 413 and headers["content-type"].startswith(PROBLEM), path
        assert read == 0


async def test_no_token_is_401_before_the_body_is_read(gateway):
    body = tenant_body("t-anon", 5 * MIB)
    chunks = [body[i : i + MIB] for i in range(0, len(body), MIB)]
    for extra in ([], [(b"content-length", str(len(body)).encode())]):
        status, headers, _, read = await call(
            gateway.app, "POST", "/platform/v1/tenants", chunks, [*JSON, *extra]
        )
        assert status == 401 and headers["content-type"].startswith(PROBLEM)
        assert headers["www-authenticate"].startswith("Bearer")
        assert read == 0


async def test_public_routes_still_answer_without_a_token(gateway):
    r = await gateway.client.post(
        "/platform/v1/oauth/token", data={"grant_type": "client_credentials"}
    )
    assert r.status_code in (400, 401) and "error" in r.json()  # an OAuth error, not ours
    r = await gateway.client.post("/idp/token", data={"grant_type": "client_credentials"})
    assert r.status_code != 413 and r.headers.get("www-authenticate", "") != "Bearer"
    assert (await gateway.client.get("/healthz")).status_code == 200
    assert (await gateway.client.get("/idp/.well-known/openid-configuration")).status_code == 200


async def test_metrics_are_not_public(gateway, monkeypatch):
    status, _, _, _ = await call(gateway.app, "GET", "/metrics", [], [])
    assert status == 200  # loopback scraper, no token configured
    status, headers, _, _ = await call(
        gateway.app, "GET", "/metrics", [], [], client=("203.0.113.9", 4000)
    )
    assert status == 403 and headers["content-type"].startswith(PROBLEM)
    monkeypatch.setattr(gateway.gateway.settings, "metrics_token", "scrape-secret")
    status, _, _, _ = await call(gateway.app, "GET", "/metrics", [], [])
    assert status == 403  # with a token configured, loopback is not enough
    good = [(b"authorization", b"Bearer scrape-secret")]
    status, _, _, _ = await call(
        gateway.app, "GET", "/metrics", [], good, client=("203.0.113.9", 4000)
    )
    assert status == 200
    bad = [(b"authorization", b"Bearer wrong")]
    status, _, _, _ = await call(gateway.app, "GET", "/metrics", [], bad)
    assert status == 403


async def test_two_authorization_headers_are_refused(gateway, admin):
    token = admin["Authorization"]
    headers = [("Authorization", "Bearer junk"), ("Authorization", token)]
    r = await gateway.client.get("/platform/v1/tenants", headers=httpx.Headers(headers))
    assert r.status_code == 400
    assert r.headers["content-type"].startswith(PROBLEM)
    r = await gateway.client.get("/platform/v1/tenants", headers=admin)
    assert r.status_code == 200


async def test_header_count_and_size_are_capped(gateway, admin):
    many = httpx.Headers([*admin.items(), *((f"x-h{i}", "v") for i in range(100))])
    r = await gateway.client.get("/platform/v1/tenants", headers=many)
    assert r.status_code == 431 and r.headers["content-type"].startswith(PROBLEM)
    huge = {**admin, "x-big": "a" * (32 * 1024)}
    r = await gateway.client.get("/platform/v1/tenants", headers=huge)
    assert r.status_code == 431 and r.headers["content-type"].startswith(PROBLEM)
    near = httpx.Headers([*admin.items(), *((f"x-h{i}", "v") for i in range(80))])
    assert (await gateway.client.get("/platform/v1/tenants", headers=near)).status_code == 200


class _Pool:
    """Records what the proxy would forward, and answers as an unreachable upstream."""

    def __init__(self) -> None:
        self.forwarded: list[list[tuple[bytes, bytes]]] = []

    async def request(self, method, target, headers, body, size):
        from sop_gateway.upstream import UpstreamUnreachable

        self.forwarded.append(list(headers))
        raise UpstreamUnreachable("stub")


def _proxy(token: str) -> tuple[Any, _Pool]:
    from types import SimpleNamespace

    from sop_gateway.proxy import Proxy

    identity = SimpleNamespace(
        subject="u", client_id="c", tenant="t", scopes=(), actors=(), limit_key="k"
    )

    async def identify(_: str | None) -> Any:
        return identity

    async def hit(_: str) -> float:
        return 0.0

    gate = SimpleNamespace(
        identify=identify,
        tenant_of=lambda _: SimpleNamespace(cluster="matrix"),
        require=lambda *_: None,
    )
    pool = _Pool()
    proxy = Proxy(
        gate=gate,  # type: ignore[arg-type]
        rules=SimpleNamespace(required=lambda *_: ()),  # type: ignore[arg-type]
        limiter=SimpleNamespace(hit=hit),  # type: ignore[arg-type]
        tokens=SimpleNamespace(for_service=lambda *_, **__: token),  # type: ignore[arg-type]
        pools={"hr": pool},  # type: ignore[dict-item]
        max_body_bytes=MIB,
    )
    return proxy, pool


async def _through(proxy: Any, headers: list[tuple[bytes, bytes]]) -> int:
    status, _ = await _answer(proxy, headers)
    return status


async def _answer(proxy: Any, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    from sop_gateway.routes import Upstream

    async def via(scope: Any, receive: Any, send: Any) -> None:
        await proxy(scope, receive, send, Upstream(name="hr", base_url="http://hr.test"))

    status, _, body, _ = await call(via, "GET", "/hr/v1/employees", [], headers)
    return status, body


async def test_forwarded_requests_never_carry_more_headers_than_the_caps():
    proxy, pool = _proxy("t" * 2000)
    auth_header = [(b"authorization", b"Bearer client")]
    # Within the caps as sent, but over them once the gateway adds its own headers.
    many = [*auth_header, *((f"x-h{i}".encode(), b"v") for i in range(97))]
    assert await _through(proxy, many) == 431
    big = [*auth_header, (b"x-big", b"a" * (31 * 1024))]
    status, body = await _answer(proxy, big)
    assert status == 431
    assert json.loads(body)["type"] == "urn:sop:problem:headers-too-large"
    assert pool.forwarded == []
    assert await _through(proxy, [*auth_header, (b"x-ok", b"v")]) == 503  # the stub upstream
    (forwarded,) = pool.forwarded
    assert len(forwarded) <= 100
    assert sum(len(k) + len(v) for k, v in forwarded) <= 32 * 1024
