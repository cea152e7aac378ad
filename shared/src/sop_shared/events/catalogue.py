"""The event catalogue: every event type a service publishes, with the JSON Schema of its data,
as an AsyncAPI 3.0 document. Each service serves its own at `/events/asyncapi.json`; the gateway
merges them into one at the same path."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sop_shared.events.envelope import SUBJECT_PREFIX

ASYNCAPI_VERSION = "3.0.0"
ENVELOPE = "CloudEvent"


@dataclass(frozen=True, slots=True)
class EventType:
    """One type a service publishes: `uk.gov.sop.hr.org_unit.created.v1`, what it means, and
    the model of its `data`."""

    type: str
    description: str
    data: builtins.type[BaseModel]  # `builtins.`: the field `type` shadows the builtin here

    @property
    def message(self) -> str:
        """A name for the message: `HrOrgUnitCreatedV1`."""
        parts = self.type.removeprefix("uk.gov.sop.").replace("_", ".").split(".")
        return "".join(part[:1].upper() + part[1:] for part in parts)


def catalogue(entries: Mapping[str, tuple[str, type[BaseModel]]]) -> list[EventType]:
    """From a domain's `{type: (description, data model)}` table."""
    return [EventType(t, description, model) for t, (description, model) in entries.items()]


def envelope_schema() -> dict[str, Any]:
    """The CloudEvents 1.0 structured-mode envelope every event travels in."""
    return {
        "type": "object",
        "description": "A CloudEvents 1.0 envelope (structured JSON). `data` is the resource's "
        "public representation: sensitive values never travel in events.",
        "required": ["specversion", "id", "source", "type", "subject", "time", "tenant", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "format": "uuid", "description": "Deduplicate by it."},
            "source": {"type": "string", "examples": ["/hr"]},
            "type": {"type": "string", "examples": ["uk.gov.sop.hr.employee.updated.v1"]},
            "subject": {"type": "string", "examples": ["employees/0193..."]},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"type": "string"},
            "tenant": {"type": "string", "description": "The department (tenant slug)."},
            "cluster": {"type": ["string", "null"]},
            "partitionkey": {
                "type": "string",
                "description": "Events with the same key arrive in the order they happened.",
            },
            "data": {"type": "object"},
        },
    }


def asyncapi(
    service: str, events: Sequence[EventType], *, version: str = "1.0.0"
) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the events `service` publishes."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {ENVELOPE: envelope_schema()}
    for event in events:
        data = event.data.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in data.pop("$defs", {}).items():
            schemas.setdefault(name, sub)
        schemas.setdefault(event.data.__name__, data)
        payload = {
            "allOf": [
                {"$ref": f"#/components/schemas/{ENVELOPE}"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": event.type},
                        "source": {"const": f"/{service}"},
                        "data": {"$ref": f"#/components/schemas/{event.data.__name__}"},
                    },
                },
            ]
        }
        messages[event.message] = {
            "name": event.type,
            "title": event.type,
            "summary": event.description,
            "contentType": "application/cloudevents+json",
            "payload": payload,
        }
        channels[event.type] = {
            "address": f"{SUBJECT_PREFIX}.{service}.{{tenant}}.{event.type}",
            "description": event.description,
            "parameters": {"tenant": {"description": "The department's tenant slug."}},
            "messages": {event.message: {"$ref": f"#/components/messages/{event.message}"}},
        }
        operations[f"publish{event.message}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{event.type}"},
            "messages": [{"$ref": f"#/channels/{event.type}/messages/{event.message}"}],
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": f"SOP {service} events",
            "version": version,
            "description": f"What the {service} service announces, on NATS JetStream.",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def merge(documents: Iterable[Mapping[str, Any]], *, version: str = "1.0.0") -> dict[str, Any]:
    """One document from each service's (the gateway's `/events/asyncapi.json`)."""
    merged: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "SOP events",
            "version": version,
            "description": "Every event the platform's services publish on NATS JetStream, as "
            "CloudEvents 1.0 JSON on subjects `sop.<service>.<tenant>.<type>`. Consumers are "
            "durable and deduplicate by event id; see docs/events.md.",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": {},
        "operations": {},
        "components": {"messages": {}, "schemas": {}},
    }
    for document in documents:
        merged["channels"].update(document.get("channels", {}))
        merged["operations"].update(document.get("operations", {}))
        components = document.get("components", {})
        merged["components"]["messages"].update(components.get("messages", {}))
        for name, schema in components.get("schemas", {}).items():
            merged["components"]["schemas"].setdefault(name, schema)
    return merged
