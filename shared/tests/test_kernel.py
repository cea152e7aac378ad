"""The kernel's contracts, seen from a client of a toy service on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

SCOPES = "toy:read toy:write"


def auth(mint, tenant, scopes=SCOPES, **kw):
    return mint.headers(tenant=tenant, scopes=scopes, audience="sop-toy", **kw)


async def test_no_token_is_401_problem(toy):
    r = await toy.get("/toy/v1/widgets")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 401 and body["type"].startswith("urn:sop:problem:")
    assert r.headers["x-request-id"]


async def test_token_for_other_service_is_refused(toy, mint, tenant):
    r = await toy.get("/toy/v1/widgets", headers=mint.headers(tenant=tenant, audience="sop-hr"))
    assert r.status_code == 401


async def test_missing_scope_is_403(toy, mint, tenant):
    r = await toy.post(
        "/toy/v1/widgets",
        json={"name": "a", "price": "1.00"},
        headers=auth(mint, tenant, scopes="toy:read"),
    )
    assert r.status_code == 403, r.text
    assert "toy:write" in r.json()["detail"]


async def test_create_returns_201_location_etag_and_money_string(toy, mint, tenant):
    r = await toy.post(
        "/toy/v1/widgets", json={"name": "a", "price": "12.50"}, headers=auth(mint, tenant)
    )
    assert r.status_code == 201
    assert r.headers["location"].endswith(r.json()["id"])
    assert r.headers["etag"] == '"1"'
    assert r.json()["price"] == "12.50"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a", "price": 1.5}, "price"),
        ({"name": "a", "price": "1.234"}, "price"),
        ({"name": "a", "price": "1.00", "tenant": "x"}, "tenant"),
        ({"price": "1.00"}, "name"),
    ],
)
async def test_bad_input_is_422_naming_the_field_and_writes_nothing(toy, mint, tenant, body, field):
    r = await toy.post("/toy/v1/widgets", json=body, headers=auth(mint, tenant))
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]
    listed = await toy.get("/toy/v1/widgets", headers=auth(mint, tenant))
    assert listed.json()["items"] == []


async def test_tenants_never_see_each_other(toy, mint, tenant, other_tenant):
    r = await toy.post(
        "/toy/v1/widgets", json={"name": "mine", "price": "1.00"}, headers=auth(mint, tenant)
    )
    wid = r.json()["id"]
    assert (
        await toy.get(f"/toy/v1/widgets/{wid}", headers=auth(mint, other_tenant))
    ).status_code == 404
    assert (await toy.get("/toy/v1/widgets", headers=auth(mint, other_tenant))).json()[
        "items"
    ] == []
    r = await toy.patch(
        f"/toy/v1/widgets/{wid}",
        json={"name": "x", "price": "1.00"},
        headers={**auth(mint, other_tenant), "If-Match": '"1"'},
    )
    assert r.status_code == 404


async def test_if_match_required_and_checked(toy, mint, tenant):
    wid = (
        await toy.post(
            "/toy/v1/widgets", json={"name": "a", "price": "1.00"}, headers=auth(mint, tenant)
        )
    ).json()["id"]
    body = {"name": "b", "price": "2.00"}
    assert (
        await toy.patch(f"/toy/v1/widgets/{wid}", json=body, headers=auth(mint, tenant))
    ).status_code == 428
    stale = await toy.patch(
        f"/toy/v1/widgets/{wid}", json=body, headers={**auth(mint, tenant), "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    ok = await toy.patch(
        f"/toy/v1/widgets/{wid}", json=body, headers={**auth(mint, tenant), "If-Match": '"1"'}
    )
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"' and ok.json()["version"] == 2
    again = await toy.patch(
        f"/toy/v1/widgets/{wid}", json=body, headers={**auth(mint, tenant), "If-Match": '"1"'}
    )
    assert again.status_code == 412


async def test_idempotent_post_replays_and_rejects_other_body(toy, mint, tenant):
    h = {**auth(mint, tenant), "Idempotency-Key": "key-1"}
    first = await toy.post("/toy/v1/widgets", json={"name": "a", "price": "1.00"}, headers=h)
    second = await toy.post("/toy/v1/widgets", json={"name": "a", "price": "1.00"}, headers=h)
    assert first.status_code == second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    other = await toy.post("/toy/v1/widgets", json={"name": "b", "price": "1.00"}, headers=h)
    assert other.status_code == 422
    items = (await toy.get("/toy/v1/widgets", headers=auth(mint, tenant))).json()["items"]
    assert len(items) == 1


async def test_concurrent_same_key_creates_once(toy, mint, tenant):
    h = {**auth(mint, tenant), "Idempotency-Key": "race"}
    body = {"name": "a", "price": "1.00"}
    results = await asyncio.gather(
        *[toy.post("/toy/v1/widgets", json=body, headers=h) for _ in range(5)]
    )
    assert {r.status_code for r in results} <= {201, 409}
    items = (await toy.get("/toy/v1/widgets", headers=auth(mint, tenant))).json()["items"]
    assert len(items) == 1


async def test_failed_request_writes_nothing_and_hides_the_trace(toy, mint, tenant):
    r = await toy.post("/toy/v1/explode", headers=auth(mint, tenant))
    assert r.status_code == 500
    assert "boom" not in r.text and "Traceback" not in r.text
    assert r.json()["request_id"] == r.headers["x-request-id"]
    assert (await toy.get("/toy/v1/widgets", headers=auth(mint, tenant))).json()["items"] == []


async def test_pagination_walks_every_item_once(toy, mint, tenant):
    for i in range(7):
        await toy.post(
            "/toy/v1/widgets", json={"name": f"w{i}", "price": "1.00"}, headers=auth(mint, tenant)
        )
    seen, url = [], "/toy/v1/widgets?limit=3"
    while url:
        r = await toy.get(url, headers=auth(mint, tenant))
        seen += [w["name"] for w in r.json()["items"]]
        nxt = r.json()["next_cursor"]
        if nxt:
            assert 'rel="next"' in r.headers["link"]
        url = f"/toy/v1/widgets?limit=3&cursor={nxt}" if nxt else None
    assert seen == [f"w{i}" for i in range(7)]
    bad = await toy.get("/toy/v1/widgets?cursor=garbage", headers=auth(mint, tenant))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


async def test_audit_records_changes_and_masks_sensitive_fields(toy, mint, tenant):
    wid = (
        await toy.post(
            "/toy/v1/widgets", json={"name": "a", "price": "1.00"}, headers=auth(mint, tenant)
        )
    ).json()["id"]
    await toy.patch(
        f"/toy/v1/widgets/{wid}",
        json={"name": "b", "price": "3.00"},
        headers={**auth(mint, tenant), "If-Match": '"1"'},
    )
    rr = await toy.get("/toy/v1/audit-events", headers=auth(mint, tenant))
    assert rr.status_code == 200, rr.text
    events = rr.json()["items"]
    assert [e["action"] for e in events] == ["widget.created", "widget.updated"]
    assert events[1]["before"]["name"] == "a" and events[1]["after"]["name"] == "b"
    assert events[1]["after"]["price"] == "***"
    full = await toy.get(
        "/toy/v1/audit-events", headers=auth(mint, tenant, scopes="toy:read toy:sensitive")
    )
    assert full.json()["items"][1]["after"]["price"] == "3.00"
    assert events[0]["actor"] == "user-1"


async def test_health_ready_metrics(toy):
    assert (await toy.get("/healthz")).status_code == 200
    assert (await toy.get("/readyz")).json() == {"status": "ready"}
    assert "sop_http_requests_total" in (await toy.get("/metrics")).text


async def test_request_id_is_kept_and_trace_continued(toy, mint, tenant):
    tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    r = await toy.get(
        "/toy/v1/widgets/00000000-0000-7000-8000-000000000000",
        headers={**auth(mint, tenant), "X-Request-ID": "abc-123", "traceparent": tp},
    )
    assert r.headers["x-request-id"] == "abc-123"
    assert r.json()["trace_id"] == "0af7651916cd43dd8448eb211c80319c"


async def test_expired_idempotency_keys_are_purged_and_the_key_works_afresh(toy, mint, tenant):
    from datetime import timedelta

    from sop_shared.db import utcnow

    h = {**auth(mint, tenant), "Idempotency-Key": "old-key"}
    first = await toy.post("/toy/v1/widgets", json={"name": "a", "price": "1.00"}, headers=h)
    store = toy._transport.app.state.kernel.idempotency
    assert await store.purge_expired(now=utcnow() + timedelta(hours=25)) >= 1
    again = await toy.post("/toy/v1/widgets", json={"name": "a", "price": "1.00"}, headers=h)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]


async def test_database_down_gives_503_with_retry_after(mint, tenant, tmp_path):
    """A service whose database is unreachable answers 503 + Retry-After, not 500 or a hang."""
    import httpx

    from sop_shared.app import create_service_app
    from sop_shared.settings import ServiceSettings

    from .conftest import router  # the toy routes

    url = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
    settings = ServiceSettings(
        service="toy",
        database_url=url,
        env="test",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
    )
    app = create_service_app(settings=settings, title="Toy", description="toy", routers=[router])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://toy") as client:
        r = await client.get("/toy/v1/widgets", headers=auth(mint, tenant))
        ready = await client.get("/readyz")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "2"
    assert r.headers["content-type"] == "application/problem+json"
    assert ready.status_code == 503


async def test_openapi_declares_problems_including_503_on_every_operation(toy):
    spec = (await toy.get("/openapi.json")).json()
    assert "ProblemDocument" in spec["components"]["schemas"]
    operations = [op for item in spec["paths"].values() for op in item.values()]
    assert operations
    for operation in operations:
        unavailable = operation["responses"]["503"]
        assert "application/problem+json" in unavailable["content"]
