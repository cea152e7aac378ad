"""The webhook API in process, on SQLite and PostgreSQL: the secret shown once, rotation,
tenants kept apart, the scope, SSRF rules, ETags, the delivery log and replay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from sop_gateway.webhooks.dispatcher import record
from sop_gateway.webhooks.service import signing_keys
from sop_gateway.webhooks.signing import signed_headers
from sop_gateway.webhooks.tables import subscriptions
from sop_gateway.webhooks.urls import RefusedUrl, check_url
from sop_shared.events.envelope import Event

BASE = "/platform/v1/webhooks"
TYPE = "uk.gov.sop.hr.employee.updated.v1"
RECEIVER = "http://127.0.0.1:9/hook"


async def tenant(gateway, admin) -> str:
    slug = f"t-{uuid.uuid4().hex[:10]}"
    r = await gateway.client.post(
        "/platform/v1/tenants",
        json={"slug": slug, "name": "Department", "cluster": "matrix"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    return slug


@pytest.fixture
def manager(bearer):
    def headers(slug: str, scope: str = "webhooks:manage") -> dict[str, str]:
        return bearer(scope=scope, sop_tenant=slug, sub="integrator", client_id="integrator")

    return headers


async def subscribe(gateway, headers, **body) -> dict:
    payload = {"url": RECEIVER, "event_types": [TYPE], "description": "HR feed", **body}
    r = await gateway.client.post(BASE, json=payload, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_create_shows_the_secret_once(gateway, admin, manager):
    me = manager(await tenant(gateway, admin))
    made = await subscribe(gateway, me)
    assert made["secret"].startswith("whsec_")
    Webhook(made["secret"])  # the library accepts it
    assert made["enabled"] and made["version"] == 1
    got = await gateway.client.get(f"{BASE}/{made['id']}", headers=me)
    assert got.status_code == 200 and "secret" not in got.json()
    assert got.headers["etag"] == '"1"'
    listed = await gateway.client.get(BASE, headers=me)
    assert [s["id"] for s in listed.json()["items"]] == [made["id"]]
    assert all("secret" not in s for s in listed.json()["items"])


async def test_idempotency_key_makes_one_subscription(gateway, admin, manager):
    me = manager(await tenant(gateway, admin))
    body = {"url": RECEIVER, "event_types": [TYPE]}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await gateway.client.post(BASE, json=body, headers={**me, **key})
    again = await gateway.client.post(BASE, json=body, headers={**me, **key})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    listed = await gateway.client.get(BASE, headers=me)
    assert len(listed.json()["items"]) == 1


async def test_pages_with_cursors(gateway, admin, manager):
    me = manager(await tenant(gateway, admin))
    made = {(await subscribe(gateway, me))["id"] for _ in range(3)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await gateway.client.get(BASE, params=params, headers=me)).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert set(seen) == made and len(seen) == 3


async def test_another_tenants_subscriptions_are_not_found(gateway, admin, manager):
    mine = manager(await tenant(gateway, admin))
    theirs = manager(await tenant(gateway, admin))
    made = await subscribe(gateway, mine)
    path = f"{BASE}/{made['id']}"
    assert (await gateway.client.get(path, headers=theirs)).status_code == 404
    r = await gateway.client.patch(
        path, json={"enabled": False}, headers={**theirs, "If-Match": '"1"'}
    )
    assert r.status_code == 404
    assert (await gateway.client.post(f"{path}/rotate-secret", headers=theirs)).status_code == 404
    assert (await gateway.client.get(f"{path}/deliveries", headers=theirs)).status_code == 404
    assert (await gateway.client.get(BASE, headers=theirs)).json()["items"] == []


async def test_the_scope_and_an_active_tenant_are_required(gateway, admin, manager, bearer):
    slug = await tenant(gateway, admin)
    assert (await gateway.client.get(BASE)).status_code == 401
    r = await gateway.client.get(BASE, headers=manager(slug, scope="hr:read"))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    # platform:admin is not a tenant's token
    assert (await gateway.client.get(BASE, headers=admin)).status_code == 403
    no_tenant = bearer(scope="webhooks:manage", sub="x", client_id="x")
    assert (await gateway.client.get(BASE, headers=no_tenant)).status_code == 403
    assert (await gateway.client.get(BASE, headers=manager("not-onboarded"))).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/hook",
        "file:///etc/passwd",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fd00::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://user:pw@127.0.0.1/hook",
        "not a url",
    ],
)
async def test_ssrf_refused(gateway, admin, manager, url):
    me = manager(await tenant(gateway, admin))
    r = await gateway.client.post(BASE, json={"url": url, "event_types": [TYPE]}, headers=me)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["url"]


async def test_loopback_refused_outside_development(gateway, admin, manager):
    me = manager(await tenant(gateway, admin))
    webhooks = gateway.gateway.webhooks
    webhooks.allow_loopback = False
    try:
        for url in (RECEIVER, "http://localhost:8080/hook", "http://[::1]/hook"):
            r = await gateway.client.post(
                BASE, json={"url": url, "event_types": [TYPE]}, headers=me
            )
            assert r.status_code == 422, (url, r.text)
    finally:
        webhooks.allow_loopback = True


async def test_url_rules():
    await check_url("https://8.8.8.8/hook", allow_loopback=False)
    await check_url("http://127.0.0.1:8000/hook", allow_loopback=True)
    for url in ("http://127.0.0.1/x", "http://100.64.0.1/x", "http://[fe80::1]/x"):
        with pytest.raises(RefusedUrl):
            await check_url(url, allow_loopback=False)
    with pytest.raises(RefusedUrl):
        await check_url("http://no-such-host.invalid/x", allow_loopback=True)


async def test_event_types_are_checked(gateway, admin, manager):
    me = manager(await tenant(gateway, admin))
    bad = await gateway.client.post(
        BASE, json={"url": RECEIVER, "event_types": ["employee.updated"]}, headers=me
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].endswith("event_types")
    ok = await subscribe(gateway, me, event_types=["uk.gov.sop.hr.*", TYPE])
    assert ok["event_types"] == sorted(["uk.gov.sop.hr.*", TYPE])


async def test_patch_and_delete_need_if_match(gateway, admin, manager):
    me = manager(await tenant(gateway, admin))
    made = await subscribe(gateway, me)
    path = f"{BASE}/{made['id']}"
    r = await gateway.client.patch(path, json={"description": "x"}, headers=me)
    assert r.status_code == 428
    r = await gateway.client.patch(
        path, json={"description": "x"}, headers={**me, "If-Match": '"7"'}
    )
    assert r.status_code == 412
    r = await gateway.client.patch(
        path, json={"description": "x", "enabled": False}, headers={**me, "If-Match": '"1"'}
    )
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    assert (r.json()["description"], r.json()["enabled"]) == ("x", False)
    r = await gateway.client.patch(
        path, json={"url": "http://10.1.1.1/"}, headers={**me, "If-Match": '"2"'}
    )
    assert r.status_code == 422
    assert (await gateway.client.delete(path, headers=me)).status_code == 428
    assert (await gateway.client.delete(path, headers={**me, "If-Match": '"1"'})).status_code == 412
    assert (await gateway.client.delete(path, headers={**me, "If-Match": '"2"'})).status_code == 204
    assert (await gateway.client.get(path, headers=me)).status_code == 404


async def test_rotation_signs_with_both_secrets_during_the_overlap(gateway, admin, manager):
    me = manager(await tenant(gateway, admin))
    made = await subscribe(gateway, me)
    r = await gateway.client.post(f"{BASE}/{made['id']}/rotate-secret", headers=me)
    assert r.status_code == 200
    rotated = r.json()
    assert rotated["secret"] != made["secret"] and rotated["version"] == 2
    assert rotated["previous_secret_expires_at"] is not None
    got = (await gateway.client.get(f"{BASE}/{made['id']}", headers=me)).json()
    assert "secret" not in got

    async with gateway.gateway.database.transaction() as session:
        row = (
            await session.execute(
                subscriptions.select().where(subscriptions.c.id == uuid.UUID(made["id"]))
            )
        ).first()
    now = datetime.now(UTC)
    body = b'{"hello": "world"}'
    headers = signed_headers(signing_keys(row, now), str(uuid.uuid4()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(made["secret"]).verify(body, headers)  # the old secret still verifies
    Webhook(rotated["secret"]).verify(body, headers)
    # After the overlap only the new secret signs.
    later = signing_keys(row, now + timedelta(hours=25))
    assert later == [rotated["secret"]]


async def test_delivery_log_and_replay(gateway, admin, manager):
    await gateway.gateway.webhook_worker.stop()  # the log stays as recorded
    slug = await tenant(gateway, admin)
    me = manager(slug)
    made = await subscribe(gateway, me)
    event = Event(
        id=uuid.uuid4(),
        type=TYPE,
        source="/hr",
        subject="employees/1",
        time=datetime.now(UTC),
        tenant=slug,
        data={"id": "1"},
    )
    async with gateway.gateway.database.transaction() as session:
        assert await record(session, event) == 1
    path = f"{BASE}/{made['id']}/deliveries"
    log = (await gateway.client.get(path, headers=me)).json()["items"]
    assert [(d["event_id"], d["status"], d["attempts"]) for d in log] == [
        (str(event.id), "pending", 0)
    ]
    assert (await gateway.client.get(path, params={"status": "delivered"}, headers=me)).json()[
        "items"
    ] == []
    replayed = await gateway.client.post(f"{path}/{log[0]['id']}/replay", headers=me)
    assert replayed.status_code == 202 and replayed.json()["status"] == "pending"
    missing = await gateway.client.post(f"{path}/{uuid.uuid4()}/replay", headers=me)
    assert missing.status_code == 404


async def test_changes_are_audited_without_the_secret(gateway, admin, manager):
    slug = await tenant(gateway, admin)
    me = manager(slug)
    made = await subscribe(gateway, me)
    await gateway.client.post(f"{BASE}/{made['id']}/rotate-secret", headers=me)
    r = await gateway.client.get(
        "/platform/v1/audit-events", params={"tenant": slug}, headers=admin
    )
    events = [e for e in r.json()["items"] if e["resource_type"] == "webhook_subscription"]
    assert [e["action"] for e in events] == [
        "webhook_subscription.created",
        "webhook_subscription.secret_rotated",
    ]
    assert events[0]["actor"] == "integrator" and events[0]["after"]["url"] == RECEIVER
    assert made["secret"] not in r.text


async def test_the_owner_enables_a_disabled_subscription_again(gateway, admin, manager):
    me = manager(await tenant(gateway, admin))
    made = await subscribe(gateway, me)
    async with gateway.gateway.database.transaction() as session:
        await session.execute(
            subscriptions.update()
            .where(subscriptions.c.id == uuid.UUID(made["id"]))
            .values(
                enabled=False,
                disabled_reason="100 deliveries in a row failed",
                disabled_at=datetime.now(UTC),
                consecutive_failures=100,
                version=2,
            )
        )
    path = f"{BASE}/{made['id']}"
    got = (await gateway.client.get(path, headers=me)).json()
    assert (got["enabled"], got["disabled_reason"]) == (False, "100 deliveries in a row failed")
    r = await gateway.client.patch(path, json={"enabled": True}, headers={**me, "If-Match": '"2"'})
    assert r.status_code == 200, r.text
    back = r.json()
    assert back["enabled"] and back["disabled_reason"] is None and back["disabled_at"] is None
    assert back["consecutive_failures"] == 0


async def test_a_tenant_has_a_bounded_number_of_subscriptions(gateway, admin, manager):
    me = manager(await tenant(gateway, admin))
    gateway.gateway.webhooks.max_per_tenant = 2
    for _ in range(2):
        await subscribe(gateway, me)
    r = await gateway.client.post(BASE, json={"url": RECEIVER, "event_types": [TYPE]}, headers=me)
    assert r.status_code == 409, r.text
    assert "at most 2" in r.json()["detail"]
