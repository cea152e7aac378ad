"""NATS JetStream for SOP's events: where the server is (`SOP_NATS_URL`), connecting with
reconnection, the two streams every publisher and consumer agrees on (created idempotently),
and what `sop events` shows: stream and consumer status, dead letters, replaying one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client as NATS
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.manager import JetStreamManager

from sop_shared.events.envelope import SUBJECT_PREFIX, InvalidEvent, decode

log = logging.getLogger("sop.events")

NATS_URL_ENV = "SOP_NATS_URL"

EVENTS_STREAM = "SOP_EVENTS"
DEAD_LETTER_STREAM = "SOP_DEAD_LETTERS"
DEAD_LETTER_PREFIX = "sop-dead"

# JetStream drops a message whose Nats-Msg-Id it has seen within this window: a relay that
# dies between the ack and stamping the row republishes it within seconds, well inside it.
DUPLICATE_WINDOW_SECONDS = 120.0
DAY = 86_400.0

# Headers on a dead letter (besides Nats-Msg-Id).
H_CONSUMER = "Sop-Consumer"
H_SUBJECT = "Sop-Original-Subject"
H_STREAM = "Sop-Original-Stream"
H_SEQUENCE = "Sop-Original-Sequence"
H_DELIVERIES = "Sop-Deliveries"
H_FAILURE = "Sop-Failure"
H_FAILED_AT = "Sop-Failed-At"
MSG_ID = "Nats-Msg-Id"


def nats_url_from_env() -> str | None:
    """`SOP_NATS_URL`, or None when events are not configured (no NATS: nothing consumes;
    outbox rows wait for a relay)."""
    return os.environ.get(NATS_URL_ENV) or None


def events_stream_config() -> StreamConfig:
    """Every event, under `sop.>`: on disk, deduplicated by event id for two minutes, kept a
    week or 1 GiB (limits for a development machine; a deployment sets its own)."""
    return StreamConfig(
        name=EVENTS_STREAM,
        description="SOP events (CloudEvents JSON), sop.<service>.<tenant>.<type>",
        subjects=[f"{SUBJECT_PREFIX}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=7 * DAY,
        max_bytes=1024**3,
        max_msg_size=1024**2,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        num_replicas=1,
    )


def dead_letter_stream_config() -> StreamConfig:
    """Events a consumer gave up on, under `sop-dead.<consumer>.<original subject>`."""
    return StreamConfig(
        name=DEAD_LETTER_STREAM,
        description="SOP events a consumer could not handle (sop events dead-letters)",
        subjects=[f"{DEAD_LETTER_PREFIX}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=30 * DAY,
        max_bytes=256 * 1024**2,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        num_replicas=1,
    )


async def connect(
    url: str,
    *,
    name: str,
    connect_timeout: float = 2.0,
    on_reconnect: Callable[[], Awaitable[None]] | None = None,
) -> NATS:
    """A connection that reconnects forever (rows and messages wait while NATS is away).
    The first connection is retried by the callers' own loops."""

    async def on_error(exc: Exception) -> None:
        log.debug("nats (%s): %r", name, exc)

    held: list[NATS] = []

    async def on_disconnected() -> None:
        if held and held[0].is_closed:  # closed on purpose
            return
        log.warning("nats (%s): disconnected from %s; reconnecting", name, url)

    async def on_reconnected() -> None:
        log.info("nats (%s): reconnected", name)
        if on_reconnect is not None:
            await on_reconnect()

    nc = await nats.connect(
        url,
        name=name,
        connect_timeout=connect_timeout,
        reconnect_time_wait=0.25,
        # Two tries for the first connection (the caller's loop retries it, and can stop)...
        max_reconnect_attempts=1,
        allow_reconnect=True,
        error_cb=on_error,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
    )
    nc.options["max_reconnect_attempts"] = -1  # ...and once connected, reconnect forever
    held.append(nc)
    return nc


async def ensure_streams(jsm: JetStreamManager) -> None:
    """Creates (or brings up to date) the events and dead-letter streams; safe to call from
    every process at start."""
    for config in (events_stream_config(), dead_letter_stream_config()):
        try:
            await jsm.add_stream(config=config)
        except nats.js.errors.BadRequestError as exc:
            # 10058: the name is taken with another configuration: ours wins where it may.
            if exc.err_code != 10058:
                raise
            try:
                await jsm.update_stream(config=config)
            except nats.js.errors.APIError as update:
                log.warning("stream %s kept its configuration: %s", config.name, update)


@contextlib.asynccontextmanager
async def jetstream(url: str, *, name: str = "sop-events") -> AsyncIterator[NATS]:
    """A short-lived connection (the CLI's), failing at once when NATS is not there."""

    async def quiet(exc: Exception) -> None:
        log.debug("nats (%s): %r", name, exc)

    try:
        nc = await nats.connect(
            url,
            name=name,
            connect_timeout=2,
            allow_reconnect=False,
            max_reconnect_attempts=1,  # two tries, then NoServersError
            reconnect_time_wait=0.1,
            error_cb=quiet,
        )
    except Exception as exc:
        raise ConnectionError(f"cannot reach NATS at {url}: {exc}") from None
    try:
        yield nc
    finally:
        with contextlib.suppress(Exception):
            await nc.close()


# -- what `sop events` shows ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsumerStatus:
    name: str
    filter: str
    pending: int  # in the stream, not yet delivered (the lag)
    ack_pending: int  # delivered, not yet acknowledged
    redelivered: int
    waiting: int  # outstanding pull requests
    delivered_seq: int
    ack_floor_seq: int


@dataclass(frozen=True, slots=True)
class StreamStatus:
    name: str
    subjects: list[str]
    messages: int
    bytes: int
    first_seq: int
    last_seq: int
    consumers: list[ConsumerStatus]


async def status(nc: NATS) -> list[StreamStatus]:
    """The SOP streams, their message counts, and each consumer's lag."""
    jsm = nc.jsm()
    out = []
    for name in (EVENTS_STREAM, DEAD_LETTER_STREAM):
        try:
            info = await jsm.stream_info(name)
        except nats.js.errors.NotFoundError:
            continue
        consumers = []
        for c in await jsm.consumers_info(name):
            filters = c.config.filter_subjects or [c.config.filter_subject or ">"]
            consumers.append(
                ConsumerStatus(
                    name=c.name,
                    filter=",".join(filters),
                    pending=c.num_pending or 0,
                    ack_pending=c.num_ack_pending or 0,
                    redelivered=c.num_redelivered or 0,
                    waiting=c.num_waiting or 0,
                    delivered_seq=c.delivered.stream_seq if c.delivered else 0,
                    ack_floor_seq=c.ack_floor.stream_seq if c.ack_floor else 0,
                )
            )
        out.append(
            StreamStatus(
                name=name,
                subjects=list(info.config.subjects or []),
                messages=info.state.messages,
                bytes=info.state.bytes,
                first_seq=info.state.first_seq,
                last_seq=info.state.last_seq,
                consumers=sorted(consumers, key=lambda c: c.name),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class DeadLetter:
    seq: int  # in SOP_DEAD_LETTERS: what `sop events replay` takes
    consumer: str
    original_subject: str
    failure: str
    deliveries: int
    failed_at: str
    event_id: str
    type: str
    tenant: str
    time: datetime | None


def _dead_letter(
    seq: int, headers: dict[str, str], data: bytes, time: datetime | None
) -> DeadLetter:
    try:
        event = decode(data)
        event_id, type, tenant = str(event.id), event.type, event.tenant
    except InvalidEvent:
        event_id, type, tenant = "", "(not an event)", ""
    return DeadLetter(
        seq=seq,
        consumer=headers.get(H_CONSUMER, ""),
        original_subject=headers.get(H_SUBJECT, ""),
        failure=headers.get(H_FAILURE, ""),
        deliveries=int(headers.get(H_DELIVERIES, "0") or 0),
        failed_at=headers.get(H_FAILED_AT, ""),
        event_id=event_id,
        type=type,
        tenant=tenant,
        time=time,
    )


async def dead_letters(
    nc: NATS, *, limit: int = 100, consumer: str | None = None, tenant: str | None = None
) -> list[DeadLetter]:
    """The newest dead letters (up to `limit`), oldest first."""
    jsm = nc.jsm()
    try:
        info = await jsm.stream_info(DEAD_LETTER_STREAM)
    except nats.js.errors.NotFoundError:
        return []
    found: list[DeadLetter] = []
    seq = info.state.last_seq
    while seq >= max(info.state.first_seq, 1) and len(found) < limit:
        try:
            msg = await jsm.get_msg(DEAD_LETTER_STREAM, seq)
        except nats.js.errors.NotFoundError:  # deleted (replayed) or aged out
            seq -= 1
            continue
        letter = _dead_letter(seq, dict(msg.headers or {}), msg.data or b"", msg.time)
        if (consumer is None or letter.consumer == consumer) and (
            tenant is None or letter.tenant == tenant
        ):
            found.append(letter)
        seq -= 1
    return list(reversed(found))


async def replay(nc: NATS, seq: int, *, keep: bool = False) -> tuple[str, DeadLetter]:
    """Republishes dead letter `seq` to its original subject (every consumer of it sees the
    event again; those that already acted on it skip it by their inbox), then deletes the
    dead letter unless `keep`. Returns the subject and the letter."""
    jsm = nc.jsm()
    try:
        msg = await jsm.get_msg(DEAD_LETTER_STREAM, seq)
    except nats.js.errors.NotFoundError:
        raise LookupError(f"no dead letter {seq} in {DEAD_LETTER_STREAM}") from None
    headers = dict(msg.headers or {})
    letter = _dead_letter(seq, headers, msg.data or b"", msg.time)
    subject = letter.original_subject
    if not subject:
        raise LookupError(f"dead letter {seq} does not say where it came from")
    js = nc.jetstream()
    await js.publish(
        subject,
        msg.data or b"",
        headers={MSG_ID: f"replay-{seq}-{letter.event_id or time.time_ns()}"},
    )
    if not keep:
        await jsm.delete_msg(DEAD_LETTER_STREAM, seq)
    return subject, letter


async def wait_for_jetstream(url: str, within: float = 10.0) -> None:
    """Until a JetStream-enabled server answers at `url` (`TimeoutError` after `within` s)."""
    deadline = time.monotonic() + within
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            async with jetstream(url, name="sop-probe") as nc:
                await nc.jsm().account_info()
                return
        except Exception as exc:
            last = exc
            await asyncio.sleep(0.1)
    raise TimeoutError(f"no JetStream at {url}: {last}")


def header_value(value: Any, limit: int = 2000) -> str:
    """A value made safe for a NATS header (one line, bounded)."""
    text = " ".join(str(value).split())
    return text[:limit]
