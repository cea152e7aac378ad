"""Events between services: a transactional outbox in each service's database, relayed to NATS
JetStream as CloudEvents 1.0 JSON, consumed by durable consumers that act on each event once.
See docs/events.md and docs/adr/0009-events.md.

- Publish (in a request): `ctx.events.publish(type, subject=..., aggregate=..., data=...)`
  through an `EventOutbox` (`SessionOutbox` in the request's transaction, `MemoryOutbox` in
  unit tests).
- Relay: `Relay` (`sop relay <service>`, started by `sop run`).
- Consume: `Subscription(name, subjects, handler)` given to `create_service_app(consumers=...)`,
  or a `Consumer` run by hand."""

from typing import TYPE_CHECKING, Any

from sop_shared.events.consumer import Consumer, Handler, Subscription
from sop_shared.events.envelope import (
    Event,
    InvalidEvent,
    decode,
    encode,
    event_from_row,
    filter_subject,
    nats_subject,
    row_to_envelope,
    subject_of,
    to_envelope,
)
from sop_shared.events.jetstream import (
    DEAD_LETTER_STREAM,
    EVENTS_STREAM,
    ensure_streams,
    nats_url_from_env,
)
from sop_shared.events.outbox import EventOutbox, MemoryOutbox, SessionOutbox, outbox_row

if TYPE_CHECKING:
    from sop_shared.events.relay import Relay


def __getattr__(name: str) -> Any:
    # Imported on first use, so `python -m sop_shared.events.relay` runs a module not yet loaded.
    if name == "Relay":
        from sop_shared.events.relay import Relay

        return Relay
    raise AttributeError(name)


__all__ = [
    "DEAD_LETTER_STREAM",
    "EVENTS_STREAM",
    "Consumer",
    "Event",
    "EventOutbox",
    "Handler",
    "InvalidEvent",
    "MemoryOutbox",
    "Relay",
    "SessionOutbox",
    "Subscription",
    "decode",
    "encode",
    "ensure_streams",
    "event_from_row",
    "filter_subject",
    "nats_subject",
    "nats_url_from_env",
    "outbox_row",
    "row_to_envelope",
    "subject_of",
    "to_envelope",
]
