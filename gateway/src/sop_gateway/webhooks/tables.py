"""The webhook tables (gateway database, migration 0003): subscriptions and their deliveries."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from sop_shared.db import new_metadata

metadata = new_metadata()

subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant", String(63), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("description", String(500), nullable=True),
    Column("enabled", Boolean, nullable=False),
    # The signing secret (`whsec_...`), and the one it replaced while their overlap lasts.
    Column("secret", String(200), nullable=False),
    Column("previous_secret", String(200), nullable=True),
    Column("previous_secret_expires_at", DateTime(timezone=True), nullable=True),
    Column("consecutive_failures", Integer, nullable=False),
    Column("failing_since", DateTime(timezone=True), nullable=True),
    Column("disabled_reason", Text, nullable=True),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_webhook_subscriptions_tenant", subscriptions.c.tenant)

deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("subscription_id", Uuid, nullable=False),
    Column("tenant", String(63), nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("event_type", String(255), nullable=False),
    Column("payload", JSON, nullable=False),  # the CloudEvents envelope, sent as the body
    Column("status", String(16), nullable=False),  # pending | retrying | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("claim", Integer, nullable=False),  # bumped by the worker that takes an attempt
    Column("last_status_code", Integer, nullable=True),
    Column("last_latency_ms", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_attempt_at", DateTime(timezone=True), nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("subscription_id", "event_id"),
)
Index("ix_webhook_deliveries_subscription", deliveries.c.subscription_id)
Index("ix_webhook_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)
