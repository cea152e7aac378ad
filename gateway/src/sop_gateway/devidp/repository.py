"""Every query on the development identity provider's clients, users and grants."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sop_gateway.tables import dev_clients, dev_grants, dev_users
from sop_shared.db import utcnow


async def client(session: AsyncSession, client_id: str) -> Row[Any] | None:
    return (
        await session.execute(select(dev_clients).where(dev_clients.c.client_id == client_id))
    ).first()


async def clients_of_tenant(session: AsyncSession, tenant: str | None) -> list[Row[Any]]:
    cond = dev_clients.c.tenant.is_(None) if tenant is None else dev_clients.c.tenant == tenant
    return list((await session.execute(select(dev_clients).where(cond))).all())


async def add_client(session: AsyncSession, **values: Any) -> None:
    await session.execute(dev_clients.insert().values(created_at=utcnow(), **values))


async def user(session: AsyncSession, username: str) -> Row[Any] | None:
    return (
        await session.execute(select(dev_users).where(dev_users.c.username == username))
    ).first()


async def users(session: AsyncSession) -> list[Row[Any]]:
    return list((await session.execute(select(dev_users).order_by(dev_users.c.username))).all())


async def add_user(session: AsyncSession, **values: Any) -> None:
    await session.execute(dev_users.insert().values(created_at=utcnow(), **values))


async def add_grant(session: AsyncSession, **values: Any) -> None:
    await session.execute(dev_grants.insert().values(created_at=utcnow(), **values))


async def take_grant(session: AsyncSession, token_hash: str, kind: str) -> Row[Any] | None:
    """Fetch and delete in one go: codes and refresh tokens are single-use."""
    row = (
        await session.execute(
            select(dev_grants).where(
                dev_grants.c.token_hash == token_hash, dev_grants.c.kind == kind
            )
        )
    ).first()
    if row is None:
        return None
    gone = await session.execute(delete(dev_grants).where(dev_grants.c.token_hash == token_hash))
    return row if gone.rowcount == 1 else None  # type: ignore[attr-defined]


async def purge_expired(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(dev_grants).where(dev_grants.c.expires_at < now))
