"""The gateway's own refusals carry problem types of their own (not `about-blank` or a bare
`bad-request`), so a client can tell an oversized header block from a duplicate credential."""

from __future__ import annotations

import httpx

PROBLEM = "application/problem+json"


def problem(r: httpx.Response) -> dict:
    assert r.headers["content-type"].startswith(PROBLEM), r.headers
    return r.json()


async def test_too_many_headers_is_headers_too_large(gateway, admin):
    many = httpx.Headers([*admin.items(), *((f"x-h{i}", "v") for i in range(100))])
    r = await gateway.client.get("/platform/v1/tenants", headers=many)
    body = problem(r)
    assert r.status_code == 431 == body["status"]
    assert body["type"] == "urn:sop:problem:headers-too-large"
    assert body["title"] == "Request headers too large"
    assert "more than 100 request headers" in body["detail"]


async def test_too_many_header_bytes_is_headers_too_large(gateway, admin):
    r = await gateway.client.get(
        "/platform/v1/tenants", headers={**admin, "x-big": "a" * (32 * 1024)}
    )
    body = problem(r)
    assert r.status_code == 431
    assert body["type"] == "urn:sop:problem:headers-too-large"
    assert "32768 bytes" in body["detail"]


async def test_two_authorization_headers_is_its_own_type(gateway, admin):
    headers = httpx.Headers([("Authorization", "Bearer junk"), *admin.items()])
    r = await gateway.client.get("/platform/v1/tenants", headers=headers)
    body = problem(r)
    assert r.status_code == 400
    assert body["type"] == "urn:sop:problem:duplicate-authorization"
    assert body["title"] == "More than one Authorization header"
