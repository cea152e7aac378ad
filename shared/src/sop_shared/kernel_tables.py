"""Tables every service keeps in its own database: idempotency keys, audit events and the
tenants provisioned there. Each service's first migration creates them with `create_all`."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Uuid,
)

from sop_shared.db import new_metadata

kernel_metadata = new_metadata()

idempotency_keys = Table(
    "idempotency_keys",
    kernel_metadata,
    Column("tenant", String(63), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("method", String(10), nullable=False),
    Column("path", String(2048), nullable=False),
    Column("state", String(16), nullable=False),  # in_flight | completed
    Column("status_code", Integer),
    Column("response_headers", JSON),
    Column("response_body", LargeBinary),
    Column("locked_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("tenant", "client_id", "key"),
)
Index("ix_idempotency_keys_expires_at", idempotency_keys.c.expires_at)

audit_events = Table(
    "audit_events",
    kernel_metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant", String(63), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("action", String(100), nullable=False),
    Column("resource_type", String(100), nullable=False),
    Column("resource_id", String(100), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("sensitive_fields", JSON),
    Column("request_id", String(128)),
    Column("trace_id", String(32)),
)
Index("ix_audit_events_tenant_id", audit_events.c.tenant, audit_events.c.id)
Index(
    "ix_audit_events_tenant_resource",
    audit_events.c.tenant,
    audit_events.c.resource_type,
    audit_events.c.resource_id,
)

provisioned_tenants = Table(
    "provisioned_tenants",
    kernel_metadata,
    Column("tenant", String(63), primary_key=True),
    Column("cluster", String(63), nullable=False),
    Column("provisioned_at", DateTime(timezone=True), nullable=False),
)


def create_kernel_tables(bind: object) -> None:
    """For a service's first migration: `create_kernel_tables(op.get_bind())`."""
    kernel_metadata.create_all(bind)  # type: ignore[arg-type]


def drop_kernel_tables(bind: object) -> None:
    kernel_metadata.drop_all(bind)  # type: ignore[arg-type]
