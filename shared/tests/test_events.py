"""Events end to end on real PostgreSQL and real NATS JetStream: the outbox commits with the
change, the relay publishes in order and stamps, nothing is lost or acted on twice when NATS
goes away or the relay is killed mid-batch, a poison event ends in the dead letters (and can be
replayed), and a redelivered event is a no-op for the consumer's inbox."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import httpx
import nats
import pytest
import pytest_asyncio
from fastapi import APIRouter, Request
from sqlalchemy import Column, Integer, String, Table, Uuid, func, insert, select

from sop_shared.app import create_service_app
from sop_shared.context import Principal
from sop_shared.db import Database, SessionDep, new_metadata
from sop_shared.events import (
    EVENTS_STREAM,
    Consumer,
    Event,
    Relay,
    SessionOutbox,
    Subscription,
    decode,
    encode,
    filter_subject,
)
from sop_shared.events.jetstream import DEAD_LETTER_STREAM, dead_letters, replay, status
from sop_shared.ids import uuid7
from sop_shared.kernel import kernel_of
from sop_shared.kernel_tables import inbox, kernel_metadata, outbox
from sop_shared.security import scopes
from sop_shared.settings import ServiceSettings
from sop_shared.testing.nats import own_server

TYPE = "uk.gov.sop.toy.note.created.v1"

metadata = new_metadata()
notes = Table(
    "notes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant", String(63), nullable=False),
    Column("text", String(100), nullable=False),
)
# What handlers did: one row per time a handler ran (no unique key: a second run shows).
acted = Table(
    "acted",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("aggregate", String(300)),
    Column("i", Integer),
)

router = APIRouter(prefix="/toy/v1")
Writer = Annotated[Principal, scopes("toy:write")]


@router.post("/notes", status_code=201)
async def create_note(body: dict, request: Request, session: SessionDep, who: Writer) -> dict:
    note_id = uuid7()
    await session.execute(insert(notes).values(id=note_id, tenant=who.tenant, text=body["text"]))
    await (
        kernel_of(request)
        .outbox(session, who)
        .publish(
            TYPE,
            subject=f"notes/{note_id}",
            aggregate=f"note:{note_id}",
            data={"id": note_id, "text": body["text"]},
        )
    )
    if body.get("fail"):
        raise RuntimeError("after publishing: the change and its event must both vanish")
    return {"id": str(note_id)}


# -- fixtures and helpers -----------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session")
async def db(make_postgres_database) -> AsyncIterator[Database]:
    """A database of the test's own (each relay publishes its whole outbox)."""
    url = await make_postgres_database(f"events_{uuid.uuid4().hex[:8]}")
    database = Database(url, pool_size=5)
    async with database.engine.begin() as conn:
        await conn.run_sync(kernel_metadata.create_all)
        await conn.run_sync(metadata.create_all)
    yield database
    await database.dispose()


@pytest.fixture
def who(tenant) -> Principal:
    return Principal(subject="u1", client_id="c1", tenant=tenant, cluster="matrix")


@pytest_asyncio.fixture(loop_scope="session")
async def cleanup() -> AsyncIterator[list[Callable[[], Awaitable[Any]]]]:
    """Things to stop when the test ends (consumers, relays, their durable consumers)."""
    todo: list[Callable[[], Awaitable[Any]]] = []
    yield todo
    for undo in reversed(todo):
        try:
            await undo()
        except Exception as exc:  # cleanup is best effort
            print(f"cleanup: {exc!r}")


async def write(
    db: Database, who: Principal, count: int, *, start: int = 0, aggregates: int = 0, **extra: Any
) -> None:
    """`count` events, each committed in its own transaction (as requests do)."""
    for i in range(start, start + count):
        aggregate = f"note:{i % aggregates}" if aggregates else f"note:{i}"
        async with db.transaction() as session:
            await SessionOutbox(session, who, "toy").publish(
                TYPE, subject=f"notes/{i}", aggregate=aggregate, data={"i": i, **extra}
            )


def recorder(name: str) -> Callable[[Any, Event], Awaitable[None]]:
    async def handle(session: Any, event: Event) -> None:
        await session.execute(
            insert(acted).values(
                consumer=name, event_id=event.id, aggregate=event.aggregate, i=event.data.get("i")
            )
        )

    return handle


async def until(condition: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s")
        await asyncio.sleep(0.05)


async def scalar(db: Database, query: Any) -> Any:
    async with db.engine.connect() as conn:
        return await conn.scalar(query)


async def acted_count(db: Database, name: str) -> int:
    return await scalar(db, select(func.count()).select_from(acted).where(acted.c.consumer == name))


async def acted_distinct(db: Database, name: str) -> int:
    return await scalar(
        db, select(func.count(acted.c.event_id.distinct())).where(acted.c.consumer == name)
    )


async def unpublished(db: Database) -> int:
    return await scalar(
        db, select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    )


async def start_consumer(
    cleanup: list, name: str, url: str, db: Database, handler=None, **kwargs: Any
) -> Consumer:
    consumer = Consumer(
        name,
        kwargs.pop("subjects"),
        handler or recorder(name),
        database=db,
        nats_url=url,
        **kwargs,
    )
    await consumer.start()

    async def forget() -> None:
        await consumer.stop()
        nc = await nats.connect(url)
        try:
            await nc.jsm().delete_consumer(EVENTS_STREAM, name)
        finally:
            await nc.close()

    cleanup.append(forget)
    await asyncio.wait_for(consumer.ready.wait(), 20)
    return consumer


def start_relay(cleanup: list, db: Database, url: str, **kwargs: Any) -> Relay:
    relay = Relay(db, url, service="toy", **kwargs)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))

    async def halt() -> None:
        stop.set()
        await asyncio.wait_for(task, 10)

    cleanup.append(halt)
    return relay


# -- the outbox in a request's transaction ------------------------------------------------


async def test_a_committed_change_has_its_event_and_a_rolled_back_one_has_none(db, mint, tenant):
    settings = ServiceSettings(
        service="toy",
        database_url=db.url,
        env="test",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
    )
    app = create_service_app(
        settings=settings, title="Toy", description="toy", routers=[router], database=db
    )
    headers = mint.headers(tenant=tenant, scopes="toy:write", audience="sop-toy", cluster="unity")
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://toy") as client:
        made = await client.post("/toy/v1/notes", json={"text": "kept"}, headers=headers)
        failed = await client.post(
            "/toy/v1/notes", json={"text": "lost", "fail": True}, headers=headers
        )
    assert made.status_code == 201, made.text
    assert failed.status_code == 500
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(outbox))).mappings().all()
        kept = (await conn.execute(select(notes))).mappings().all()
    assert [n["text"] for n in kept] == ["kept"]
    (row,) = rows
    note_id = made.json()["id"]
    assert row["type"] == TYPE
    assert row["source"] == "/toy"
    assert row["tenant"] == tenant and row["cluster"] == "unity"
    assert row["subject"] == f"notes/{note_id}" and row["aggregate"] == f"note:{note_id}"
    assert row["data"] == {"id": note_id, "text": "kept"}
    assert row["id"].version == 7
    assert row["published_at"] is None and row["attempts"] == 0
    assert row["occurred_at"].tzinfo is not None


# -- the relay ----------------------------------------------------------------------------


async def test_the_relay_publishes_in_id_order_with_the_event_id_and_stamps(
    db, who, nats_url, tenant
):
    # Two aggregates interleaved: the relay pipelines different aggregates, not one's events.
    await write(db, who, 30, aggregates=2)
    async with db.engine.connect() as conn:
        ids = list(await conn.scalars(select(outbox.c.id).order_by(outbox.c.id)))
    relay = Relay(db, nats_url, service="toy", batch_size=8)
    await relay.connect()
    try:
        published = [await relay.relay_once() for _ in range(5)]
    finally:
        await relay.close()
    assert published == [8, 8, 8, 6, 0]
    assert await unpublished(db) == 0

    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe(
            filter_subject("toy", tenant), stream=EVENTS_STREAM
        )
        messages = await sub.fetch(30, timeout=5)
        await sub.unsubscribe()
    finally:
        await nc.close()
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [str(i) for i in ids]
    assert {m.subject for m in messages} == {f"sop.toy.{tenant}.{TYPE}"}
    events = [decode(m.data) for m in messages]
    assert [e.data["i"] for e in events] == list(range(30))
    assert {e.aggregate for e in events} == {"note:0", "note:1"}


async def test_nats_stopped_while_writes_continue_loses_nothing_and_doubles_nothing(
    db, who, tenant, nats_server_binary, tmp_path, cleanup
):
    server = own_server(nats_server_binary, tmp_path)
    server.start()
    cleanup.append(lambda: asyncio.to_thread(server.stop))
    name = f"outage-{tenant}"
    consumer = await start_consumer(
        cleanup, name, server.url, db, subjects=filter_subject("toy", tenant)
    )
    start_relay(cleanup, db, server.url, publish_timeout=1.0, max_backoff=0.3)

    await write(db, who, 20)
    await until(lambda: _equals(acted_count(db, name), 20))

    await asyncio.to_thread(server.stop)  # NATS goes away; the service keeps writing
    await write(db, who, 20, start=20)
    await asyncio.sleep(0.5)
    assert await unpublished(db) > 0  # waiting, not lost

    await asyncio.to_thread(server.start)  # back, same port and storage
    await write(db, who, 10, start=40)
    await until(lambda: _equals(acted_distinct(db, name), 50))
    await until(lambda: _equals(unpublished(db), 0))
    await asyncio.sleep(0.3)  # anything redelivered would show up now
    assert await acted_count(db, name) == 50
    inboxed = await scalar(
        db, select(func.count()).select_from(inbox).where(inbox.c.consumer == name)
    )
    assert inboxed == 50
    assert consumer.handled == 50


async def test_a_relay_killed_mid_batch_republishes_and_nothing_is_acted_on_twice(
    db, who, tenant, nats_url, tmp_path, cleanup
):
    name = f"kill-{tenant}"
    consumer = await start_consumer(
        cleanup, name, nats_url, db, subjects=filter_subject("toy", tenant)
    )
    await write(db, who, 60)
    log = (tmp_path / "relay.log").open("w")

    def relay_process(*extra: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sop_shared.events.relay",
                "--service",
                "toy",
                "--database-url",
                db.url,
                "--nats-url",
                nats_url,
                "--batch-size",
                "25",
                *extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "SOP_LOG_JSON": "false"},
        )

    # The first relay publishes a batch, gets its acks, and dies before stamping it.
    first = relay_process("--pause-before-stamp", "60")
    try:
        await until(lambda: _at_least(_handled(consumer), 25), within=30)
        assert await unpublished(db) == 60  # published, acked, consumed: but not stamped
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert first.returncode == -signal.SIGKILL

    second = relay_process()
    try:
        await until(lambda: _equals(unpublished(db), 0), within=30)
        await until(lambda: _equals(acted_distinct(db, name), 60))
        await asyncio.sleep(0.3)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(10) == 0  # a clean stop
        log.close()
    assert await acted_count(db, name) == 60
    # JetStream dropped the 25 republished rows: the stream holds each event once.
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jsm().stream_info(
            EVENTS_STREAM, subjects_filter=filter_subject("toy", tenant)
        )
    finally:
        await nc.close()
    assert sum((info.state.subjects or {}).values()) == 60
    assert consumer.duplicates == 0


async def test_two_relays_on_one_database_take_turns_and_keep_the_order(
    db, who, tenant, nats_url, cleanup
):
    name = f"pair-{tenant}"
    consumer = await start_consumer(
        cleanup, name, nats_url, db, subjects=filter_subject("toy", tenant)
    )
    first = start_relay(cleanup, db, nats_url, batch_size=10)
    second = start_relay(cleanup, db, nats_url, batch_size=10)
    await write(db, who, 60, aggregates=3)
    await until(lambda: _equals(acted_distinct(db, name), 60))
    # (the consumer can act on a batch before its relay has committed the stamps)
    await until(lambda: _equals(_sum_published(first, second), 60))  # each row by one of them
    async with db.engine.connect() as conn:
        order = list(await conn.scalars(select(acted.c.i).order_by(acted.c.n)))
    assert order == list(range(60))  # the consumer saw them in commit order
    assert consumer.duplicates == 0


async def test_events_flow_on_sqlite_too(who, tenant, nats_url, tmp_path, cleanup):
    """`sop run`'s default: each service on a SQLite file, its relay beside it."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'toy.db'}")
    cleanup.append(db.dispose)
    async with db.engine.begin() as conn:
        await conn.run_sync(kernel_metadata.create_all)
        await conn.run_sync(metadata.create_all)
    name = f"lite-{tenant}"
    consumer = await start_consumer(
        cleanup, name, nats_url, db, subjects=filter_subject("toy", tenant)
    )
    relays = [start_relay(cleanup, db, nats_url) for _ in range(2)]  # one waits on the lock
    await write(db, who, 20, aggregates=2)
    await until(lambda: _equals(acted_count(db, name), 20))
    await until(lambda: _equals(unpublished(db), 0))  # stamped (maybe after the consumer acted)
    assert sorted(r.published for r in relays) == [0, 20]
    assert consumer.handled == 20 and consumer.duplicates == 0


# -- consumers ----------------------------------------------------------------------------


async def test_a_poison_event_is_dead_lettered_after_max_deliver_and_can_be_replayed(
    db, who, tenant, nats_url, cleanup
):
    name = f"poison-{tenant}"
    healthy = asyncio.Event()

    async def handle(session: Any, event: Event) -> None:
        if event.data.get("poison") and not healthy.is_set():
            raise ValueError("cannot digest this note")
        await recorder(name)(session, event)

    consumer = await start_consumer(
        cleanup,
        name,
        nats_url,
        db,
        handle,
        subjects=filter_subject("toy", tenant),
        max_deliver=3,
        backoff=(0.05, 0.1),
    )
    start_relay(cleanup, db, nats_url)
    await write(db, who, 1, start=0)
    await write(db, who, 1, start=1, poison=True)
    await write(db, who, 1, start=2)
    await until(lambda: _at_least(_dead(consumer), 1))
    await until(lambda: _equals(acted_count(db, name), 2))
    assert consumer.failures == 3  # three deliveries, each failed, then given up

    nc = await nats.connect(nats_url)
    try:
        (letter,) = await dead_letters(nc, consumer=name)
        assert letter.original_subject == f"sop.toy.{tenant}.{TYPE}"
        assert letter.failure == "ValueError: cannot digest this note"
        assert letter.deliveries == 3
        assert letter.tenant == tenant and letter.type == TYPE
        streams = {s.name: s for s in await status(nc)}
        assert {EVENTS_STREAM, DEAD_LETTER_STREAM} <= set(streams)
        assert name in {c.name for c in streams[EVENTS_STREAM].consumers}

        healthy.set()  # the bug is fixed: replay it
        subject, _ = await replay(nc, letter.seq)
        assert subject == letter.original_subject
        await until(lambda: _equals(acted_count(db, name), 3))
        assert await dead_letters(nc, consumer=name) == []  # replayed letters are removed
    finally:
        await nc.close()
    async with db.engine.connect() as conn:
        done = sorted(await conn.scalars(select(acted.c.i).where(acted.c.consumer == name)))
    assert done == [0, 1, 2]


async def test_an_unavailable_database_is_not_the_events_fault(db, who, tenant, nats_url, cleanup):
    """Failures of the infrastructure are retried without counting towards the dead letters."""
    name = f"outage-db-{tenant}"
    away = {"calls": 0}

    async def handle(session: Any, event: Event) -> None:
        away["calls"] += 1
        if away["calls"] <= 4:
            raise ConnectionError("the database went away")
        await recorder(name)(session, event)

    consumer = await start_consumer(
        cleanup,
        name,
        nats_url,
        db,
        handle,
        subjects=filter_subject("toy", tenant),
        max_deliver=2,
        backoff=(0.05,),
    )
    start_relay(cleanup, db, nats_url)
    await write(db, who, 1)
    await until(lambda: _equals(acted_count(db, name), 1))
    assert consumer.dead_lettered == 0 and consumer.failures == 0
    assert consumer.unavailable == 4


async def test_a_redelivered_or_republished_event_is_a_no_op(db, who, tenant, nats_url, cleanup):
    name = f"dedup-{tenant}"
    already = Event(
        id=uuid7(),
        type=TYPE,
        source="/toy",
        subject="notes/x",
        time=who_time(),
        tenant=tenant,
        data={"i": 99},
    )
    # Acted on before (its ack was lost, say): the inbox has it.
    async with db.transaction() as session:
        await session.execute(
            insert(inbox).values(
                consumer=name, event_id=already.id, tenant=tenant, received_at=who_time()
            )
        )
    consumer = await start_consumer(
        cleanup, name, nats_url, db, subjects=filter_subject("toy", tenant)
    )
    fresh = Event(
        id=uuid7(),
        type=TYPE,
        source="/toy",
        subject="notes/y",
        time=who_time(),
        tenant=tenant,
        data={"i": 1},
    )
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        subject = f"sop.toy.{tenant}.{TYPE}"
        # The same event twice, past JetStream's duplicate window (different message ids).
        await js.publish(subject, encode(fresh), headers={"Nats-Msg-Id": f"{tenant}-a"})
        await js.publish(subject, encode(fresh), headers={"Nats-Msg-Id": f"{tenant}-b"})
        await js.publish(subject, encode(already), headers={"Nats-Msg-Id": f"{tenant}-c"})
    finally:
        await nc.close()
    await until(lambda: _at_least(_seen(consumer), 3))
    assert consumer.handled == 1
    assert consumer.duplicates == 2
    assert await acted_count(db, name) == 1


async def test_a_slow_handler_does_not_hold_up_another_consumer(db, who, tenant, nats_url, cleanup):
    release = asyncio.Event()

    async def slow(session: Any, event: Event) -> None:
        await release.wait()
        await recorder("slow")(session, event)

    subjects = filter_subject("toy", tenant)
    slow_one = await start_consumer(
        cleanup, f"slow-{tenant}", nats_url, db, slow, subjects=subjects
    )
    fast_one = await start_consumer(cleanup, f"fast-{tenant}", nats_url, db, subjects=subjects)
    start_relay(cleanup, db, nats_url)
    await write(db, who, 3)
    await until(lambda: _equals(_handled(fast_one), 3), within=10)
    assert slow_one.handled == 0
    release.set()
    await until(lambda: _equals(_handled(slow_one), 3), within=10)


async def test_a_service_runs_its_consumers_while_it_runs(db, mint, tenant, nats_url, cleanup):
    """Request -> outbox -> relay -> NATS -> the app's own consumer -> its database."""
    name = f"app-{tenant}"
    settings = ServiceSettings(
        service="toy",
        database_url=db.url,
        env="test",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
    )
    app = create_service_app(
        settings=settings,
        title="Toy",
        description="toy",
        routers=[router],
        database=db,
        consumers=[Subscription(name, filter_subject("toy", tenant), recorder(name))],
        nats_url=nats_url,
    )

    async def forget() -> None:
        nc = await nats.connect(nats_url)
        try:
            await nc.jsm().delete_consumer(EVENTS_STREAM, name)
        finally:
            await nc.close()

    cleanup.append(forget)
    start_relay(cleanup, db, nats_url)
    headers = mint.headers(tenant=tenant, scopes="toy:write", audience="sop-toy")
    async with app.router.lifespan_context(app):
        (consumer,) = app.state.consumers
        await asyncio.wait_for(consumer.ready.wait(), 20)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://toy") as client:
            r = await client.post("/toy/v1/notes", json={"text": "hello"}, headers=headers)
        assert r.status_code == 201
        await until(lambda: _equals(acted_count(db, name), 1))
    assert not consumer.ready.is_set()  # stopped with the app


def test_without_nats_a_service_runs_no_consumers(monkeypatch, db):
    monkeypatch.delenv("SOP_NATS_URL", raising=False)
    app = create_service_app(
        settings=ServiceSettings(service="toy", database_url=db.url, env="test", log_json=False),
        title="Toy",
        description="toy",
        routers=[],
        database=db,
        consumers=[Subscription("nobody", "sop.toy.>", recorder("nobody"))],
    )
    assert app.state.kernel.nats_url is None


# -- small helpers ------------------------------------------------------------------------


def who_time():
    from sop_shared.clock import SYSTEM_CLOCK

    return SYSTEM_CLOCK.now()


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def _at_least(value: Awaitable[int], expected: int) -> bool:
    return await value >= expected


async def _sum_published(*relays: Relay) -> int:
    return sum(r.published for r in relays)


async def _handled(consumer: Consumer) -> int:
    return consumer.handled


async def _dead(consumer: Consumer) -> int:
    return consumer.dead_lettered


async def _seen(consumer: Consumer) -> int:
    return consumer.handled + consumer.duplicates


def test_subjects_match_as_nats_matches_them():
    from sop_shared.events.consumer import subject_matches

    assert subject_matches(
        "sop.hr.t1.uk.gov.sop.hr.org_unit.created.v1", "sop.hr.*.uk.gov.sop.hr.org_unit.created.v1"
    )
    assert not subject_matches(
        "sop.hr.t1.uk.gov.sop.hr.employee.created.v1", "sop.hr.*.uk.gov.sop.hr.org_unit.created.v1"
    )
    assert subject_matches(
        "sop.hr.t1.uk.gov.sop.hr.employee.left.v1", "sop.hr.*.uk.gov.sop.hr.employee.>"
    )
    assert not subject_matches("sop.hr.t1", "sop.hr.t1.>")
    assert not subject_matches("sop.hr.t1.x", "sop.hr.*")


async def test_a_consumer_of_two_types_handles_only_those(db, who, tenant, nats_url, cleanup):
    """Two filters make `filter_subjects`, which a server before NATS 2.10 ignores (it then
    delivers the whole stream): an event of a third type is not handed to the handler."""
    name = f"two-types-{tenant}"
    wanted = (
        filter_subject("toy", tenant, type=TYPE),
        filter_subject("toy", tenant, type="uk.gov.sop.toy.note.deleted.v1"),
    )
    consumer = await start_consumer(cleanup, name, nats_url, db, subjects=wanted)
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for n, kind in enumerate((TYPE, "uk.gov.sop.toy.note.archived.v1", TYPE)):
            event = Event(
                id=uuid7(),
                type=kind,
                source="/toy",
                subject=f"notes/{n}",
                time=who_time(),
                tenant=tenant,
                data={"i": n},
            )
            await js.publish(
                f"sop.toy.{tenant}.{kind}", encode(event), headers={"Nats-Msg-Id": f"{tenant}-{n}"}
            )
    finally:
        await nc.close()
    await until(lambda: _at_least(acted_count(db, name), 2))
    await asyncio.sleep(0.5)  # time for a third, if it were coming
    assert await acted_count(db, name) == 2
    assert consumer.handled == 2
