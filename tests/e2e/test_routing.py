"""Routing and limits end to end: what reaches a service (an internal token, never the
client's), propagated ids, streamed bodies and their limit, per-tenant rate limits, upstream
failures, the `/_internal` wall, and the merged OpenAPI document."""

from __future__ import annotations

import asyncio
import hashlib
import os

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ECHO = "/procurement/v1/echo"


async def test_the_service_gets_an_internal_token_and_propagated_ids(stack, client):
    tenant = await stack.onboard(client, cluster="defence")
    external = stack.tenant_headers(tenant, "procurement:read hr:read", sub="alice")
    trace_id = os.urandom(16).hex()
    r = await client.get(
        ECHO + "?page=2&q=a%20b",
        headers={
            **external,
            "X-Request-ID": "req-123",
            "traceparent": f"00-{trace_id}-{os.urandom(8).hex()}-01",
            "Cookie": "session=secret",
            "X-Custom": "kept",
        },
    )
    assert r.status_code == 200, r.text
    echo = r.json()
    assert r.headers["x-request-id"] == "req-123"
    assert echo["headers"]["x-request-id"] == "req-123"
    assert echo["headers"]["traceparent"].split("-")[1] == trace_id
    assert echo["headers"]["cookie"] is None
    assert echo["headers"]["x-custom"] == "kept"
    assert echo["query"] == "page=2&q=a%20b"
    assert (echo["tenant"], echo["cluster"], echo["subject"]) == (tenant, "defence", "alice")
    assert echo["scopes"] == ["procurement:read"]  # only this service's scopes travel
    token = echo["token"]
    assert token["iss"] == "sop-gateway"
    assert token["aud"] == "sop-procurement"
    assert token["exp"] - token["iat"] <= 300
    assert {"jti", "client_id", "sop_tenant", "sop_cluster", "scope", "sub"} <= set(token)


async def test_request_bodies_stream_through_unchanged(stack, client):
    tenant = await stack.onboard(client)
    headers = stack.tenant_headers(tenant, "procurement:write")
    body = os.urandom(1024 * 1024 + 17)
    r = await client.post(ECHO, content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["body_length"] == len(body)
    assert r.json()["body_sha256"] == hashlib.sha256(body).hexdigest()

    async def chunks():
        for i in range(0, len(body), 65536):
            yield body[i : i + 65536]

    r = await client.post(ECHO, content=chunks(), headers=headers)  # chunked, no length
    assert r.status_code == 200, r.text
    assert r.json()["body_sha256"] == hashlib.sha256(body).hexdigest()


async def test_a_body_over_the_limit_is_413(stack, client):
    tenant = await stack.onboard(client)
    headers = stack.tenant_headers(tenant, "procurement:write")
    r = await client.post(ECHO, content=b"x" * (stack.max_body + 1), headers=headers)
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"

    async def chunks():
        for _ in range(stack.max_body // 65536 + 2):
            yield b"y" * 65536

    r = await client.post(ECHO, content=chunks(), headers=headers)
    assert r.status_code == 413


async def test_a_flood_from_one_tenant_is_429_while_another_is_served(stack, client):
    flooder = await stack.onboard(client)
    neighbour = await stack.onboard(client)
    flood_headers = stack.tenant_headers(flooder, "procurement:read", client_id="busy-batch")
    results = await asyncio.gather(*(client.get(ECHO, headers=flood_headers) for _ in range(150)))
    statuses = [r.status_code for r in results]
    assert 429 in statuses
    assert statuses.count(200) >= 20
    limited = next(r for r in results if r.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json"

    r = await client.get(ECHO, headers=stack.tenant_headers(neighbour, "procurement:read"))
    assert r.status_code == 200


async def test_an_upstream_that_does_not_answer_in_time_is_504(stack, client):
    tenant = await stack.onboard(client)
    headers = stack.tenant_headers(tenant, "procurement:read")
    r = await client.get("/procurement/v1/slow", params={"seconds": 2.5}, headers=headers)
    assert r.status_code == 504
    assert r.json()["type"] == "urn:sop:problem:gateway-timeout"


@pytest.mark.parametrize(
    "path",
    [
        "/_internal/tenants/x",
        "/procurement/../_internal/tenants/x",
        "/procurement/%2e%2e/_internal/tenants/x",
        "/procurement/_internal/tenants/x",
        "/hr/v1/%2E%2E/%2E%2E/_internal/tenants/x",
    ],
)
async def test_internal_paths_are_never_routed(stack, client, path):
    tenant = await stack.onboard(client)
    headers = stack.tenant_headers(tenant, "procurement:read procurement:write hr:read")
    url = httpx.URL(stack.url + path)
    # Send the path exactly as written, without the client normalising the dot segments.
    request = client.build_request("PUT", url, json={"cluster": "matrix"}, headers=headers)
    request.url = request.url.copy_with(raw_path=path.encode())
    r = await client.send(request)
    assert r.status_code in (404, 405), r.text
    assert r.headers["content-type"] == "application/problem+json"


async def test_a_finer_scope_declared_by_the_service_is_enforced(stack, client):
    tenant = await stack.onboard(client)
    # The stand-in declares procurement:approve for this route; write is not enough.
    await _wait_for_docs(client)
    r = await client.post(
        "/procurement/v1/approvals", headers=stack.tenant_headers(tenant, "procurement:write")
    )
    assert r.status_code == 403
    assert "procurement:approve" in r.json()["detail"]
    r = await client.post(
        "/procurement/v1/approvals", headers=stack.tenant_headers(tenant, "procurement:approve")
    )
    assert r.status_code == 200, r.text


async def _wait_for_docs(client: httpx.AsyncClient) -> dict:
    for _ in range(50):
        doc = (await client.get("/openapi.json")).json()
        if doc["x-sop-services"].get("procurement") == "available":
            return doc
        await asyncio.sleep(0.2)
    raise AssertionError("the gateway never loaded the services' documents")


async def test_openapi_merges_the_services_and_the_platform(stack, client):
    doc = await _wait_for_docs(client)
    assert doc["openapi"].startswith("3.1")
    assert doc["x-sop-services"]["hr"] == "available"
    paths = doc["paths"]
    assert "/hr/v1/employees" in paths
    assert "/platform/v1/tenants" in paths
    assert not [p for p in paths if "_internal" in p]
    schemes = doc["components"]["securitySchemes"]
    flows = schemes["sop_oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"].endswith("/idp/token")
    assert flows["authorizationCode"]["authorizationUrl"].endswith("/idp/authorize")
    get_employees = paths["/hr/v1/employees"]["get"]
    assert get_employees["security"] == [{"sop_oauth2": ["hr:read"]}]
    docs_page = await client.get("/docs")
    assert docs_page.status_code == 200
    assert "swagger" in docs_page.text.lower()


async def test_every_response_carries_a_request_id(stack, client):
    for path in ("/healthz", "/nowhere", ECHO, "/platform/v1/tenants"):
        r = await client.get(path)
        assert r.headers["x-request-id"], path
