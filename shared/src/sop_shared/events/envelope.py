"""The CloudEvents 1.0 envelope every SOP event travels in (structured JSON mode), the NATS
subject it is published on, and the rules its type follows.

    {"specversion": "1.0", "id": "<uuid7>", "source": "/hr",
     "type": "uk.gov.sop.hr.employee.updated.v1", "subject": "employees/<id>",
     "time": "2026-12-07T10:15:00.123456Z", "datacontenttype": "application/json",
     "dataschema": "https://.../employee.updated.v1.json",
     "tenant": "home-office", "cluster": "matrix", "partitionkey": "employee:<id>",
     "data": {...}}

`tenant` and `cluster` are SOP's extension attributes; `partitionkey` is CloudEvents'
partitioning extension and carries the outbox's `aggregate` (events of one aggregate are
published in order). The subject on NATS is `sop.<service>.<tenant>.<type>`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic_core import to_jsonable_python

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
SUBJECT_PREFIX = "sop"
TYPE_PREFIX = "uk.gov.sop."

# uk.gov.sop.<service>.<entity>.<action>.v<N>: lower-case tokens (NATS subject tokens: no
# spaces, dots only as separators, no wildcards), the last one a version.
_TYPE = re.compile(r"^uk\.gov\.sop(\.[a-z0-9_-]+){3,}\.v[0-9]+$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


class InvalidEvent(ValueError):
    """An event (or an envelope on the wire) that breaks the envelope's rules."""


@dataclass(frozen=True, slots=True)
class Event:
    """One event, as a publisher wrote it and a consumer receives it."""

    id: uuid.UUID
    type: str  # uk.gov.sop.hr.employee.updated.v1
    source: str  # /hr
    subject: str  # employees/<id>: what the event is about, within the source
    time: datetime  # aware, UTC
    tenant: str
    data: dict[str, Any]
    cluster: str | None = None
    dataschema: str | None = None
    aggregate: str | None = None  # the ordering key (CloudEvents `partitionkey`)
    extensions: dict[str, Any] = field(default_factory=dict)  # others a producer added

    @property
    def service(self) -> str:
        """The publishing service (`hr` for source `/hr`)."""
        return self.source.strip("/").split("/", 1)[0]


def validate_type(type: str, service: str | None = None) -> None:
    """`type` is `uk.gov.sop.<service>.<entity>.<action>.v<N>` (and names `service`, if given)."""
    if not _TYPE.match(type):
        raise InvalidEvent(
            f"event type {type!r} is not uk.gov.sop.<service>.<entity>.<action>.v<N> "
            "(lower-case letters, digits, '_' and '-')"
        )
    if service is not None and not type.startswith(f"{TYPE_PREFIX}{service}."):
        raise InvalidEvent(f"{service} may publish only {TYPE_PREFIX}{service}.* types: {type!r}")


def validate_token(value: str, what: str) -> None:
    """A value that becomes one NATS subject token (a service, a tenant, a consumer name)."""
    if not _TOKEN.match(value):
        raise InvalidEvent(f"{what} {value!r} must be letters, digits, '_' or '-'")


def nats_subject(service: str, tenant: str, type: str) -> str:
    """Where an event is published: `sop.<service>.<tenant>.<type>`."""
    validate_token(service, "service")
    validate_token(tenant, "tenant")
    return f"{SUBJECT_PREFIX}.{service}.{tenant}.{type}"


def subject_of(event: Event) -> str:
    return nats_subject(event.service, event.tenant, event.type)


def filter_subject(
    service: str = "*", tenant: str = "*", type: str | None = None, *, prefix: str | None = None
) -> str:
    """A consumer's filter: `filter_subject("hr", type="uk.gov.sop.hr.employee.updated.v1")`,
    or everything about employees: `filter_subject("hr", prefix="uk.gov.sop.hr.employee")`."""
    tail = type or (f"{prefix}.>" if prefix else ">")
    return f"{SUBJECT_PREFIX}.{service}.{tenant}.{tail}"


def json_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` as plain JSON values (money and dates as strings, ids as strings)."""
    converted = to_jsonable_python(dict(data))
    if not isinstance(converted, dict):  # pragma: no cover - a dict stays a dict
        raise InvalidEvent("event data must be a JSON object")
    return converted


def rfc3339(moment: datetime) -> str:
    """UTC, with `Z`: 2026-12-07T10:15:00.123456Z."""
    if moment.tzinfo is None:
        raise InvalidEvent("event time must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_envelope(event: Event) -> dict[str, Any]:
    """The structured-mode JSON object (optional attributes absent when they have no value)."""
    envelope: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": str(event.id),
        "source": event.source,
        "type": event.type,
        "subject": event.subject,
        "time": rfc3339(event.time),
        "datacontenttype": CONTENT_TYPE,
    }
    if event.dataschema:
        envelope["dataschema"] = event.dataschema
    envelope["tenant"] = event.tenant
    if event.cluster:
        envelope["cluster"] = event.cluster
    if event.aggregate:
        envelope["partitionkey"] = event.aggregate
    for name, value in event.extensions.items():
        envelope.setdefault(name, value)
    envelope["data"] = event.data
    return envelope


def encode(event: Event) -> bytes:
    """The envelope's bytes, as published."""
    return orjson.dumps(to_envelope(event))


_KNOWN = frozenset(
    {
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "datacontenttype",
        "dataschema",
        "tenant",
        "cluster",
        "partitionkey",
        "data",
    }
)


def decode(payload: bytes | str) -> Event:
    """An envelope's bytes back to the `Event` (`InvalidEvent` when they are not one)."""
    try:
        envelope = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise InvalidEvent(f"not JSON: {exc}") from None
    if not isinstance(envelope, dict):
        raise InvalidEvent("a CloudEvents envelope is a JSON object")
    if envelope.get("specversion") != SPECVERSION:
        raise InvalidEvent(f"specversion must be {SPECVERSION!r}")
    missing = [
        k for k in ("id", "source", "type", "subject", "time", "tenant") if not envelope.get(k)
    ]
    if missing:
        raise InvalidEvent("missing " + ", ".join(missing))
    content_type = envelope.get("datacontenttype", CONTENT_TYPE)
    if content_type != CONTENT_TYPE:
        raise InvalidEvent(f"datacontenttype must be {CONTENT_TYPE}, not {content_type!r}")
    data = envelope.get("data", {})
    if not isinstance(data, dict):
        raise InvalidEvent("data must be a JSON object")
    try:
        event_id = uuid.UUID(str(envelope["id"]))
        time = datetime.fromisoformat(str(envelope["time"]).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidEvent(str(exc)) from None
    if time.tzinfo is None:
        raise InvalidEvent("time must carry its offset (UTC, Z)")
    return Event(
        id=event_id,
        type=str(envelope["type"]),
        source=str(envelope["source"]),
        subject=str(envelope["subject"]),
        time=time.astimezone(UTC),
        tenant=str(envelope["tenant"]),
        data=data,
        cluster=envelope.get("cluster") or None,
        dataschema=envelope.get("dataschema") or None,
        aggregate=envelope.get("partitionkey") or None,
        extensions={k: v for k, v in envelope.items() if k not in _KNOWN},
    )


def event_from_row(row: Mapping[str, Any]) -> Event:
    """An outbox row (`sop_shared.kernel_tables.outbox`) as the event it announces."""
    occurred: datetime = row["occurred_at"]
    if occurred.tzinfo is None:  # SQLite hands back naive UTC
        occurred = occurred.replace(tzinfo=UTC)
    row_id = row["id"]
    return Event(
        id=row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(str(row_id)),
        type=row["type"],
        source=row["source"],
        subject=row["subject"],
        time=occurred,
        tenant=row["tenant"],
        data=dict(row["data"] or {}),
        cluster=row.get("cluster"),
        dataschema=row.get("dataschema"),
        aggregate=row.get("aggregate"),
    )


def row_to_envelope(row: Mapping[str, Any]) -> bytes:
    """An outbox row straight to the bytes the relay publishes. A row read with its `data` as
    JSON text (`data_json`, as the relay reads it) keeps that text as it is: no decoding and
    encoding again of what the database already holds as JSON."""
    raw = row.get("data_json")
    if raw is None:
        return encode(event_from_row(row))
    occurred: datetime = row["occurred_at"]
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    head: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": str(row["id"]),
        "source": row["source"],
        "type": row["type"],
        "subject": row["subject"],
        "time": rfc3339(occurred),
        "datacontenttype": CONTENT_TYPE,
    }
    if row.get("dataschema"):
        head["dataschema"] = row["dataschema"]
    head["tenant"] = row["tenant"]
    if row.get("cluster"):
        head["cluster"] = row["cluster"]
    if row.get("aggregate"):
        head["partitionkey"] = row["aggregate"]
    data = raw.encode() if isinstance(raw, str) else bytes(raw)
    return orjson.dumps(head)[:-1] + b',"data":' + data + b"}"
