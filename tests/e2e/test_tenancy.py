"""Tenants end to end: isolation between tenants in the real HR service, onboarding (and its
retry when a service is down), suspension and resumption, and the CLI against the API."""

from __future__ import annotations

import asyncio
import sys
import uuid

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

EMPLOYEES = "/hr/v1/employees"


def employee(number: str) -> dict:
    return {
        "employee_number": number,
        "first_name": "Grace",
        "last_name": "Hopper",
        "home_region": "england",
        "start_date": "2024-04-01",
    }


async def test_a_tenant_cannot_see_another_tenants_employee(stack, client):
    tenant_a = await stack.onboard(client)
    tenant_b = await stack.onboard(client)
    created = await client.post(
        EMPLOYEES, json=employee("E-1"), headers=stack.tenant_headers(tenant_b)
    )
    assert created.status_code == 201, created.text
    path = f"{EMPLOYEES}/{created.json()['id']}"

    r = await client.get(path, headers=stack.tenant_headers(tenant_a))
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    listed = await client.get(EMPLOYEES, headers=stack.tenant_headers(tenant_a))
    assert listed.json()["items"] == []

    own = await client.get(path, headers=stack.tenant_headers(tenant_b))
    assert own.status_code == 200
    assert own.json()["employee_number"] == "E-1"


async def test_onboarding_makes_a_new_tenants_tokens_work(stack, client):
    slug = f"t-{uuid.uuid4().hex[:10]}"
    headers = stack.tenant_headers(slug)
    before = await client.get(EMPLOYEES, headers=headers)
    assert before.status_code == 403

    body = {"slug": slug, "name": "Department for Tests", "cluster": "defence"}
    r = await client.post("/platform/v1/tenants", json=body, headers=stack.admin_headers())
    assert r.status_code == 201, r.text
    tenant = r.json()
    assert tenant["status"] == "active"
    assert tenant["provisioned_services"] == ["finance", "hr", "payroll", "procurement"]
    assert r.headers["location"] == f"/platform/v1/tenants/{slug}"

    after = await client.get(EMPLOYEES, headers=headers)
    assert after.status_code == 200, after.text

    # Repeating the same onboarding is harmless; a different definition is a conflict.
    again = await client.post("/platform/v1/tenants", json=body, headers=stack.admin_headers())
    assert again.status_code == 200
    other = {**body, "cluster": "matrix"}
    clash = await client.post("/platform/v1/tenants", json=other, headers=stack.admin_headers())
    assert clash.status_code == 409


async def test_while_a_service_is_down_calls_get_503_and_onboarding_waits_for_a_retry(
    stack, client
):
    """Both halves need procurement unreachable, so they share one outage."""
    ready = await stack.onboard(client)
    slug = f"t-{uuid.uuid4().hex[:10]}"
    body = {"slug": slug, "name": "Department in a hurry", "cluster": "matrix"}
    admin = stack.admin_headers()
    stack.standin_link.cut()
    try:
        # A routed call to the stopped service: 503 with Retry-After, as problem+json.
        r = await client.get(
            "/procurement/v1/echo", headers=stack.tenant_headers(ready, "procurement:read")
        )
        assert r.status_code == 503
        assert int(r.headers["retry-after"]) > 0
        assert r.json()["type"] == "urn:sop:problem:service-unavailable"

        # Onboarding is all or nothing: stored as provisioning, its tokens still refused.
        r = await client.post("/platform/v1/tenants", json=body, headers=admin)
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"]
        assert r.json()["pending_services"] == ["procurement"]
        shown = (await client.get(f"/platform/v1/tenants/{slug}", headers=admin)).json()
        assert shown["status"] == "provisioning"
        assert shown["provisioned_services"] == ["finance", "hr", "payroll"]
        refused = await client.get(EMPLOYEES, headers=stack.tenant_headers(slug))
        assert refused.status_code == 403
        assert "being onboarded" in refused.json()["detail"]
    finally:
        stack.standin_link.restore()

    # The same request again completes the onboarding.
    retry = await client.post("/platform/v1/tenants", json=body, headers=admin)
    assert retry.status_code == 201, retry.text
    assert retry.json()["status"] == "active"
    assert retry.json()["provisioned_services"] == ["finance", "hr", "payroll", "procurement"]
    served = await client.get(EMPLOYEES, headers=stack.tenant_headers(slug))
    assert served.status_code == 200
    echo = await client.get(
        "/procurement/v1/echo", headers=stack.tenant_headers(ready, "procurement:read")
    )
    assert echo.status_code == 200


async def test_a_suspended_tenants_tokens_get_403_until_resumed(stack, client):
    tenant = await stack.onboard(client)
    headers = stack.tenant_headers(tenant, "hr:read procurement:read")
    admin = stack.admin_headers()
    assert (await client.get(EMPLOYEES, headers=headers)).status_code == 200

    r = await client.post(f"/platform/v1/tenants/{tenant}/suspend", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "suspended"
    for path in (EMPLOYEES, "/procurement/v1/echo"):
        refused = await client.get(path, headers=headers)
        assert refused.status_code == 403, path
        assert refused.headers["content-type"] == "application/problem+json"
        assert "suspended" in refused.json()["detail"]

    r = await client.post(f"/platform/v1/tenants/{tenant}/resume", headers=admin)
    assert r.json()["status"] == "active"
    assert (await client.get(EMPLOYEES, headers=headers)).status_code == 200

    events = await client.get("/platform/v1/audit-events", params={"tenant": tenant}, headers=admin)
    actions = [e["action"] for e in events.json()["items"]]
    assert actions == [
        "tenant.registered",
        "tenant.activated",
        "tenant.suspended",
        "tenant.resumed",
    ]
    assert {e["actor"] for e in events.json()["items"]} == {"ops-1"}


async def test_patch_needs_if_match_and_changes_the_name(stack, client):
    tenant = await stack.onboard(client)
    admin = stack.admin_headers()
    path = f"/platform/v1/tenants/{tenant}"
    current = await client.get(path, headers=admin)
    etag = current.headers["etag"]

    r = await client.patch(path, json={"name": "Renamed"}, headers=admin)
    assert r.status_code == 428
    r = await client.patch(path, json={"name": "Renamed"}, headers={**admin, "If-Match": '"999"'})
    assert r.status_code == 412
    r = await client.patch(path, json={"name": "Renamed"}, headers={**admin, "If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Renamed"
    assert r.headers["etag"] != etag
    r = await client.patch(path, json={"cluster": "defence"}, headers={**admin, "If-Match": "*"})
    assert r.status_code == 422


async def test_platform_routes_need_platform_admin(stack, client):
    tenant = await stack.onboard(client)
    r = await client.get("/platform/v1/tenants", headers=stack.tenant_headers(tenant))
    assert r.status_code == 403
    r = await client.get("/platform/v1/clusters")
    assert r.status_code == 401
    r = await client.get("/platform/v1/clusters", headers=stack.admin_headers())
    assert r.status_code == 200
    names = [c["name"] for c in r.json()["items"]]
    assert names == ["defence", "matrix"]


async def test_onboarding_validates_the_slug_and_the_cluster(stack, client):
    admin = stack.admin_headers()
    cases = [
        ({"slug": "Bad Slug", "name": "x", "cluster": "matrix"}, "slug"),
        ({"slug": "dept-x", "name": "x", "cluster": "atlantis"}, "cluster"),
        ({"slug": "dept-y", "name": "x", "cluster": "matrix", "status": "active"}, "status"),
    ]
    for body, field in cases:
        r = await client.post("/platform/v1/tenants", json=body, headers=admin)
        assert r.status_code == 422, r.text
        assert field in [e["field"] for e in r.json()["errors"]]


async def test_the_cli_lists_and_suspends_tenants_through_the_api(stack, client):
    tenant = await stack.onboard(client)

    async def sop(*args: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from sop_gateway.cli import main; main()",
            "tenants",
            "--gateway",
            stack.url,
            "--token",
            stack.admin_headers()["Authorization"][7:],
            *args,
            env=stack.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        return out.decode()

    assert '"suspended"' in await sop("suspend", tenant)
    listing = await sop("list", "--status", "suspended")
    assert tenant in listing
    assert "suspended" in listing.splitlines()[0]
