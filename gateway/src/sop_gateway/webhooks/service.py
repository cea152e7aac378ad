"""Webhook subscriptions and deliveries in the gateway's database: always read and written
for one tenant (the caller's), so another tenant's rows are simply not found."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sop_gateway.webhooks.schemas import (
    DeliveryOut,
    SubscriptionCreate,
    SubscriptionOut,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)
from sop_gateway.webhooks.signing import new_secret
from sop_gateway.webhooks.tables import deliveries, subscriptions
from sop_gateway.webhooks.urls import RefusedUrl, check_url
from sop_shared.errors import Conflict, NotFound, ValidationFailed
from sop_shared.ids import uuid7
from sop_shared.pagination import PageRequest, keyset_page
from sop_shared.timeutil import as_utc


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def subscription_out(row: Any, now: datetime) -> SubscriptionOut:
    expires = _utc(row.previous_secret_expires_at)
    return SubscriptionOut(
        id=row.id,
        url=row.url,
        event_types=list(row.event_types),
        description=row.description,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        disabled_at=_utc(row.disabled_at),
        consecutive_failures=row.consecutive_failures,
        previous_secret_expires_at=expires if expires and expires > now else None,
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def delivery_out(row: Any) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.status,
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        latency_ms=row.last_latency_ms,
        next_attempt_at=_utc(row.next_attempt_at)
        if row.status in ("pending", "retrying")
        else None,
        last_attempt_at=_utc(row.last_attempt_at),
        delivered_at=_utc(row.delivered_at),
        last_error=row.last_error,
        created_at=as_utc(row.created_at),
    )


def signing_keys(row: Any, now: datetime) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one during its
    overlap after a rotation."""
    keys = [row.secret]
    expires = _utc(row.previous_secret_expires_at)
    if row.previous_secret and expires is not None and expires > now:
        keys.append(row.previous_secret)
    return keys


class Webhooks:
    def __init__(
        self, *, allow_loopback: bool, secret_overlap: timedelta, max_per_tenant: int = 50
    ) -> None:
        self.allow_loopback = allow_loopback
        self.secret_overlap = secret_overlap
        self.max_per_tenant = max_per_tenant

    async def check_url(self, url: str) -> None:
        try:
            await check_url(url, allow_loopback=self.allow_loopback)
        except RefusedUrl as exc:
            raise ValidationFailed(str(exc), errors=[("url", str(exc))]) from exc

    async def get_row(self, session: AsyncSession, tenant: str, id: uuid.UUID) -> Any:
        row = (
            await session.execute(
                select(subscriptions).where(
                    subscriptions.c.id == id, subscriptions.c.tenant == tenant
                )
            )
        ).first()
        if row is None:
            raise NotFound(f"no webhook subscription {id}")
        return row

    async def create(
        self, session: AsyncSession, tenant: str, body: SubscriptionCreate, now: datetime
    ) -> SubscriptionWithSecret:
        await self.check_url(body.url)
        count = (
            await session.execute(
                select(func.count())
                .select_from(subscriptions)
                .where(subscriptions.c.tenant == tenant)
            )
        ).scalar_one()
        if count >= self.max_per_tenant:
            raise Conflict(
                f"a tenant may have at most {self.max_per_tenant} webhook subscriptions; "
                "delete one, or subscribe one URL to more event types"
            )
        secret = new_secret()
        id = uuid7()
        await session.execute(
            subscriptions.insert().values(
                id=id,
                tenant=tenant,
                url=body.url,
                event_types=body.event_types,
                description=body.description,
                enabled=body.enabled,
                secret=secret,
                consecutive_failures=0,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        row = await self.get_row(session, tenant, id)
        return SubscriptionWithSecret(**subscription_out(row, now).model_dump(), secret=secret)

    async def page(
        self, session: AsyncSession, tenant: str, page: PageRequest
    ) -> tuple[Sequence[Any], str | None]:
        stmt = select(subscriptions).where(subscriptions.c.tenant == tenant)
        return await keyset_page(session, stmt, subscriptions.c.id, page, scalars=False)

    async def update(
        self, session: AsyncSession, row: Any, body: SubscriptionUpdate, now: datetime
    ) -> Any:
        values: dict[str, Any] = body.model_dump(exclude_unset=True)
        if values.get("url") is None:
            values.pop("url", None)
        else:
            await self.check_url(values["url"])
        if values.get("event_types") is None:
            values.pop("event_types", None)
        if values.get("enabled") is None:
            values.pop("enabled", None)
        elif values["enabled"]:
            # Re-enabled by its owner: a fresh start.
            values.update(
                disabled_reason=None, disabled_at=None, consecutive_failures=0, failing_since=None
            )
        else:
            values.update(disabled_reason="disabled by its owner", disabled_at=now)
        await session.execute(
            update(subscriptions)
            .where(subscriptions.c.id == row.id)
            .values(**values, version=row.version + 1, updated_at=now)
        )
        return await self.get_row(session, row.tenant, row.id)

    async def rotate(
        self, session: AsyncSession, row: Any, now: datetime
    ) -> SubscriptionWithSecret:
        secret = new_secret()
        await session.execute(
            update(subscriptions)
            .where(subscriptions.c.id == row.id)
            .values(
                secret=secret,
                previous_secret=row.secret,
                previous_secret_expires_at=now + self.secret_overlap,
                version=row.version + 1,
                updated_at=now,
            )
        )
        fresh = await self.get_row(session, row.tenant, row.id)
        return SubscriptionWithSecret(**subscription_out(fresh, now).model_dump(), secret=secret)

    async def delete(self, session: AsyncSession, row: Any) -> None:
        await session.execute(deliveries.delete().where(deliveries.c.subscription_id == row.id))
        await session.execute(subscriptions.delete().where(subscriptions.c.id == row.id))

    async def deliveries_page(
        self,
        session: AsyncSession,
        row: Any,
        page: PageRequest,
        status: str | None = None,
    ) -> tuple[Sequence[Any], str | None]:
        stmt = select(deliveries).where(deliveries.c.subscription_id == row.id)
        if status:
            stmt = stmt.where(deliveries.c.status == status)
        return await keyset_page(session, stmt, deliveries.c.id, page, scalars=False)

    async def replay(
        self, session: AsyncSession, row: Any, delivery_id: uuid.UUID, now: datetime
    ) -> Any:
        """Due again now, with a fresh retry schedule (attempts count from zero again)."""
        found = (
            await session.execute(
                select(deliveries).where(
                    deliveries.c.id == delivery_id, deliveries.c.subscription_id == row.id
                )
            )
        ).first()
        if found is None:
            raise NotFound(f"no delivery {delivery_id}")
        await session.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id)
            .values(status="pending", attempts=0, next_attempt_at=now, claim=deliveries.c.claim + 1)
        )
        return (
            await session.execute(select(deliveries).where(deliveries.c.id == delivery_id))
        ).first()
