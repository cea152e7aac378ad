"""From events to deliveries, and deliveries to receivers.

`record` is the handler of the durable consumer `gateway-webhooks` (subjects `sop.>`): in the
consumer's transaction (the kernel inbox makes it once per event) it writes a pending delivery
for each enabled subscription of the event's tenant whose types match. A tenant's
subscriptions never see another tenant's events: the tenant is the envelope's `tenant`.

`DeliveryWorker` (a background task of the gateway) POSTs due deliveries, earliest due first:
each attempt is claimed in the database (so replicas do not send the same attempt twice),
checked against the SSRF rules again, signed with the subscription's secrets, and bounded by a
timeout. A subscription has at most `per_subscription` attempts in flight, so a slow or failing
receiver holds up only its own deliveries. A 2xx is delivered; anything else (a redirect too:
none is followed) is retried after the next step of the schedule, and failed when the schedule
is spent. A subscription whose attempts keep failing (`disable_after_failures` in a row, or for
`disable_after` without a success) is disabled with its reason."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sop_gateway.webhooks.service import signing_keys
from sop_gateway.webhooks.signing import signed_headers
from sop_gateway.webhooks.tables import deliveries, subscriptions
from sop_gateway.webhooks.urls import RefusedUrl, check_url, pinned
from sop_shared.db import Database, utcnow
from sop_shared.events.envelope import Event, to_envelope
from sop_shared.ids import uuid7
from sop_shared.timeutil import as_utc

log = logging.getLogger("sop.gateway.webhooks")

CONSUMER_NAME = "gateway-webhooks"
SUBJECTS = "sop.>"
DUE = ("pending", "retrying")


def matches(patterns: Sequence[str], type: str) -> bool:
    for pattern in patterns:
        if pattern == "*" or pattern == type:
            return True
        if pattern.endswith("*") and type.startswith(pattern[:-1]):
            return True
    return False


async def handle_event(session: AsyncSession, event: Event) -> None:
    """The consumer's handler."""
    await record(session, event)


async def record(session: AsyncSession, event: Event, now: datetime | None = None) -> int:
    """Pending deliveries for `event`; how many."""
    now = now or utcnow()
    rows = (
        await session.execute(
            select(subscriptions.c.id, subscriptions.c.event_types).where(
                subscriptions.c.tenant == event.tenant, subscriptions.c.enabled.is_(True)
            )
        )
    ).all()
    wanted = [r.id for r in rows if matches(r.event_types, event.type)]
    if not wanted:
        return 0
    payload = to_envelope(event)
    await session.execute(
        deliveries.insert(),
        [
            {
                "id": uuid7(),
                "subscription_id": sub,
                "tenant": event.tenant,
                "event_id": event.id,
                "event_type": event.type,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "claim": 0,
                "created_at": now,
            }
            for sub in wanted
        ],
    )
    return len(wanted)


@dataclass
class Outcome:
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        *,
        allow_loopback: bool,
        schedule: Sequence[float],
        timeout: float = 10.0,
        concurrency: int = 64,
        per_subscription: int = 4,
        disable_after_failures: int = 100,
        disable_after: timedelta = timedelta(hours=24),
        poll_interval: float = 1.0,
        retention: timedelta = timedelta(days=30),
        client: httpx.AsyncClient | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.allow_loopback = allow_loopback
        self.schedule = tuple(schedule)
        self.timeout = timeout
        self.concurrency = concurrency
        self.per_subscription = per_subscription
        self.disable_after_failures = disable_after_failures
        self.disable_after = disable_after
        self.poll_interval = poll_interval
        self.retention = retention
        self._purged_at = 0.0
        self.now = now
        self._client = client
        self._own_client = client is None
        self._in_flight: dict[uuid.UUID, int] = {}  # subscription -> attempts in flight
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        # What it did (tests, logs).
        self.delivered = 0
        self.failed_attempts = 0

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            # No redirects followed (a redirect could point anywhere), no cookies kept.
            self._client = httpx.AsyncClient(
                follow_redirects=False, timeout=self.timeout, trust_env=False
            )
        return self._client

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._run(), name="webhook-deliveries")

    async def stop(self) -> None:
        self._stopping = True
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def wake(self) -> None:
        self._wake.set()

    async def wake_async(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.dispatch_due()
                if time.monotonic() - self._purged_at > 3600:
                    self._purged_at = time.monotonic()
                    await self.purge()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook dispatch failed")
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that arrives as the wake-up does, and stop() would wait forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()
            self._wake.clear()

    async def run_once(self) -> None:
        """Start every due attempt there is room for and wait for them (tests)."""
        await self.dispatch_due()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def purge(self) -> int:
        """Forgets finished deliveries (delivered or failed) older than the retention."""
        async with self.database.transaction() as session:
            done = await session.execute(
                deliveries.delete().where(
                    deliveries.c.status.in_(("delivered", "failed")),
                    deliveries.c.created_at < self.now() - self.retention,
                )
            )
        return int(done.rowcount or 0)  # type: ignore[attr-defined]

    # -- picking ---------------------------------------------------------------------------

    async def dispatch_due(self) -> int:
        """Claims due deliveries, earliest first, and starts their attempts; how many."""
        room = self.concurrency - len(self._tasks)
        if room <= 0:
            return 0
        now = self.now()
        d, s = deliveries, subscriptions
        async with self.database.transaction() as session:
            rows = (
                await session.execute(
                    select(d.c.id, d.c.subscription_id, d.c.claim)
                    .join(s, s.c.id == d.c.subscription_id)
                    .where(
                        d.c.status.in_(DUE),
                        d.c.next_attempt_at <= now,
                        s.c.enabled.is_(True),
                    )
                    .order_by(d.c.next_attempt_at)
                    .limit(max(room * 4, 100))
                )
            ).all()
        started = 0
        lease = now + timedelta(seconds=self.timeout * 3 + 30)
        for row in rows:
            if started >= room:
                break
            if self._in_flight.get(row.subscription_id, 0) >= self.per_subscription:
                continue  # this receiver has its share; the others go on
            async with self.database.transaction() as session:
                claimed = await session.execute(
                    update(d)
                    .where(d.c.id == row.id, d.c.claim == row.claim)
                    .values(claim=row.claim + 1, next_attempt_at=lease)
                )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another worker took it, or it was replayed meanwhile
            self._in_flight[row.subscription_id] = self._in_flight.get(row.subscription_id, 0) + 1
            task = asyncio.create_task(self._attempt(row.id, row.subscription_id, row.claim + 1))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started

    # -- one attempt -----------------------------------------------------------------------

    async def _attempt(
        self, delivery_id: uuid.UUID, subscription_id: uuid.UUID, claim: int
    ) -> None:
        try:
            async with self.database.transaction() as session:
                delivery = (
                    await session.execute(select(deliveries).where(deliveries.c.id == delivery_id))
                ).first()
                sub = (
                    await session.execute(
                        select(subscriptions).where(subscriptions.c.id == subscription_id)
                    )
                ).first()
            if delivery is None or sub is None:
                return
            outcome = await self._send(sub, delivery)
            await self._record(delivery, sub, claim, outcome)
        except Exception:
            log.exception("webhook delivery %s", delivery_id)
        finally:
            left = self._in_flight.get(subscription_id, 1) - 1
            if left > 0:
                self._in_flight[subscription_id] = left
            else:
                self._in_flight.pop(subscription_id, None)
            self._wake.set()  # room again

    async def _send(self, sub: Any, delivery: Any) -> Outcome:
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            address = await check_url(sub.url, allow_loopback=self.allow_loopback)
        except RefusedUrl as exc:
            return Outcome(False, None, 0, f"refused: {exc}")
        body = orjson.dumps(delivery.payload)
        headers = signed_headers(signing_keys(sub, self.now()), str(delivery.event_id), body)
        # Connect to the address just checked, naming the host for HTTP and TLS.
        target, host = pinned(sub.url, address)
        port = urlsplit(sub.url).port
        headers["host"] = host if port is None else f"{host}:{port}"
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.client.post(
                    target, content=body, headers=headers, extensions={"sni_hostname": host}
                )
        except TimeoutError:
            return Outcome(False, None, elapsed(), f"timed out after {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return Outcome(False, None, elapsed(), f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= response.status_code < 300:
            return Outcome(True, response.status_code, elapsed(), None)
        return Outcome(False, response.status_code, elapsed(), f"HTTP {response.status_code}")

    async def _record(self, delivery: Any, sub: Any, claim: int, outcome: Outcome) -> None:
        now = self.now()
        attempts = delivery.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "last_status_code": outcome.status_code,
            "last_latency_ms": outcome.latency_ms,
            "last_error": outcome.error,
            "last_attempt_at": now,
        }
        if outcome.ok:
            values.update(status="delivered", next_attempt_at=None, delivered_at=now)
        elif attempts <= len(self.schedule):
            values.update(
                status="retrying",
                next_attempt_at=now + timedelta(seconds=self.schedule[attempts - 1]),
            )
        else:
            values.update(status="failed", next_attempt_at=None)
        async with self.database.transaction() as session:
            done = await session.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery.id, deliveries.c.claim == claim)
                .values(**values)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                return  # replayed meanwhile: that attempt's record stands
            if outcome.ok:
                self.delivered += 1
                await session.execute(
                    update(subscriptions)
                    .where(subscriptions.c.id == sub.id)
                    .values(consecutive_failures=0, failing_since=None)
                )
            else:
                self.failed_attempts += 1
                await self._failed(session, sub.id, now)

    async def _failed(
        self, session: AsyncSession, subscription_id: uuid.UUID, now: datetime
    ) -> None:
        s = subscriptions
        await session.execute(
            update(s)
            .where(s.c.id == subscription_id)
            .values(consecutive_failures=s.c.consecutive_failures + 1)
        )
        await session.execute(
            update(s)
            .where(s.c.id == subscription_id, s.c.failing_since.is_(None))
            .values(failing_since=now)
        )
        row = (
            await session.execute(
                select(s.c.consecutive_failures, s.c.failing_since, s.c.enabled, s.c.version).where(
                    s.c.id == subscription_id
                )
            )
        ).first()
        if row is None or not row.enabled:
            return
        since = as_utc(row.failing_since) if row.failing_since else now
        reason = None
        if row.consecutive_failures >= self.disable_after_failures:
            reason = f"{row.consecutive_failures} deliveries in a row failed"
        elif now - since >= self.disable_after:
            reason = f"every delivery failed since {since.isoformat()}"
        if reason is not None:
            await session.execute(
                update(s)
                .where(s.c.id == subscription_id, s.c.enabled.is_(True))
                .values(
                    enabled=False,
                    disabled_reason=reason + "; re-enable it with PATCH enabled=true",
                    disabled_at=now,
                    version=row.version + 1,
                    updated_at=now,
                )
            )
            log.warning("webhook subscription %s disabled: %s", subscription_id, reason)


__all__ = ["CONSUMER_NAME", "SUBJECTS", "DeliveryWorker", "handle_event", "matches", "record"]
