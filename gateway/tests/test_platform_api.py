"""The platform API in process, on SQLite and PostgreSQL: onboarding rules, listing and
paging, ETags and If-Match, suspension, issuers, audit, and who may call it."""

from __future__ import annotations

import uuid

import pytest


def slug() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


async def onboard(gateway, admin, **body) -> dict:
    payload = {"slug": slug(), "name": "Department", "cluster": "matrix", **body}
    r = await gateway.client.post("/platform/v1/tenants", json=payload, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()


async def test_onboarding_with_no_services_activates_at_once(gateway, admin, bearer):
    tenant = await onboard(gateway, admin)
    assert tenant["status"] == "active"
    assert tenant["version"] == 2
    assert gateway.gateway.registry.get(tenant["slug"]).status == "active"
    # In development, onboarding gives the tenant a demo client for `sop token`.
    from sop_gateway.devidp import repository

    async with gateway.gateway.database.transaction() as session:
        client = await repository.client(session, f"{tenant['slug']}-integrator")
    assert client is not None and client.tenant == tenant["slug"]


async def test_tenants_page_with_cursors(gateway, admin):
    made = {(await onboard(gateway, admin, cluster="synergy"))["slug"] for _ in range(3)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "cluster": "synergy", **({"cursor": cursor} if cursor else {})}
        r = await gateway.client.get("/platform/v1/tenants", params=params, headers=admin)
        assert r.status_code == 200
        page = r.json()
        seen += [t["slug"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor:
            assert 'rel="next"' in r.headers["link"]
        else:
            break
    assert made <= set(seen)
    bad = await gateway.client.get("/platform/v1/tenants?cursor=garbage", headers=admin)
    assert bad.status_code == 422


async def test_read_patch_and_the_etag(gateway, admin):
    tenant = await onboard(gateway, admin)
    path = f"/platform/v1/tenants/{tenant['slug']}"
    r = await gateway.client.get(path, headers=admin)
    assert r.headers["etag"] == '"2"'
    r = await gateway.client.patch(path, json={"name": "New name"}, headers=admin)
    assert r.status_code == 428
    r = await gateway.client.patch(
        path, json={"name": "New name"}, headers={**admin, "If-Match": '"1"'}
    )
    assert r.status_code == 412
    r = await gateway.client.patch(
        path, json={"name": "New name"}, headers={**admin, "If-Match": '"2"'}
    )
    assert r.status_code == 200
    assert (r.json()["name"], r.headers["etag"]) == ("New name", '"3"')
    missing = await gateway.client.get("/platform/v1/tenants/no-such-tenant", headers=admin)
    assert missing.status_code == 404


async def test_suspend_and_resume_take_effect_at_once(gateway, admin):
    tenant = (await onboard(gateway, admin))["slug"]
    r = await gateway.client.post(f"/platform/v1/tenants/{tenant}/suspend", headers=admin)
    assert r.json()["status"] == "suspended"
    assert gateway.gateway.registry.get(tenant).status == "suspended"
    again = await gateway.client.post(f"/platform/v1/tenants/{tenant}/suspend", headers=admin)
    assert again.status_code == 200  # idempotent
    r = await gateway.client.post(f"/platform/v1/tenants/{tenant}/resume", headers=admin)
    assert gateway.gateway.registry.get(tenant).status == "active"
    listed = await gateway.client.get(
        "/platform/v1/tenants", params={"status": "suspended"}, headers=admin
    )
    assert tenant not in [t["slug"] for t in listed.json()["items"]]


async def test_a_tenant_issuer_is_registered_and_bound(gateway, admin, ec_key):
    from sop_gateway.identity.jwks import StaticKeys
    from sop_gateway.testing import public_jwks, sign_token

    issuer = f"https://login.example/{uuid.uuid4().hex}/v2.0"
    tenant = await onboard(
        gateway,
        admin,
        issuer={"issuer": issuer, "audience": "api://sop", "claims": {"scopes": ["roles"]}},
    )
    assert tenant["issuer"]["issuer"] == issuer
    trusted = gateway.gateway.verifier.tenant_issuers[issuer]
    assert trusted.tenant == tenant["slug"]
    object.__setattr__(trusted, "keys", StaticKeys(public_jwks(ec_key)))
    identity = await gateway.gateway.verifier.verify(
        sign_token(ec_key, issuer=issuer, aud="api://sop", roles=["hr:read"])
    )
    assert (identity.tenant, identity.scopes) == (tenant["slug"], {"hr:read"})

    # One issuer, one tenant; and the platform's own issuer is never a tenant's.
    clash = await gateway.client.post(
        "/platform/v1/tenants",
        json={"slug": slug(), "name": "x", "cluster": "matrix", "issuer": {"issuer": issuer}},
        headers=admin,
    )
    assert clash.status_code == 409
    platform_issuer = gateway.gateway.verifier.platform_issuers[0].issuer
    shared = await gateway.client.post(
        "/platform/v1/tenants",
        json={
            "slug": slug(),
            "name": "x",
            "cluster": "matrix",
            "issuer": {"issuer": platform_issuer},
        },
        headers=admin,
    )
    assert shared.status_code == 422

    # Removing the issuer stops trusting it.
    path = f"/platform/v1/tenants/{tenant['slug']}"
    r = await gateway.client.patch(path, json={"issuer": None}, headers={**admin, "If-Match": "*"})
    assert r.status_code == 200 and r.json()["issuer"] is None
    assert issuer not in gateway.gateway.verifier.tenant_issuers


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "x", "name": "n", "cluster": "matrix"}, "slug"),
        ({"slug": "-bad-", "name": "n", "cluster": "matrix"}, "slug"),
        ({"slug": "good-one", "name": "", "cluster": "matrix"}, "name"),
        ({"slug": "good-two", "name": "n", "cluster": "nowhere"}, "cluster"),
        ({"slug": "good-three", "name": "n", "cluster": "matrix", "id": "x"}, "id"),
        (
            {
                "slug": "good-four",
                "name": "n",
                "cluster": "matrix",
                "issuer": {"issuer": "ftp://x"},
            },
            "issuer.issuer",
        ),
        (
            {
                "slug": "good-five",
                "name": "n",
                "cluster": "matrix",
                "issuer": {"issuer": "https://x", "algorithms": ["HS256"]},
            },
            "issuer.algorithms",
        ),
    ],
)
async def test_onboarding_refuses_bad_input(gateway, admin, body, field):
    r = await gateway.client.post("/platform/v1/tenants", json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]]


async def test_only_platform_admins_may_call(gateway, bearer):
    tenant_token = bearer(scope="hr:read hr:write", sop_tenant="cabinet-office")
    for method, path in (("GET", "/platform/v1/tenants"), ("GET", "/platform/v1/clusters")):
        r = await gateway.client.request(method, path, headers=tenant_token)
        assert r.status_code == 403
        r = await gateway.client.request(method, path)
        assert r.status_code == 401


async def test_clusters_show_bindings_without_credentials(gateway, admin):
    r = await gateway.client.get("/platform/v1/clusters/synergy", headers=admin)
    assert r.status_code == 200
    # No service is routed here: the config's binding, not confirmed by HR.
    assert r.json()["bindings"]["hr"] == {
        "adapter": "oracle_like",
        "base_url": "http://o",
        "source": "config",
        "live": False,
    }
    assert "secret" not in r.text
    assert (await gateway.client.get("/platform/v1/clusters/x", headers=admin)).status_code == 404


async def test_every_change_is_audited(gateway, admin):
    tenant = (await onboard(gateway, admin))["slug"]
    await gateway.client.post(f"/platform/v1/tenants/{tenant}/suspend", headers=admin)
    r = await gateway.client.get(
        "/platform/v1/audit-events", params={"tenant": tenant}, headers=admin
    )
    events = r.json()["items"]
    assert [e["action"] for e in events] == [
        "tenant.registered",
        "tenant.activated",
        "tenant.suspended",
    ]
    suspended = events[-1]
    assert suspended["actor"] == "ops" and suspended["client_id"] == "console"
    assert (suspended["before"]["status"], suspended["after"]["status"]) == ("active", "suspended")


async def test_an_idempotency_key_replays_the_onboarding_response(gateway, admin):
    body = {"slug": slug(), "name": "Keyed", "cluster": "matrix"}
    headers = {**admin, "Idempotency-Key": uuid.uuid4().hex}
    first = await gateway.client.post("/platform/v1/tenants", json=body, headers=headers)
    second = await gateway.client.post("/platform/v1/tenants", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()


async def test_health_metrics_and_the_internal_jwks(gateway):
    assert (await gateway.client.get("/healthz")).json()["status"] == "ok"
    assert (await gateway.client.get("/readyz")).status_code == 200
    jwks = (await gateway.client.get("/.well-known/sop-internal-jwks.json")).json()
    assert jwks == gateway.gateway.internal_jwks
    assert all(k["kty"] == "EC" and "d" not in k for k in jwks["keys"])
    metrics = await gateway.client.get("/metrics")
    assert "sop_http_requests_total" in metrics.text


async def test_unknown_routes_and_internal_paths_are_404_problems(gateway):
    for path in ("/nowhere", "/_internal/tenants/x"):
        r = await gateway.client.get(path)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
