"""The outbox relay: publishes each service database's committed outbox rows to NATS JetStream,
in id order, and stamps them `published_at` once JetStream has acknowledged them.

- Every ~50 ms (`interval`; at once again while batches come back full) it reads up to
  `batch_size` unpublished rows in id order and publishes them to `sop.<service>.<tenant>.<type>`
  with `Nats-Msg-Id: <event id>`, so JetStream's duplicate window drops a republish.
- Order per aggregate: a row is sent only after every earlier row of its aggregate has been
  acknowledged (rows of different aggregates are pipelined), and a failure ends the batch, so
  a row is never stored ahead of an earlier one of its aggregate.
- One active relay per database: on PostgreSQL each batch runs under a transaction-scoped
  advisory lock (a second relay is a hot standby); on SQLite a lock file beside the database.
- NATS away: rows wait; the relay retries with backoff (100 ms doubling to `max_backoff`).
  Killed between the ack and the stamp: the rows are republished and JetStream drops them
  (and every consumer's inbox would skip them anyway).

Run it as a process: `sop relay hr`, or
`python -m sop_shared.events.relay --service hr --database-url ... --nats-url ...`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from sqlalchemy import Text, bindparam, cast, delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.db import Database, is_sqlite
from sop_shared.events.envelope import nats_subject, row_to_envelope
from sop_shared.events.jetstream import MSG_ID, connect, ensure_streams, nats_url_from_env
from sop_shared.kernel_tables import outbox

log = logging.getLogger("sop.events.relay")

# The transaction-scoped advisory lock every relay of a PostgreSQL database takes per batch.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"sop.outbox.relay").digest()[:8], "big", signed=True)


_STAMP_PG = text("UPDATE outbox SET published_at = :now WHERE id = ANY(CAST(:ids AS uuid[]))")
# The batch, its data as JSON text (published as it is, not decoded and encoded again).
_BATCH = (
    select(
        *(c for c in outbox.c if c.name != "data"),
        cast(outbox.c.data, Text).label("data_json"),
    )
    .where(outbox.c.published_at.is_(None))
    .order_by(outbox.c.id)
    .limit(bindparam("limit"))
)
_PROBE = select(outbox.c.id).where(outbox.c.published_at.is_(None)).limit(1)


class PublishFailed(Exception):
    """JetStream did not acknowledge a row; the rows from it on wait for the next attempt."""


class Relay:
    """Publishes one service database's outbox. `run()` until `stop` is set; `relay_once()`
    publishes one batch (tests and benchmarks drive it directly)."""

    def __init__(
        self,
        database: Database,
        nats_url: str,
        *,
        service: str,
        batch_size: int = 500,
        interval: float = 0.05,
        publish_timeout: float = 5.0,
        max_backoff: float = 5.0,
        retention: timedelta = timedelta(days=7),
        clock: Clock = SYSTEM_CLOCK,
        pause_before_stamp: float = 0.0,
    ) -> None:
        self.database = database
        self.nats_url = nats_url
        self.service = service
        self.batch_size = min(batch_size, 1000)  # nats-py allows 4,000 unacknowledged
        self.interval = interval
        self.publish_timeout = publish_timeout
        self.max_backoff = max_backoff
        self.retention = retention
        self.clock = clock
        self.pause_before_stamp = pause_before_stamp  # a test hook: die between ack and stamp
        self.published = 0  # rows stamped by this relay
        self.standby = False  # another relay holds the database's lock
        self._nc: NATS | None = None
        self._js: JetStreamContext | None = None
        self._probe: AsyncConnection | None = None  # held for the cheap "anything new?" poll
        self._wake = asyncio.Event()
        self._postgres = not is_sqlite(database.url)

    # -- one batch ---------------------------------------------------------------------------

    async def relay_once(self) -> int:
        """Publishes up to `batch_size` rows; returns how many were published and stamped.
        Raises `PublishFailed` (after stamping those that made it) when JetStream did not
        acknowledge one."""
        if self._js is None:
            raise RuntimeError("the relay is not connected: call connect() first")
        failure: BaseException | None = None
        async with self.database.engine.connect() as conn, conn.begin():
            if self._postgres:
                locked = await conn.scalar(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}
                )
                self.standby = not locked
                if not locked:
                    return 0
            rows = (await conn.execute(_BATCH, {"limit": self.batch_size})).mappings().all()
            if not rows:
                return 0
            done, failed, failure = await self._publish(self._js, rows)
            if self.pause_before_stamp:
                log.warning(
                    "published %d; pausing %.1fs before stamping",
                    len(done),
                    self.pause_before_stamp,
                )
                await asyncio.sleep(self.pause_before_stamp)
            if done:
                await self._stamp(conn, done)
            if failed is not None:
                await conn.execute(
                    update(outbox)
                    .where(outbox.c.id == failed)
                    .values(attempts=outbox.c.attempts + 1)
                )
        self.published += len(done)
        if failure is not None:
            raise PublishFailed(f"{len(done)} of {len(rows)} published: {failure!r}") from failure
        return len(done)

    async def _stamp(self, conn: AsyncConnection, ids: list[Any]) -> None:
        """`published_at` on the rows JetStream acknowledged (PostgreSQL: one array parameter,
        not one per id)."""
        now = self.clock.now()
        if self._postgres:
            await conn.execute(_STAMP_PG, {"now": now, "ids": ids})
        else:
            await conn.execute(update(outbox).where(outbox.c.id.in_(ids)).values(published_at=now))

    async def has_unpublished(self) -> bool:
        """Whether any row waits (a cheap poll on a held connection; no lock, no transaction
        left open)."""
        try:
            if self._probe is None:
                self._probe = await self.database.engine.connect()
            found = await self._probe.scalar(_PROBE)
            await self._probe.rollback()
        except Exception:
            await self._drop_probe()
            raise
        return found is not None

    async def _drop_probe(self) -> None:
        if self._probe is not None:
            with contextlib.suppress(Exception):
                await self._probe.close()
            self._probe = None

    async def _publish(
        self, js: JetStreamContext, rows: Sequence[Any]
    ) -> tuple[list[Any], Any, BaseException | None]:
        """Publishes `rows` in waves in which no aggregate repeats (a wave is pipelined; the next
        waits for its acks). Returns the acknowledged ids, the first failed id and its error."""
        done: list[Any] = []
        i = 0
        while i < len(rows):
            wave: list[Mapping[str, Any]] = []
            seen: set[str] = set()
            while i < len(rows) and rows[i]["aggregate"] not in seen:
                seen.add(rows[i]["aggregate"])
                wave.append(rows[i])
                i += 1
            futures: list[asyncio.Future[Any]] = []
            failure: BaseException | None = None
            for row in wave:
                try:
                    subject = nats_subject(row["source"].strip("/"), row["tenant"], row["type"])
                    # No wait_stall: acquiring a free slot then does not yield, so the whole
                    # wave goes out in one write (the batch is well under nats-py's 4,000).
                    futures.append(
                        await js.publish_async(
                            subject, row_to_envelope(row), headers={MSG_ID: str(row["id"])}
                        )
                    )
                except Exception as exc:  # not connected, a bad row
                    failure = exc
                    break
            if futures:
                _, late = await asyncio.wait(futures, timeout=self.publish_timeout)
                for future in late:
                    future.cancel()  # gives its slot back
            first_failed: Any = None
            for row, future in zip(wave, futures, strict=False):
                error = (
                    TimeoutError(f"no ack in {self.publish_timeout}s")
                    if future.cancelled()
                    else future.exception()
                )
                if error is None:
                    done.append(row["id"])
                elif first_failed is None:
                    first_failed, failure = row["id"], error
            if failure is not None:
                if first_failed is None:  # failed while sending: the row after the last sent
                    first_failed = wave[len(futures)]["id"]
                return done, first_failed, failure
        return done, None, None

    # -- the loop ------------------------------------------------------------------------------

    async def connect(self, stop: asyncio.Event | None = None) -> None:
        """Connects to NATS (retrying until it answers or `stop` is set) and ensures the
        streams exist."""
        backoff = 0.1
        while stop is None or not stop.is_set():
            try:
                if self._nc is None:
                    self._nc = await connect(self.nats_url, name=f"sop-relay-{self.service}")
                    self._js = self._nc.jetstream(timeout=self.publish_timeout)
                await ensure_streams(self._nc.jsm())
                return
            except Exception as exc:
                log.warning("relay %s: NATS at %s not ready: %r", self.service, self.nats_url, exc)
                await _sleep(stop, backoff)
                backoff = min(self.max_backoff, backoff * 2)

    def wake(self) -> None:
        """Look at the outbox now (an in-process publisher just committed)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Relays until `stop` is set (or the task is cancelled)."""
        stop = stop or asyncio.Event()
        async with self._one_process_per_file(stop):
            if stop.is_set():
                return
            await self.connect(stop)
            backoff = 0.0
            next_purge = time.monotonic() + 60
            next_report, reported = time.monotonic() + 60, 0
            was_standby = False
            try:
                while not stop.is_set():
                    began = time.monotonic()
                    try:
                        count = await self.relay_once() if await self.has_unpublished() else 0
                    except Exception as exc:
                        backoff = min(self.max_backoff, max(0.1, backoff * 2))
                        log.warning("relay %s: %s; retrying in %.1fs", self.service, exc, backoff)
                        await _sleep(stop, backoff)
                        continue
                    backoff = 0.0
                    if self.standby != was_standby:
                        was_standby = self.standby
                        log.info(
                            "relay %s: %s",
                            self.service,
                            "standby (another relay is active)" if self.standby else "active",
                        )
                    now = time.monotonic()
                    if now >= next_report and self.published != reported:
                        log.info("relay %s: %d events published", self.service, self.published)
                        next_report, reported = now + 60, self.published
                    if now >= next_purge:
                        next_purge = now + 3600
                        await self._purge()
                    if count >= self.batch_size:
                        continue  # more waiting: no pause
                    # A steady cadence: the next poll `interval` after this one began.
                    pause = (self.interval if not self.standby else 1.0) - (
                        time.monotonic() - began
                    )
                    if pause > 0:
                        self._wake.clear()
                        await _first([stop.wait(), self._wake.wait()], pause)
            finally:
                await self.close()

    async def _purge(self) -> None:
        """Forget rows published longer ago than `retention` (JetStream keeps the events)."""
        try:
            async with self.database.transaction() as session:
                result = await session.execute(
                    delete(outbox).where(outbox.c.published_at < self.clock.now() - self.retention)
                )
            removed = getattr(result, "rowcount", 0) or 0
            if removed:
                log.info("relay %s: purged %d published outbox rows", self.service, removed)
        except Exception:
            log.exception("relay %s: could not purge published outbox rows", self.service)

    async def close(self) -> None:
        await self._drop_probe()
        if self._nc is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._nc.close(), 5)
        self._nc = self._js = None

    @contextlib.asynccontextmanager
    async def _one_process_per_file(self, stop: asyncio.Event) -> AsyncIterator[None]:
        """SQLite: one relay per database file (a lock file beside it; others wait)."""
        path = make_url(self.database.url).database if not self._postgres else None
        if not path or path == ":memory:":
            yield
            return
        lock = Path(f"{path}.relay-lock")
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            announced = False
            while not stop.is_set():
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not announced:
                        log.info("relay %s: standby (another relay has %s)", self.service, lock)
                        announced = True
                    await _sleep(stop, 1.0)
            yield
        finally:
            os.close(fd)  # releases the lock


async def _sleep(stop: asyncio.Event | None, seconds: float) -> None:
    if stop is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _first(waits: list[Any], seconds: float) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


# -- the process -------------------------------------------------------------------------------


def default_database_url(service: str) -> str:
    """The service's database as the service itself finds it: `SOP_<SERVICE>_DATABASE_URL`,
    else its SQLite file in the data directory."""
    from sop_shared.settings import data_dir

    return os.environ.get(f"SOP_{service.upper()}_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{data_dir() / f'{service}.db'}"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sop_shared.events.relay",
        description="Publish a service database's outbox to NATS JetStream.",
    )
    p.add_argument("--service", required=True, help="hr, finance, payroll, ...")
    p.add_argument(
        "--database-url", help="default: SOP_<SERVICE>_DATABASE_URL or .sop/<service>.db"
    )
    p.add_argument("--nats-url", help="default: SOP_NATS_URL")
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--interval", type=float, default=0.05, help="seconds between polls")
    p.add_argument("--max-backoff", type=float, default=5.0)
    p.add_argument("--pause-before-stamp", type=float, default=0.0, help=argparse.SUPPRESS)
    return p


async def serve(args: argparse.Namespace) -> int:
    nats_url = args.nats_url or nats_url_from_env()
    if not nats_url:
        log.error("no NATS: pass --nats-url or set SOP_NATS_URL")
        return 2
    database = Database(args.database_url or default_database_url(args.service), pool_size=2)
    relay = Relay(
        database,
        nats_url,
        service=args.service,
        batch_size=args.batch_size,
        interval=args.interval,
        max_backoff=args.max_backoff,
        pause_before_stamp=args.pause_before_stamp,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("relay %s: publishing %s to %s", args.service, _safe(database.url), nats_url)
    try:
        await relay.run(stop)
    finally:
        await database.dispose()
    log.info("relay %s: stopped (%d events published)", args.service, relay.published)
    return 0


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    from sop_shared.observability import configure_logging

    args = parser().parse_args(argv)
    configure_logging(
        os.environ.get("SOP_LOG_LEVEL", "INFO"),
        json_logs=os.environ.get("SOP_LOG_JSON", "true").lower() not in ("0", "false", "no"),
    )
    try:
        import uvloop  # as the services run (uvicorn --loop uvloop), when installed
    except ImportError:
        return asyncio.run(serve(args))
    return uvloop.run(serve(args))


if __name__ == "__main__":
    raise SystemExit(main())
