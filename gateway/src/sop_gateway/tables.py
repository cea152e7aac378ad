"""The gateway's own tables: the tenant registry and the development identity provider's
clients, users and grants. Kernel tables (audit events, idempotency keys) live beside them."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Table, Text, Uuid

from sop_shared.db import new_metadata

metadata = new_metadata()

tenants = Table(
    "tenants",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("slug", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("cluster", String(63), nullable=False),
    Column("status", String(16), nullable=False),  # provisioning | active | suspended
    # A department's own identity provider: its `iss`, exactly; one issuer serves one tenant.
    Column("issuer", String(500), nullable=True, unique=True),
    Column("issuer_config", JSON, nullable=True),  # audience, claim mapping, algorithms
    Column("provisioned_services", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

dev_clients = Table(
    "dev_clients",
    metadata,
    Column("client_id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(300), nullable=True),  # NULL: a public client (PKCE)
    Column("tenant", String(63), nullable=True),
    Column("scopes", Text, nullable=False),
    Column("grant_types", JSON, nullable=False),
    Column("redirect_uris", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

dev_users = Table(
    "dev_users",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("tenant", String(63), nullable=True),
    Column("scopes", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Authorization codes and refresh tokens, stored by hash: a leaked table grants nothing.
dev_grants = Table(
    "dev_grants",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),  # code | refresh
    Column("client_id", String(100), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("tenant", String(63), nullable=True),
    Column("scopes", Text, nullable=False),
    Column("redirect_uri", String(2000), nullable=True),
    Column("code_challenge", String(128), nullable=True),
    Column("nonce", String(255), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_dev_grants_expires_at", dev_grants.c.expires_at)
