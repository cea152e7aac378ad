"""Consuming events: a durable JetStream pull consumer whose handler runs in a database
transaction with the consumer's inbox, so an event delivered more than once is acted on once.

For each event: insert `(consumer, event_id)` into `inbox` (already there: ack and skip), run
`handler(session, event)`, commit, then ack. A batch of messages that arrived together shares
one transaction; if any handler fails the batch is rolled back and re-run one event per
transaction, so one failure touches only its own event. A failure is `nak`ed with the backoff
delay for its delivery count; at `max_deliver` the message is published to the dead-letter
stream (the reason in its headers) and terminated. An envelope that cannot be decoded is
dead-lettered at once. Each consumer has its own connection and task: a slow handler holds up
only its own consumer (and tells JetStream it is still working, so it is not redelivered
meanwhile)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import delete, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession

from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.db import Database
from sop_shared.events.envelope import Event, InvalidEvent, decode, validate_token
from sop_shared.events.jetstream import (
    DEAD_LETTER_PREFIX,
    EVENTS_STREAM,
    H_CONSUMER,
    H_DELIVERIES,
    H_FAILED_AT,
    H_FAILURE,
    H_SEQUENCE,
    H_STREAM,
    H_SUBJECT,
    MSG_ID,
    connect,
    ensure_streams,
    header_value,
)
from sop_shared.kernel_tables import inbox

log = logging.getLogger("sop.events.consumer")

_INBOX_PG = text(
    "INSERT INTO inbox (consumer, event_id, tenant, received_at) "
    "SELECT :consumer, e.id, e.tenant, :now "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:tenants AS varchar[])) AS e(id, tenant) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)

Handler = Callable[[AsyncSession, Event], Awaitable[None]]
DEFAULT_BACKOFF = (1.0, 5.0, 30.0, 120.0)


def subject_matches(subject: str, pattern: str) -> bool:
    """NATS subject matching: `*` is one token, a final `>` one or more."""
    tokens, wanted = subject.split("."), pattern.split(".")
    for index, want in enumerate(wanted):
        if want == ">":
            return len(tokens) > index
        if index >= len(tokens) or (want != "*" and want != tokens[index]):
            return False
    return len(tokens) == len(wanted)


@dataclass(frozen=True, slots=True)
class Subscription:
    """What a service declares (`create_service_app(consumers=[...])`); the kernel builds the
    `Consumer` on its database and NATS. `subjects` are filters such as
    `sop.hr.*.uk.gov.sop.hr.employee.>` (`envelope.filter_subject` builds them)."""

    name: str
    subjects: str | tuple[str, ...]
    handler: Handler
    max_deliver: int = 5
    backoff: tuple[float, ...] = DEFAULT_BACKOFF


class Consumer:
    """A durable pull consumer `name` on `stream`, filtered by `subjects`."""

    def __init__(
        self,
        name: str,
        subjects: str | Sequence[str],
        handler: Handler,
        *,
        database: Database,
        nats_url: str,
        max_deliver: int = 5,
        backoff: Sequence[float] = DEFAULT_BACKOFF,
        batch_size: int = 100,
        ack_wait: float = 30.0,
        stream: str = EVENTS_STREAM,
        clock: Clock = SYSTEM_CLOCK,
        connect_backoff: float = 2.0,
        inbox_retention: timedelta = timedelta(days=35),
    ) -> None:
        validate_token(name, "consumer name")
        if max_deliver < 1:
            raise ValueError("max_deliver must be at least 1")
        self.name = name
        self.subjects = [subjects] if isinstance(subjects, str) else list(subjects)
        self._warned_unfiltered = False
        if not self.subjects:
            raise ValueError("a consumer needs at least one subject filter")
        self.handler = handler
        self.database = database
        self.nats_url = nats_url
        self.max_deliver = max_deliver
        self.backoff = tuple(backoff) or (1.0,)
        self.batch_size = batch_size
        self.ack_wait = ack_wait
        self.stream = stream
        self.clock = clock
        self.connect_backoff = connect_backoff
        # Longer than the events stream (7 days) and the dead letters (30 days, replayable) keep
        # an event: an inbox row must outlive every way the event can come back.
        self.inbox_retention = inbox_retention
        # A message delivered this often never finished (its handler hung or crashed the
        # process): dead-lettered without running it. Above max_deliver, which counts failures,
        # with room for the redeliveries a database outage causes.
        self.unfinished_limit = max(2 * max_deliver, max_deliver + 10)
        # What it did (for tests, logs and metrics).
        self.handled = 0
        self.unavailable = 0  # times the database was away (events handed back, not failed)
        self.duplicates = 0
        self.failures = 0
        self.dead_lettered = 0
        self.ready = asyncio.Event()  # bound to its durable consumer
        self._nc: NATS | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._puller: _Puller | None = None
        self._dialect = "postgresql" if database.dialect == "postgresql" else "sqlite"

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Runs in the background (returns at once; NATS need not be up yet)."""
        if self._task is None or self._task.done():
            self._stop.clear()
            self._task = asyncio.create_task(self.run(), name=f"sop-consumer-{self.name}")

    async def stop(self, grace: float = 10.0) -> None:
        """Finishes the batch in hand (up to `grace` seconds), hands back the rest, disconnects."""
        self._stop.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=5)  # bounded: stopping must end
        except Exception:
            log.exception("consumer %s ended with an error", self.name)
        self._task = None

    async def run(self) -> None:
        """Consumes until `stop()`."""
        try:
            puller = await self._bind()
            if puller is None:
                return
            self.ready.set()
            next_purge = time.monotonic() + 60
            while not self._stop.is_set():
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + 3600
                    await self._purge_inbox()
                if puller.broken:
                    puller.broken = False
                    with contextlib.suppress(Exception):
                        await self._ensure()
                try:
                    group = await puller.next_group(wait=0.25)
                except (nats.errors.Error, OSError) as exc:
                    log.warning("consumer %s: %r", self.name, exc)
                    await asyncio.sleep(0.25)
                    continue
                if group:
                    await self._handle(group)
            await puller.release()
        finally:
            self.ready.clear()
            if self._nc is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._nc.close(), 5)
                self._nc = None

    async def _purge_inbox(self) -> None:
        """Forget what was acted on longer ago than `inbox_retention` (past the streams' own
        retention, nothing can bring those events back)."""
        cutoff = self.clock.now() - self.inbox_retention
        try:
            async with self.database.transaction() as session:
                await session.execute(
                    delete(inbox).where(inbox.c.consumer == self.name, inbox.c.received_at < cutoff)
                )
        except Exception:
            log.exception("consumer %s: could not purge its inbox", self.name)

    async def _bind(self) -> _Puller | None:
        """Connects, ensures the streams and the durable consumer, subscribes (retrying while
        NATS is away); None when stopped first."""
        backoff = 0.1
        while not self._stop.is_set():
            try:
                if self._nc is None:
                    self._nc = await connect(
                        self.nats_url,
                        name=f"sop-consumer-{self.name}",
                        on_reconnect=self._reconnected,
                    )
                await self._ensure()
                self._puller = await _Puller.create(
                    self._nc, self.stream, self.name, self.batch_size
                )
                return self._puller
            except Exception as exc:
                log.warning("consumer %s: NATS not ready at %s: %r", self.name, self.nats_url, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), backoff)
                backoff = min(self.connect_backoff, backoff * 2)
        return None

    async def _reconnected(self) -> None:
        if self._puller is not None:  # the server may have forgotten the pull requests
            self._puller.reset()

    async def _ensure(self) -> None:
        assert self._nc is not None
        jsm = self._nc.jsm()
        await ensure_streams(jsm)
        config = ConsumerConfig(
            name=self.name,
            durable_name=self.name,
            description=f"SOP consumer {self.name}",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait,
            max_deliver=-1,  # the consumer counts deliveries itself and dead-letters
            max_ack_pending=max(1000, self.batch_size * 10),
            max_waiting=512,
        )
        if len(self.subjects) == 1:
            config.filter_subject = self.subjects[0]
        else:  # NATS 2.10+
            config.filter_subjects = self.subjects
        try:
            await jsm.add_consumer(self.stream, config=config)
        except nats.js.errors.BadRequestError as exc:
            # It exists with another configuration (an older deployment's): keep it and say so.
            log.warning("consumer %s kept its configuration: %s", self.name, exc)

    # -- handling --------------------------------------------------------------------------

    async def _handle(self, group: list[Msg]) -> None:
        items: list[tuple[Msg, Event]] = []
        for msg in group:
            if not any(subject_matches(msg.subject, f) for f in self.subjects):
                # A server before NATS 2.10 ignores `filter_subjects` and delivers the whole
                # stream: what this consumer did not ask for is acknowledged, not handled.
                if not self._warned_unfiltered:
                    self._warned_unfiltered = True
                    log.warning(
                        "consumer %s: the server delivers subjects outside its filters (NATS "
                        "before 2.10 ignores filter_subjects); skipping them",
                        self.name,
                    )
                await msg.ack()
                continue
            try:
                event = decode(msg.data)
            except InvalidEvent as exc:
                await self._dead_letter(msg, None, f"invalid envelope: {exc}")
                continue
            deliveries = _deliveries(msg)
            if deliveries > self.unfinished_limit:  # ack timeouts or crashes: never finished
                await self._dead_letter(
                    msg, event, f"delivered {deliveries} times without finishing"
                )
                continue
            items.append((msg, event))
        if not items:
            return
        async with self._keeping_alive([m for m, _ in items]):
            if len(items) > 1:
                try:
                    await self._transaction(items)
                except Exception as exc:
                    if _unavailable(exc):
                        await self._hand_back(items, exc)
                        return
                    log.info("consumer %s: a batch failed (%r); one by one", self.name, exc)
                else:
                    await asyncio.gather(*(msg.ack() for msg, _ in items))
                    return
            for index, (msg, event) in enumerate(items):
                try:
                    await self._transaction([(msg, event)])
                except Exception as exc:
                    if _unavailable(exc):
                        await self._hand_back(items[index:], exc)
                        return
                    await self._failed(msg, event, exc)
                else:
                    await msg.ack()

    async def _hand_back(self, items: list[tuple[Msg, Event]], exc: BaseException) -> None:
        """The database (or a connection the handler needed) is unavailable: not the events'
        fault, so they do not count towards the dead letters. Hand them back and pull nothing
        more until the database answers again."""
        self.unavailable += 1
        log.warning(
            "consumer %s: %r; %d events handed back until the database answers",
            self.name,
            exc,
            len(items),
        )
        for msg, _ in items:
            with contextlib.suppress(Exception):
                await msg.nak(delay=self.backoff[0])
        pause = 0.25
        while not self._stop.is_set():
            try:
                await self.database.ping()
                return
            except Exception:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), pause)
                pause = min(5.0, pause * 2)

    async def _transaction(self, items: list[tuple[Msg, Event]]) -> None:
        """The inbox rows and the handlers' work for `items`, committed together."""
        now = self.clock.now()
        rows: dict[Any, dict[str, Any]] = {}
        for _, event in items:
            rows.setdefault(
                event.id,
                {
                    "consumer": self.name,
                    "event_id": event.id,
                    "tenant": event.tenant,
                    "received_at": now,
                },
            )
        if self._dialect == "postgresql":
            # One constant statement whatever the batch's size (arrays, not a VALUES row per
            # event: a statement that changes shape is compiled again every time).
            statement: Any = _INBOX_PG
            params: dict[str, Any] = {
                "consumer": self.name,
                "now": now,
                "ids": [r["event_id"] for r in rows.values()],
                "tenants": [r["tenant"] for r in rows.values()],
            }
        else:
            statement = (
                sqlite.insert(inbox)
                .values(list(rows.values()))
                .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
                .returning(inbox.c.event_id)
            )
            params = {}
        handled = duplicates = 0
        async with self.database.sessionmaker() as session, session.begin():
            new = set((await session.execute(statement, params)).scalars())
            for _, event in items:
                if event.id in new:
                    new.discard(event.id)
                    await self.handler(session, event)
                    handled += 1
                else:
                    duplicates += 1
        self.handled += handled
        self.duplicates += duplicates

    async def _failed(self, msg: Msg, event: Event, exc: BaseException) -> None:
        self.failures += 1
        deliveries = _deliveries(msg)
        reason = f"{type(exc).__name__}: {exc}"
        if deliveries >= self.max_deliver:
            await self._dead_letter(msg, event, reason)
            return
        delay = self.backoff[min(deliveries - 1, len(self.backoff) - 1)]
        log.warning(
            "consumer %s: %s %s failed (delivery %d of %d), retry in %.1fs: %s",
            self.name,
            event.type,
            event.id,
            deliveries,
            self.max_deliver,
            delay,
            reason,
        )
        await msg.nak(delay=delay)

    async def _dead_letter(self, msg: Msg, event: Event | None, reason: str) -> None:
        """To `sop-dead.<consumer>.<original subject>`, then terminate the original."""
        assert self._nc is not None
        stream, sequence = self.stream, 0
        with contextlib.suppress(Exception):
            stream, sequence = msg.metadata.stream, msg.metadata.sequence.stream
        headers = {
            MSG_ID: f"{self.name}:{stream}:{sequence}",
            H_CONSUMER: self.name,
            H_SUBJECT: msg.subject,
            H_STREAM: stream,
            H_SEQUENCE: str(sequence),
            H_DELIVERIES: str(_deliveries(msg)),
            H_FAILURE: header_value(reason),
            H_FAILED_AT: self.clock.now().isoformat().replace("+00:00", "Z"),
        }
        try:
            await self._nc.jetstream().publish(
                f"{DEAD_LETTER_PREFIX}.{self.name}.{msg.subject}", msg.data, headers=headers
            )
            await msg.term()
        except Exception:
            log.exception("consumer %s: could not dead-letter %s", self.name, msg.subject)
            with contextlib.suppress(Exception):
                await msg.nak(delay=self.backoff[-1])
            return
        self.dead_lettered += 1
        log.error(
            "consumer %s: dead-lettered %s (%s): %s",
            self.name,
            event.id if event else f"{stream} #{sequence}",
            msg.subject,
            reason,
        )

    @contextlib.asynccontextmanager
    async def _keeping_alive(self, msgs: list[Msg]) -> AsyncIterator[None]:
        """While a batch is being handled, tell JetStream it is in progress (no redelivery)."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(max(self.ack_wait / 3, 0.5))
                for msg in msgs:
                    with contextlib.suppress(Exception):
                        await msg.in_progress()

        heartbeat = asyncio.ensure_future(beat())
        try:
            yield
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat


def _unavailable(exc: BaseException) -> bool:
    """A failure of the infrastructure (the database unreachable, a connection lost), not of
    the event: retried without counting towards the dead letters."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | ConnectionError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _deliveries(msg: Msg) -> int:
    try:
        return int(msg.metadata.num_delivered)
    except Exception:
        return 1


class _Puller:
    """Keeps pull requests outstanding on a durable consumer and hands over messages as soon as
    they arrive (nats-py's `fetch` waits for a whole batch or its timeout; events should not)."""

    def __init__(self, nc: NATS, stream: str, consumer: str, batch: int, expires: float) -> None:
        self._nc = nc
        self._next = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"
        self._batch = batch
        self._expires = expires
        self._prefix = nc.new_inbox()
        self._queue: asyncio.Queue[Msg] = asyncio.Queue()
        self._requests: dict[str, list[float]] = {}  # token -> [remaining, deadline], oldest first
        self._count = 0
        self._sub: NatsSubscription | None = None
        self.broken = False  # the consumer (or stream) is not there: ensure it again

    @classmethod
    async def create(
        cls, nc: NATS, stream: str, consumer: str, batch: int, expires: float = 5.0
    ) -> _Puller:
        puller = cls(nc, stream, consumer, batch, expires)
        puller._sub = await nc.subscribe(f"{puller._prefix}.*", cb=puller._on_message)
        return puller

    async def _on_message(self, msg: Msg) -> None:
        status = (msg.headers or {}).get("Status")
        if status and not msg.data:  # a status comes on the request's own reply subject
            token = msg.subject.rsplit(".", 1)[-1]
            if status != "100":  # 404/408/409: the request is over; 503: no consumer
                self._requests.pop(token, None)
                if status == "503":
                    self.broken = True
            return
        # A message arrives on its original subject, not the request's: JetStream serves
        # waiting requests in order, so it counts against the oldest one.
        for oldest, request in self._requests.items():
            request[0] -= 1
            if request[0] <= 0:
                del self._requests[oldest]
            break
        self._queue.put_nowait(msg)

    def reset(self) -> None:
        """Forget the outstanding pull requests (after a reconnect): ask again."""
        self._requests.clear()
        self.broken = True  # and make sure the consumer is still there

    async def _request_more(self) -> None:
        now = time.monotonic()
        for token, (_, deadline) in list(self._requests.items()):
            if now > deadline:  # its expiry status was lost (a reconnect)
                del self._requests[token]
        outstanding = sum(r[0] for r in self._requests.values()) + self._queue.qsize()
        if outstanding > self._batch // 2:
            return
        self._count += 1
        token = str(self._count)
        self._requests[token] = [float(self._batch), now + self._expires + 1.0]
        body = {"batch": self._batch, "expires": int(self._expires * 1e9)}
        await self._nc.publish(
            self._next, json.dumps(body).encode(), reply=f"{self._prefix}.{token}"
        )

    async def next_group(self, wait: float) -> list[Msg]:
        """The messages that have arrived (waiting up to `wait` for the first)."""
        if self._nc.is_connected:
            await self._request_more()
        try:
            first = await asyncio.wait_for(self._queue.get(), wait)
        except TimeoutError:
            return []
        group = [first]
        while len(group) < self._batch and not self._queue.empty():
            group.append(self._queue.get_nowait())
        return group

    async def release(self) -> None:
        """Stopping: hand the undelivered-to-the-handler messages back for redelivery now."""
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
        while not self._queue.empty():
            with contextlib.suppress(Exception):
                await self._queue.get_nowait().nak()
        with contextlib.suppress(Exception):
            await self._nc.flush(timeout=1)
