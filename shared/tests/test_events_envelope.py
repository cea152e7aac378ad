"""The events' envelope, subjects and the in-memory outbox: no database, no NATS."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import orjson
import pytest

from sop_shared.clock import FixedClock
from sop_shared.context import Principal
from sop_shared.events import (
    Event,
    InvalidEvent,
    MemoryOutbox,
    decode,
    encode,
    event_from_row,
    filter_subject,
    nats_subject,
    outbox_row,
    subject_of,
    to_envelope,
)

WHEN = datetime(2026, 12, 7, 10, 15, 0, 123456, tzinfo=UTC)
WHO = Principal(subject="u1", client_id="c1", tenant="home-office", cluster="matrix")
TYPE = "uk.gov.sop.hr.employee.updated.v1"


def an_event(**changes: object) -> Event:
    values: dict[str, object] = {
        "id": uuid.UUID("0193a5b0-0000-7000-8000-000000000001"),
        "type": TYPE,
        "source": "/hr",
        "subject": "employees/e-1",
        "time": WHEN,
        "tenant": "home-office",
        "cluster": "matrix",
        "data": {"id": "e-1", "grade": "SEO"},
        "dataschema": "https://schemas.sop.example/hr/employee.updated.v1.json",
        "aggregate": "employee:e-1",
    }
    values.update(changes)
    return Event(**values)


def test_envelope_is_cloudevents_1_0_structured_json():
    envelope = orjson.loads(encode(an_event()))
    assert envelope == {
        "specversion": "1.0",
        "id": "0193a5b0-0000-7000-8000-000000000001",
        "source": "/hr",
        "type": TYPE,
        "subject": "employees/e-1",
        "time": "2026-12-07T10:15:00.123456Z",
        "datacontenttype": "application/json",
        "dataschema": "https://schemas.sop.example/hr/employee.updated.v1.json",
        "tenant": "home-office",
        "cluster": "matrix",
        "partitionkey": "employee:e-1",
        "data": {"id": "e-1", "grade": "SEO"},
    }


def test_optional_attributes_are_absent_not_null():
    envelope = to_envelope(an_event(dataschema=None, cluster=None, aggregate=None))
    assert "dataschema" not in envelope
    assert "cluster" not in envelope
    assert "partitionkey" not in envelope


def test_decode_is_the_inverse_of_encode():
    event = an_event()
    assert decode(encode(event)) == event
    whole_second = an_event(time=WHEN.replace(microsecond=0))
    assert orjson.loads(encode(whole_second))["time"] == "2026-12-07T10:15:00Z"
    assert decode(encode(whole_second)) == whole_second


def test_unknown_extensions_survive_a_round_trip():
    raw = to_envelope(an_event())
    raw["traceparent"] = "00-abc-def-01"
    event = decode(orjson.dumps(raw))
    assert event.extensions == {"traceparent": "00-abc-def-01"}
    assert orjson.loads(encode(event))["traceparent"] == "00-abc-def-01"


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b"not json", "not JSON"),
        (b"[]", "JSON object"),
        (orjson.dumps({"specversion": "0.3"}), "specversion"),
        (orjson.dumps({"specversion": "1.0", "id": "x"}), "missing"),
        (
            orjson.dumps({**to_envelope(an_event()), "datacontenttype": "text/xml"}),
            "datacontenttype",
        ),
        (orjson.dumps({**to_envelope(an_event()), "data": [1]}), "data must be"),
        (orjson.dumps({**to_envelope(an_event()), "id": "nope"}), "UUID"),
        (orjson.dumps({**to_envelope(an_event()), "time": "2026-12-07T10:15:00"}), "offset"),
    ],
)
def test_what_is_not_an_envelope_is_refused(payload, says):
    with pytest.raises(InvalidEvent, match=says):
        decode(payload)


def test_subjects():
    assert subject_of(an_event()) == f"sop.hr.home-office.{TYPE}"
    assert nats_subject("finance", "dwp", "uk.gov.sop.finance.journal.posted.v1") == (
        "sop.finance.dwp.uk.gov.sop.finance.journal.posted.v1"
    )
    assert filter_subject("hr") == "sop.hr.*.>"
    assert filter_subject("hr", prefix="uk.gov.sop.hr.employee") == (
        "sop.hr.*.uk.gov.sop.hr.employee.>"
    )
    assert filter_subject("hr", "dwp", TYPE) == f"sop.hr.dwp.{TYPE}"
    with pytest.raises(InvalidEvent):
        nats_subject("hr", "a.b", TYPE)  # a tenant is one subject token
    with pytest.raises(InvalidEvent):
        nats_subject("hr", "*", TYPE)


def test_an_outbox_row_and_the_event_are_the_same_thing():
    event = an_event()
    row = outbox_row(event)
    assert row["aggregate"] == "employee:e-1"
    assert row["published_at"] is None
    assert event_from_row(row) == event
    naive = {**row, "occurred_at": WHEN.replace(tzinfo=None)}  # as SQLite hands it back
    assert event_from_row(naive).time == WHEN


async def test_memory_outbox_keeps_what_was_published_with_the_real_rules():
    clock = FixedClock(WHEN)
    events = MemoryOutbox(WHO, "hr", clock=clock)
    await events.publish(
        TYPE,
        subject="employees/e-1",
        aggregate="employee:e-1",
        data={"salary": Decimal("31000.00"), "start": date(2026, 4, 1), "id": uuid.UUID(int=1)},
    )
    (event,) = events.events
    assert event.type == TYPE
    assert event.source == "/hr"
    assert event.tenant == "home-office" and event.cluster == "matrix"
    assert event.time == WHEN
    assert event.id.version == 7
    assert event.data == {
        "salary": "31000.00",
        "start": "2026-04-01",
        "id": "00000000-0000-0000-0000-000000000001",
    }
    assert events.of_type(TYPE) == [event]
    assert events.ids() == [event.id]


@pytest.mark.parametrize(
    ("type", "says"),
    [
        ("employee.updated", "uk.gov.sop"),
        ("uk.gov.sop.hr.employee.updated", "uk.gov.sop"),  # no version
        ("uk.gov.sop.hr.Employee.updated.v1", "uk.gov.sop"),  # upper case
        ("uk.gov.sop.hr.employee updated.v1", "uk.gov.sop"),
        ("uk.gov.sop.finance.journal.posted.v1", "hr may publish only"),
    ],
)
async def test_a_type_names_the_service_entity_action_and_version(type, says):
    with pytest.raises(InvalidEvent, match=says):
        await MemoryOutbox(WHO, "hr").publish(type, subject="s", aggregate="a", data={})


async def test_an_event_needs_a_tenant_a_subject_and_an_aggregate():
    platform = Principal(subject="ops", client_id="c", tenant=None, cluster=None)
    with pytest.raises(PermissionError):
        await MemoryOutbox(platform, "hr").publish(TYPE, subject="s", aggregate="a", data={})
    with pytest.raises(InvalidEvent, match="subject"):
        await MemoryOutbox(WHO, "hr").publish(TYPE, subject="", aggregate="a", data={})
    with pytest.raises(InvalidEvent, match="aggregate"):
        await MemoryOutbox(WHO, "hr").publish(TYPE, subject="s", aggregate="", data={})
