"""Publishing an event: `EventOutbox`, the port a service's context carries as `events`.

`SessionOutbox` writes the event as an outbox row in the request's own transaction, so the
event commits with the change it announces and vanishes with a rollback; the relay
(`sop_shared.events.relay`) then publishes it to NATS JetStream. `MemoryOutbox` keeps the
events in a list for unit tests.

Publishers pass the resource's *public* representation only: no National Insurance number,
date of birth, bank detail or other value that needs a sensitive scope to read travels in an
event (a consumer that needs one reads it through the API, with that scope)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Protocol

import orjson
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.context import Principal
from sop_shared.events.envelope import (
    Event,
    InvalidEvent,
    json_data,
    validate_token,
    validate_type,
)
from sop_shared.ids import uuid7
from sop_shared.kernel_tables import outbox

_INSERT = insert(outbox)
_PG_INSERT = (
    "INSERT INTO outbox (id, tenant, cluster, type, source, subject, aggregate, occurred_at, "
    "data, dataschema, published_at, attempts) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, 0)"
)


async def write_outbox_row(session: AsyncSession, event: Event) -> None:
    """Inserts `event`'s outbox row in the session's transaction. It is one more statement in
    a write request, so it takes the shortest path: on asyncpg, once the transaction has begun
    (the change it announces was written first), the driver's own prepared statement (about a
    third less than SQLAlchemy's execution path; see bench/events.py); otherwise a constant
    Core statement on the session's connection."""
    connection = await session.connection()
    if connection.dialect.driver == "asyncpg":
        raw = (await connection.get_raw_connection()).driver_connection
        if raw is not None and raw.is_in_transaction():
            await raw.execute(
                _PG_INSERT,
                event.id,
                event.tenant,
                event.cluster,
                event.type,
                event.source,
                event.subject,
                event.aggregate or event.subject,
                event.time,
                orjson.dumps(event.data).decode(),
                event.dataschema,
            )
            return
    await connection.execute(_INSERT, outbox_row(event))


class EventOutbox(Protocol):
    """Where a service says what happened. `type` is `uk.gov.sop.<service>.<entity>.<action>.v<N>`,
    `subject` the resource within the service (`employees/<id>`), `aggregate` the ordering key
    (events with the same aggregate reach consumers in the order they were published), `data`
    the public representation (JSON-able: money, dates and ids become strings)."""

    async def publish(
        self,
        type: str,
        *,
        subject: str,
        aggregate: str,
        data: Mapping[str, Any],
        dataschema: str | None = None,
    ) -> None: ...


def build_event(
    principal: Principal,
    service: str,
    clock: Clock,
    type: str,
    *,
    subject: str,
    aggregate: str,
    data: Mapping[str, Any],
    dataschema: str | None,
) -> Event:
    """The event a publish makes (the same checks for the real outbox and the test one)."""
    if not principal.tenant:
        raise PermissionError("events need the tenant of the request's principal")
    validate_token(service, "service")
    validate_token(principal.tenant, "tenant")
    validate_type(type, service)
    if not subject:
        raise InvalidEvent("an event needs a subject (the resource it is about)")
    if not aggregate:
        raise InvalidEvent("an event needs an aggregate (its ordering key)")
    return Event(
        id=uuid7(),
        type=type,
        source=f"/{service}",
        subject=subject,
        time=clock.now(),
        tenant=principal.tenant,
        cluster=principal.cluster,
        data=json_data(data),
        dataschema=dataschema,
        aggregate=aggregate,
    )


class SessionOutbox:
    """Events as outbox rows in the request's transaction (`service` names the source)."""

    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        service: str,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._session = session
        self._principal = principal
        self._service = service
        self._clock = clock

    async def publish(
        self,
        type: str,
        *,
        subject: str,
        aggregate: str,
        data: Mapping[str, Any],
        dataschema: str | None = None,
    ) -> None:
        event = build_event(
            self._principal,
            self._service,
            self._clock,
            type,
            subject=subject,
            aggregate=aggregate,
            data=data,
            dataschema=dataschema,
        )
        await write_outbox_row(self._session, event)


def outbox_row(event: Event) -> dict[str, Any]:
    """The outbox row for `event` (the inverse of `envelope.event_from_row`)."""
    return {
        "id": event.id,
        "tenant": event.tenant,
        "cluster": event.cluster,
        "type": event.type,
        "source": event.source,
        "subject": event.subject,
        "aggregate": event.aggregate or event.subject,
        "occurred_at": event.time,
        "data": event.data,
        "dataschema": event.dataschema,
        "published_at": None,
        "attempts": 0,
    }


class MemoryOutbox:
    """Keeps what was published in `events` (unit tests; the same checks as the real one)."""

    def __init__(
        self,
        principal: Principal | None = None,
        service: str = "test",
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._principal = principal or Principal(
            subject="test", client_id="test", tenant="test", cluster=None
        )
        self._service = service
        self._clock = clock
        self.events: list[Event] = []

    async def publish(
        self,
        type: str,
        *,
        subject: str,
        aggregate: str,
        data: Mapping[str, Any],
        dataschema: str | None = None,
    ) -> None:
        self.events.append(
            build_event(
                self._principal,
                self._service,
                self._clock,
                type,
                subject=subject,
                aggregate=aggregate,
                data=data,
                dataschema=dataschema,
            )
        )

    def of_type(self, type: str) -> list[Event]:
        return [e for e in self.events if e.type == type]

    def ids(self) -> list[uuid.UUID]:
        return [e.id for e in self.events]
