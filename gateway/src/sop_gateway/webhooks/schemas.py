"""The webhook API's bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sop_shared.events.envelope import InvalidEvent, validate_type

DeliveryStatus = Literal["pending", "retrying", "delivered", "failed"]


def _check_event_types(values: list[str]) -> list[str]:
    for value in values:
        if value == "*":
            continue
        if value.endswith(".*") and value.startswith("uk.gov.sop."):
            continue
        try:
            validate_type(value)
        except InvalidEvent as exc:
            raise ValueError(
                f"{value!r}: an event type (uk.gov.sop.hr.employee.updated.v1), a prefix "
                "ending in .* (uk.gov.sop.hr.*), or * for every event"
            ) from exc
    return sorted(set(values))


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="Where events are POSTed (http or https).")
    event_types: list[str] = Field(
        min_length=1,
        max_length=100,
        description="CloudEvents types to receive; a prefix ending in `.*`, or `*` for all.",
    )
    description: str | None = Field(None, max_length=500)
    enabled: bool = True

    _types = field_validator("event_types")(_check_event_types)


class SubscriptionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=2000)
    event_types: list[str] | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = Field(
        None, description="`true` re-enables a subscription the platform disabled."
    )

    @field_validator("event_types")
    @classmethod
    def _types(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _check_event_types(values)


class SubscriptionOut(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    description: str | None
    enabled: bool
    disabled_reason: str | None = Field(
        None, description="Why the platform disabled it (deliveries kept failing)."
    )
    disabled_at: datetime | None = None
    consecutive_failures: int
    previous_secret_expires_at: datetime | None = Field(
        None, description="After a rotation, until when the previous secret signs too."
    )
    version: int
    created_at: datetime
    updated_at: datetime


class SubscriptionWithSecret(SubscriptionOut):
    secret: str = Field(
        description="The signing secret (`whsec_...`), shown this once: store it now."
    )


class DeliveryOut(BaseModel):
    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    latency_ms: int | None
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    created_at: datetime
