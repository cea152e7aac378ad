"""Tables every service keeps in its own database: idempotency keys, audit events, the tenants
provisioned there, (kernel schema 2) the event outbox and the consumers' inbox, and (kernel
schema 3) idempotency keys scoped to the person and remembering the scopes they were used with.

These are the current shapes, for queries. Migrations never create them from here: a service's
first migration calls `create_kernel_tables` (schema 1, frozen below as it shipped) and a later
one `upgrade_kernel_tables_2` (the outbox, the inbox, the acting service on audit events) and
`upgrade_kernel_tables_3` (idempotency keys per subject), so a database migrated step by step and
a new one end up the same."""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
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
    # The person (token subject): two users of one OAuth client never share a key's replay.
    Column("subject", String(255), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("method", String(10), nullable=False),
    Column("path", String(2048), nullable=False),
    Column("state", String(16), nullable=False),  # in_flight | completed
    # The scopes the first request had: a replay needs them all (it may show what they show).
    Column("scopes", JSON, nullable=False),
    Column("status_code", Integer),
    Column("response_headers", JSON),
    Column("response_body", LargeBinary),
    Column("locked_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("tenant", "client_id", "subject", "key"),
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
    # The service that acted for `actor` (token exchange's `act` claim), if one did.
    Column("acting_service", String(63)),
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


# The transactional outbox: an event row written in the same transaction as the change it
# announces (a committed change always has its event; a rolled-back one never does). A relay
# publishes unpublished rows in id order (ids are time-ordered) and stamps `published_at`.
outbox = Table(
    "outbox",
    kernel_metadata,
    Column("id", Uuid, primary_key=True),  # the CloudEvents id
    Column("tenant", String(63), nullable=False),
    Column("cluster", String(63)),
    Column("type", String(200), nullable=False),  # uk.gov.sop.hr.org_unit.created.v1
    Column("source", String(200), nullable=False),  # /hr
    Column("subject", String(300), nullable=False),  # org-units/<id>
    Column("aggregate", String(300), nullable=False),  # ordering key: events of one aggregate
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("data", JSON, nullable=False),
    Column("dataschema", String(500)),
    Column("published_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, default=0),
)
Index("ix_outbox_published_at_id", outbox.c.published_at, outbox.c.id)

# What each consumer has already acted on: at-least-once delivery, acted on once.
inbox = Table(
    "inbox",
    kernel_metadata,
    Column("consumer", String(100), nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("tenant", String(63), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("consumer", "event_id"),
)


def _schema_1() -> MetaData:
    """The kernel's tables as the first migrations created them (frozen: never edit)."""
    metadata = new_metadata()
    Table(
        "idempotency_keys",
        metadata,
        Column("tenant", String(63), nullable=False),
        Column("client_id", String(255), nullable=False),
        Column("key", String(255), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("method", String(10), nullable=False),
        Column("path", String(2048), nullable=False),
        Column("state", String(16), nullable=False),
        Column("status_code", Integer),
        Column("response_headers", JSON),
        Column("response_body", LargeBinary),
        Column("locked_at", DateTime(timezone=True), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("tenant", "client_id", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )
    Table(
        "audit_events",
        metadata,
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
        Index("ix_audit_events_tenant_id", "tenant", "id"),
        Index("ix_audit_events_tenant_resource", "tenant", "resource_type", "resource_id"),
    )
    Table(
        "provisioned_tenants",
        metadata,
        Column("tenant", String(63), primary_key=True),
        Column("cluster", String(63), nullable=False),
        Column("provisioned_at", DateTime(timezone=True), nullable=False),
    )
    return metadata


def create_kernel_tables(bind: Connection) -> None:
    """For a service's first migration: `create_kernel_tables(op.get_bind())` (schema 1)."""
    _schema_1().create_all(bind)


def drop_kernel_tables(bind: Connection) -> None:
    _schema_1().drop_all(bind)


def upgrade_kernel_tables_2(bind: Connection) -> None:
    """Kernel schema 2, for a service's migration: the outbox, the inbox, and the acting
    service on audit events. `bind` is the migration's connection (`op.get_bind()`)."""
    # Operations of its own: `Operations.context` would replace (and then clear) the
    # migration's global `op`.
    Operations(MigrationContext.configure(bind)).add_column(
        "audit_events", Column("acting_service", String(63))
    )
    outbox.create(bind)
    inbox.create(bind)


def downgrade_kernel_tables_2(bind: Connection) -> None:
    inbox.drop(bind)
    outbox.drop(bind)
    operations = Operations(MigrationContext.configure(bind))
    with operations.batch_alter_table("audit_events") as batch:  # SQLite rebuilds the table
        batch.drop_column("acting_service")


def upgrade_kernel_tables_3(bind: Connection) -> None:
    """Kernel schema 3, for a service's migration: idempotency keys scoped to tenant, client and
    subject, with the scopes of the request that used them. The table is recreated: keys live
    24 hours and a key claimed before the upgrade names no subject or scopes, so it could not
    be replayed safely; a retry of such a request runs afresh (upgrade between requests)."""
    Operations(MigrationContext.configure(bind)).drop_table("idempotency_keys")
    idempotency_keys.create(bind)


def downgrade_kernel_tables_3(bind: Connection) -> None:
    Operations(MigrationContext.configure(bind)).drop_table("idempotency_keys")
    _schema_1().tables["idempotency_keys"].create(bind)
