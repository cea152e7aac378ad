"""Delivering webhooks, on SQLite and PostgreSQL, to a receiver served in process (httpx's
ASGI transport) on a loopback URL (development rules): the signature verifies on the receiving
side, failures are retried on the schedule (a test clock, never a long sleep), a slow receiver
holds up only its own subscription, one that keeps failing is disabled with its reason, and a
tenant's subscription never receives another tenant's events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio
from sqlalchemy import select
from standardwebhooks import Webhook

from sop_gateway.webhooks.dispatcher import DeliveryWorker, matches, record
from sop_gateway.webhooks.signing import new_secret
from sop_gateway.webhooks.tables import deliveries, subscriptions
from sop_shared.db import Database
from sop_shared.events.envelope import Event

TYPE = "uk.gov.sop.hr.employee.updated.v1"


class Receiver:
    """An ASGI app that records each request and answers per path: a status, or hangs."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.status: dict[str, int] = {}
        self.hang: dict[str, asyncio.Event] = {}

    def got(self, path: str) -> list[tuple[str, dict[str, str], bytes]]:
        return [r for r in self.requests if r[0] == path]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append((path, headers, body))
        if path in self.hang:
            await self.hang[path].wait()
        status = self.status.get(path, 204)
        extra = [(b"location", b"http://169.254.169.254/")] if status in (301, 302) else []
        await send({"type": "http.response.start", "status": status, "headers": extra})
        await send({"type": "http.response.body", "body": b""})


class Clock:
    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest_asyncio.fixture(loop_scope="session")
async def database(gateway_db_url: str) -> AsyncIterator[Database]:
    db = Database(gateway_db_url)
    yield db
    await db.dispose()


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture(loop_scope="session")
async def make_worker(database: Database, receiver: Receiver, clock: Clock) -> AsyncIterator[Any]:
    made: list[DeliveryWorker] = []
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver))

    def make(**options: Any) -> DeliveryWorker:
        settings: dict[str, Any] = {
            "allow_loopback": True,
            "schedule": (5, 300, 1800),
            "timeout": 2.0,
            "client": client,
            "now": clock.now,
            "poll_interval": 0.05,
            **options,
        }
        worker = DeliveryWorker(database, **settings)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        await worker.stop()
    await client.aclose()


def path() -> str:
    return f"/hook-{uuid.uuid4().hex[:12]}"


async def subscription(
    database: Database,
    tenant: str,
    url_path: str,
    *,
    types: list[str] | None = None,
    host: str = "127.0.0.1:9",
    now: datetime | None = None,
) -> tuple[uuid.UUID, str]:
    id, secret, now = uuid.uuid4(), new_secret(), now or datetime.now(UTC)
    async with database.transaction() as session:
        await session.execute(
            subscriptions.insert().values(
                id=id,
                tenant=tenant,
                url=f"http://{host}{url_path}",
                event_types=types or [TYPE],
                description=None,
                enabled=True,
                secret=secret,
                consecutive_failures=0,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
    return id, secret


async def publish(database: Database, tenant: str, clock: Clock, type: str = TYPE) -> Event:
    event = Event(
        id=uuid.uuid4(),
        type=type,
        source="/hr",
        subject="employees/1",
        time=clock.now(),
        tenant=tenant,
        data={"id": "1", "name": "A. Person"},
    )
    async with database.transaction() as session:
        await record(session, event, clock.now())
    return event


async def until(condition: Any) -> None:
    """Polls the database (what the worker writes is not an event the test can await)."""
    async with asyncio.timeout(10):
        while not await condition():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def log_of(database: Database, sub: uuid.UUID) -> list[Any]:
    async with database.transaction() as session:
        return list(
            (
                await session.execute(
                    select(deliveries)
                    .where(deliveries.c.subscription_id == sub)
                    .order_by(deliveries.c.id)
                )
            ).all()
        )


async def subscription_row(database: Database, sub: uuid.UUID) -> Any:
    async with database.transaction() as session:
        return (
            await session.execute(select(subscriptions).where(subscriptions.c.id == sub))
        ).first()


def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def test_type_patterns():
    assert matches([TYPE], TYPE)
    assert matches(["uk.gov.sop.hr.*"], TYPE)
    assert matches(["*"], TYPE)
    assert not matches(["uk.gov.sop.finance.*", "uk.gov.sop.hr.employee.created.v1"], TYPE)


async def test_delivered_signed_and_verified_by_the_receiver(
    database, receiver, clock, make_worker
):
    t, p = tenant(), path()
    sub, secret = await subscription(database, t, p)
    event = await publish(database, t, clock)
    await make_worker().run_once()
    [(_, headers, body)] = receiver.got(p)
    envelope = Webhook(secret).verify(body, headers)
    assert envelope["id"] == str(event.id) and envelope["type"] == TYPE
    assert envelope["tenant"] == t and envelope["data"]["name"] == "A. Person"
    assert headers["webhook-id"] == str(event.id)
    assert headers["content-type"] == "application/json"
    [delivery] = await log_of(database, sub)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert delivery.last_latency_ms is not None and delivery.last_error is None


async def test_a_failure_is_retried_on_the_schedule(database, receiver, clock, make_worker):
    t, p = tenant(), path()
    sub, _ = await subscription(database, t, p)
    await publish(database, t, clock)
    worker = make_worker(schedule=(5, 300))
    receiver.status[p] = 500
    await worker.run_once()
    [d] = await log_of(database, sub)
    assert (d.status, d.attempts, d.last_status_code, d.last_error) == (
        "retrying",
        1,
        500,
        "HTTP 500",
    )
    clock.advance(4)
    await worker.run_once()
    assert len(receiver.got(p)) == 1  # not due yet
    clock.advance(1)
    await worker.run_once()
    assert len(receiver.got(p)) == 2
    clock.advance(299)
    await worker.run_once()
    assert len(receiver.got(p)) == 2
    receiver.status[p] = 200
    clock.advance(1)
    await worker.run_once()
    [d] = await log_of(database, sub)
    assert (d.status, d.attempts, d.last_status_code) == ("delivered", 3, 200)
    # The schedule spent, a delivery fails for good.
    receiver.status[p] = 503
    await publish(database, t, clock)
    for step in (0, 5, 300):
        clock.advance(step)
        await worker.run_once()
    last = (await log_of(database, sub))[-1]
    assert (last.status, last.attempts, last.next_attempt_at) == ("failed", 3, None)


async def test_a_timeout_and_a_redirect_are_failures(database, receiver, clock, make_worker):
    t, slow, moved = tenant(), path(), path()
    slow_sub, _ = await subscription(database, t, slow)
    moved_sub, _ = await subscription(database, t, moved)
    receiver.hang[slow] = asyncio.Event()
    receiver.status[moved] = 302
    await publish(database, t, clock)
    await make_worker(timeout=0.2).run_once()
    [d] = await log_of(database, slow_sub)
    assert d.status == "retrying" and "timed out" in d.last_error
    [d] = await log_of(database, moved_sub)
    assert (d.status, d.last_status_code) == ("retrying", 302)
    assert receiver.got("/") == []  # the redirect was not followed
    receiver.hang[slow].set()


async def test_a_slow_receiver_does_not_delay_another_subscription(
    database, receiver, clock, make_worker
):
    t, slow, quick = tenant(), path(), path()
    await subscription(database, t, slow)
    quick_sub, _ = await subscription(database, t, quick)
    receiver.hang[slow] = asyncio.Event()
    worker = make_worker(timeout=30, per_subscription=1)
    for _ in range(3):
        await publish(database, t, clock)
    await worker.start()

    async def quick_done() -> bool:
        return sum(d.status == "delivered" for d in await log_of(database, quick_sub)) == 3

    async def slow_done() -> bool:
        return len(receiver.got(slow)) == 3

    await until(quick_done)
    assert len(receiver.got(slow)) == 1  # one attempt in flight, the rest wait their turn
    receiver.hang[slow].set()
    await until(slow_done)


async def test_a_subscription_that_keeps_failing_is_disabled(
    database, receiver, clock, make_worker
):
    t, p = tenant(), path()
    sub, _ = await subscription(database, t, p)
    receiver.status[p] = 500
    worker = make_worker(schedule=(0, 0, 0, 0, 0), disable_after_failures=3)
    for _ in range(2):
        await publish(database, t, clock)
    for _ in range(3):
        await worker.run_once()
    row = await subscription_row(database, sub)
    assert not row.enabled and "3 deliveries in a row failed" in row.disabled_reason
    assert row.disabled_at is not None
    attempts = len(receiver.got(p))
    await worker.run_once()
    assert len(receiver.got(p)) == attempts  # nothing more goes to a disabled subscription
    async with database.transaction() as session:  # and no new deliveries are recorded
        assert await record(session, _event(t), clock.now()) == 0


async def test_every_delivery_failing_for_a_day_disables(database, receiver, clock, make_worker):
    t, p = tenant(), path()
    sub, _ = await subscription(database, t, p)
    receiver.status[p] = 500
    worker = make_worker(schedule=(3600,) * 30, disable_after=timedelta(hours=24))
    await publish(database, t, clock)
    await worker.run_once()
    assert (await subscription_row(database, sub)).enabled
    for _ in range(24):
        clock.advance(3600)
        await worker.run_once()
    row = await subscription_row(database, sub)
    assert not row.enabled and "every delivery failed since" in row.disabled_reason


async def test_a_tenant_never_receives_another_tenants_events(
    database, receiver, clock, make_worker
):
    mine, theirs = tenant(), tenant()
    my_path, their_path = path(), path()
    await subscription(database, mine, my_path, types=["*"])
    their_sub, _ = await subscription(database, theirs, their_path, types=["*"])
    event = await publish(database, mine, clock)
    await make_worker().run_once()
    assert [orjson.loads(b)["id"] for _, _, b in receiver.got(my_path)] == [str(event.id)]
    assert receiver.got(their_path) == []
    assert await log_of(database, their_sub) == []


async def test_addresses_are_checked_again_at_delivery(database, receiver, clock, make_worker):
    t, p = tenant(), path()
    sub, _ = await subscription(database, t, p, host="10.0.0.7")  # written past the API
    await publish(database, t, clock)
    await make_worker().run_once()
    [d] = await log_of(database, sub)
    assert d.status == "retrying" and d.last_error.startswith("refused")
    assert receiver.got(p) == []


def _event(tenant: str) -> Event:
    return Event(
        id=uuid.uuid4(),
        type=TYPE,
        source="/hr",
        subject="employees/1",
        time=datetime.now(UTC),
        tenant=tenant,
        data={},
    )


def test_the_checked_address_is_the_one_connected_to():
    import ipaddress

    from sop_gateway.webhooks.urls import pinned

    v4, v6 = ipaddress.ip_address("203.0.113.9"), ipaddress.ip_address("2001:db8::9")
    assert pinned("https://hooks.example.gov.uk/sop?x=1", v4) == (
        "https://203.0.113.9/sop?x=1",
        "hooks.example.gov.uk",
    )
    assert pinned("http://hooks.example.gov.uk:8080/sop", v6) == (
        "http://[2001:db8::9]:8080/sop",
        "hooks.example.gov.uk",
    )


async def test_a_host_name_is_resolved_checked_and_pinned(database, receiver, clock, make_worker):
    t, p = tenant(), path()
    sub, secret = await subscription(database, t, p, host="localhost:9")
    await publish(database, t, clock)
    await make_worker().run_once()
    [(_, headers, body)] = receiver.got(p)
    assert headers["host"] == "localhost:9"
    Webhook(secret).verify(body, headers)
    [d] = await log_of(database, sub)
    assert d.status == "delivered"


async def test_finished_deliveries_are_forgotten_after_the_retention(
    database, receiver, clock, make_worker
):
    t, ok, failing = tenant(), path(), path()
    ok_sub, _ = await subscription(database, t, ok)
    failing_sub, _ = await subscription(database, t, failing)
    receiver.status[failing] = 500
    await publish(database, t, clock)
    worker = make_worker(schedule=(60,), retention=timedelta(days=30))
    await worker.run_once()
    clock.advance(29 * 86400)
    await worker.run_once()
    await worker.purge()
    assert len(await log_of(database, ok_sub)) == len(await log_of(database, failing_sub)) == 1
    clock.advance(2 * 86400)
    await worker.purge()
    assert await log_of(database, ok_sub) == await log_of(database, failing_sub) == []
