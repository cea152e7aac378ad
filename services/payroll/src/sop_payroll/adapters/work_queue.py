"""The pay-run work queue on NATS JetStream: a work-queue stream (each message taken by one
worker, removed when acknowledged), a durable pull consumer shared by every payroll worker
process, explicit acknowledgement (a worker killed mid-chunk leaves its message to be
redelivered after `ack_wait`), and publishing deduplicated by message id."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Final

import nats
import nats.js.errors
from nats.aio.client import Client as NATS
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)

from sop_payroll.pay_runs.ports import WorkItem
from sop_shared.errors import ServiceUnavailable
from sop_shared.events.jetstream import MSG_ID, connect

log = logging.getLogger("sop.payroll.work")

STREAM: Final = "SOP_PAYROLL_WORK"
SUBJECT_PREFIX: Final = "sop-work.payroll"
CONSUMER: Final = "payroll-workers"
ACK_WAIT_SECONDS: Final = 60.0  # a worker in a long chunk says "in progress" well within it
MAX_DELIVER: Final = 8


def stream_config() -> StreamConfig:
    return StreamConfig(
        name=STREAM,
        description="Payroll's pay-run work: chunks of a calculation, finalising steps",
        subjects=[f"{SUBJECT_PREFIX}.>"],
        retention=RetentionPolicy.WORK_QUEUE,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=2 * 24 * 3600,
        max_msg_size=64 * 1024,
        duplicate_window=120,
        num_replicas=1,
    )


def consumer_config(ack_wait: float = ACK_WAIT_SECONDS) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=CONSUMER,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ack_wait,
        max_deliver=MAX_DELIVER,
        max_ack_pending=1000,
        filter_subject=f"{SUBJECT_PREFIX}.>",
    )


def encode(item: WorkItem) -> bytes:
    return json.dumps(
        {
            "tenant": item.tenant,
            "cluster": item.cluster,
            "run_id": str(item.run_id),
            "calculation": item.calculation,
            "stage": item.stage,
            "seq": item.seq,
            "cursor": item.cursor,
        }
    ).encode()


def decode(data: bytes) -> WorkItem:
    raw: dict[str, Any] = json.loads(data)
    return WorkItem(
        tenant=str(raw["tenant"]),
        cluster=raw.get("cluster"),
        run_id=uuid.UUID(raw["run_id"]),
        calculation=int(raw["calculation"]),
        stage=str(raw["stage"]),
        seq=int(raw.get("seq", 0)),
        cursor=raw.get("cursor"),
    )


async def ensure_stream(nc: NATS) -> None:
    jsm = nc.jetstream()
    try:
        await jsm.add_stream(config=stream_config())
    except nats.js.errors.BadRequestError as exc:
        if exc.err_code != 10058:  # exists with another configuration: ours wins where it may
            raise
        await jsm.update_stream(config=stream_config())


class JetStreamWorkQueue:
    """`WorkQueue` for the payroll service's requests (and its workers, which queue the next
    page): one connection per process, made on first use."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._nc: NATS | None = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> NATS:
        if self.url is None:
            raise ServiceUnavailable(
                "the pay-run work queue is not configured (SOP_NATS_URL)", retry_after=30
            )
        async with self._lock:
            if self._nc is None or self._nc.is_closed:
                try:
                    nc = await connect(self.url, name="sop-payroll-work")
                    await ensure_stream(nc)
                except Exception as exc:
                    raise ServiceUnavailable(
                        f"the pay-run work queue (NATS) is not reachable: {exc}", retry_after=5
                    ) from None
                self._nc = nc
            return self._nc

    async def put(self, item: WorkItem) -> None:
        nc = await self._connection()
        subject = f"{SUBJECT_PREFIX}.{item.tenant}.{item.stage}"
        try:
            await nc.jetstream().publish(
                subject, encode(item), headers={MSG_ID: item.message_id}, timeout=5
            )
        except Exception as exc:
            raise ServiceUnavailable(
                f"the pay-run work queue (NATS) did not take the work: {exc}", retry_after=5
            ) from None

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.drain()
        self._nc = None
