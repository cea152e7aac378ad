"""Every query on the tenants table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sop_gateway.tables import tenants as t
from sop_shared.db import utcnow
from sop_shared.ids import uuid7
from sop_shared.pagination import PageRequest, keyset_page


async def get(session: AsyncSession, slug: str) -> Row[Any] | None:
    return (await session.execute(select(t).where(t.c.slug == slug))).first()


async def owner_of_issuer(session: AsyncSession, issuer: str) -> str | None:
    return (await session.execute(select(t.c.slug).where(t.c.issuer == issuer))).scalar()


async def insert(
    session: AsyncSession,
    *,
    slug: str,
    name: str,
    cluster: str,
    status: str,
    issuer_config: dict[str, Any] | None,
) -> None:
    now = utcnow()
    await session.execute(
        t.insert().values(
            id=uuid7(),
            slug=slug,
            name=name,
            cluster=cluster,
            status=status,
            issuer=issuer_config["issuer"] if issuer_config else None,
            issuer_config=issuer_config,
            provisioned_services=[],
            version=1,
            created_at=now,
            updated_at=now,
        )
    )


async def change(session: AsyncSession, row: Row[Any], **values: Any) -> bool:
    """Apply `values` if the row is still at the version read (optimistic concurrency)."""
    if "issuer_config" in values:
        config = values["issuer_config"]
        values["issuer"] = config["issuer"] if config else None
    result = await session.execute(
        update(t)
        .where(t.c.slug == row.slug, t.c.version == row.version)
        .values(**values, version=row.version + 1, updated_at=utcnow())
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def page(
    session: AsyncSession, params: PageRequest, *, status: str | None, cluster: str | None
) -> tuple[Sequence[Row[Any]], str | None]:
    stmt = select(t)
    if status:
        stmt = stmt.where(t.c.status == status)
    if cluster:
        stmt = stmt.where(t.c.cluster == cluster)
    return await keyset_page(session, stmt, t.c.id, params, scalars=False)


async def all_rows(session: AsyncSession) -> Sequence[Row[Any]]:
    return (await session.execute(select(t))).all()


async def count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(t))).scalar_one())
