"""`/platform/v1/webhooks`: a tenant's webhook subscriptions, their delivery log and replay
(scope `webhooks:manage`; the tenant is the token's, never a parameter)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, Security

from sop_gateway.webhooks.schemas import (
    DeliveryOut,
    DeliveryStatus,
    SubscriptionCreate,
    SubscriptionOut,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)
from sop_gateway.webhooks.service import Webhooks, delivery_out, subscription_out
from sop_shared.audit import record_event
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.context import Principal, principal_var
from sop_shared.db import SessionDep, get_uow, utcnow
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep, link_next
from sop_shared.security import bearer_scheme

SCOPE = "webhooks:manage"
BASE = "/platform/v1/webhooks"


@dataclass(frozen=True, slots=True)
class Manager:
    tenant: str
    principal: Principal


async def _manager(
    request: Request, authorization: Annotated[str | None, Depends(bearer_scheme)]
) -> Manager:
    gate = request.app.state.gateway.gate
    identity = await gate.identify(request.headers.get("authorization"))
    gate.require(identity, (SCOPE,))
    entry = gate.tenant_of(identity)
    principal = Principal(
        subject=identity.subject,
        client_id=identity.client_id,
        tenant=entry.slug,
        cluster=None,
        scopes=frozenset(identity.scopes),
        acting_service=identity.actors[0] if identity.actors else None,
    )
    principal_var.set(principal)
    return Manager(tenant=entry.slug, principal=principal)


async def _audit(
    session: SessionDep,
    manager: Manager,
    action: str,
    id: uuid.UUID,
    before: SubscriptionOut | None,
    after: SubscriptionOut | None,
) -> None:
    """Every change to a subscription, in the tenant's audit trail (never a secret)."""
    await record_event(
        session,
        action=f"webhook_subscription.{action}",
        resource_type="webhook_subscription",
        resource_id=id,
        before=_snapshot(before),
        after=_snapshot(after),
        principal=manager.principal,
    )


def _snapshot(out: SubscriptionOut | None) -> dict[str, Any] | None:
    if out is None:
        return None
    return SubscriptionOut.model_validate(out.model_dump()).model_dump(
        mode="json", exclude={"version", "created_at", "updated_at"}
    )


WebhookManager = Annotated[Manager, Security(_manager, scopes=[SCOPE])]


def _webhooks(request: Request) -> Webhooks:
    return request.app.state.gateway.webhooks


def _wake(request: Request) -> None:
    worker = request.app.state.gateway.webhook_worker
    if worker is not None:
        get_uow(request).after_commit.append(worker.wake_async)


def webhooks_router() -> APIRouter:
    router = APIRouter(prefix=BASE, tags=["webhooks"])

    @router.post(
        "",
        response_model=SubscriptionWithSecret,
        status_code=201,
        summary="Subscribe to events",
        description="The response shows the signing secret, this once. The URL must be "
        "http(s) and reach a public address. Honours `Idempotency-Key`.",
        responses=problem_responses(401, 403, 409, 422),
    )
    async def create_subscription(
        body: SubscriptionCreate,
        request: Request,
        response: Response,
        session: SessionDep,
        manager: WebhookManager,
    ) -> SubscriptionWithSecret:
        out = await _webhooks(request).create(session, manager.tenant, body, utcnow())
        await _audit(session, manager, "created", out.id, None, out)
        response.headers["Location"] = f"{BASE}/{out.id}"
        set_etag(response, out.version)
        return out

    @router.get(
        "",
        response_model=Page[SubscriptionOut],
        summary="List the tenant's subscriptions",
        responses=problem_responses(401, 403, 422),
    )
    async def list_subscriptions(
        request: Request,
        response: Response,
        session: SessionDep,
        page: PageRequestDep,
        manager: WebhookManager,
    ) -> Page[SubscriptionOut]:
        rows, next_cursor = await _webhooks(request).page(session, manager.tenant, page)
        link_next(request, response, next_cursor)
        now = utcnow()
        return Page[SubscriptionOut](
            items=[subscription_out(r, now) for r in rows], next_cursor=next_cursor
        )

    @router.get(
        "/{id}",
        response_model=SubscriptionOut,
        summary="Read a subscription",
        responses=problem_responses(401, 403, 404),
    )
    async def get_subscription(
        id: uuid.UUID,
        request: Request,
        response: Response,
        session: SessionDep,
        manager: WebhookManager,
    ) -> SubscriptionOut:
        row = await _webhooks(request).get_row(session, manager.tenant, id)
        set_etag(response, row.version)
        return subscription_out(row, utcnow())

    @router.patch(
        "/{id}",
        response_model=SubscriptionOut,
        summary="Change a subscription, or enable it again",
        description="Needs `If-Match`. `enabled: true` re-enables a subscription the platform "
        "disabled after failing deliveries.",
        responses=problem_responses(401, 403, 404, 412, 422, 428),
    )
    async def update_subscription(
        id: uuid.UUID,
        body: SubscriptionUpdate,
        request: Request,
        response: Response,
        session: SessionDep,
        manager: WebhookManager,
    ) -> SubscriptionOut:
        webhooks = _webhooks(request)
        row = await webhooks.get_row(session, manager.tenant, id)
        require_if_match(request, row.version)
        now = utcnow()
        fresh = await webhooks.update(session, row, body, now)
        await _audit(
            session,
            manager,
            "updated",
            id,
            subscription_out(row, now),
            subscription_out(fresh, now),
        )
        if fresh.enabled:
            _wake(request)
        set_etag(response, fresh.version)
        return subscription_out(fresh, now)

    @router.delete(
        "/{id}",
        status_code=204,
        summary="Delete a subscription and its delivery log",
        description="Needs `If-Match`.",
        responses=problem_responses(401, 403, 404, 412, 428),
    )
    async def delete_subscription(
        id: uuid.UUID, request: Request, session: SessionDep, manager: WebhookManager
    ) -> Response:
        webhooks = _webhooks(request)
        row = await webhooks.get_row(session, manager.tenant, id)
        require_if_match(request, row.version)
        await webhooks.delete(session, row)
        await _audit(session, manager, "deleted", id, subscription_out(row, utcnow()), None)
        return Response(status_code=204)

    @router.post(
        "/{id}/rotate-secret",
        response_model=SubscriptionWithSecret,
        summary="Rotate the signing secret",
        description="A new secret, shown this once. The previous one keeps signing too (a "
        "second signature in `webhook-signature`) until `previous_secret_expires_at`.",
        responses=problem_responses(401, 403, 404),
    )
    async def rotate_secret(
        id: uuid.UUID,
        request: Request,
        response: Response,
        session: SessionDep,
        manager: WebhookManager,
    ) -> SubscriptionWithSecret:
        webhooks = _webhooks(request)
        row = await webhooks.get_row(session, manager.tenant, id)
        now = utcnow()
        out = await webhooks.rotate(session, row, now)
        await _audit(session, manager, "secret_rotated", id, subscription_out(row, now), out)
        set_etag(response, out.version)
        return out

    @router.get(
        "/{id}/deliveries",
        response_model=Page[DeliveryOut],
        summary="The subscription's delivery log",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def list_deliveries(
        id: uuid.UUID,
        request: Request,
        response: Response,
        session: SessionDep,
        page: PageRequestDep,
        manager: WebhookManager,
        status: DeliveryStatus | None = None,
    ) -> Page[DeliveryOut]:
        webhooks = _webhooks(request)
        row = await webhooks.get_row(session, manager.tenant, id)
        rows, next_cursor = await webhooks.deliveries_page(session, row, page, status)
        link_next(request, response, next_cursor)
        return Page[DeliveryOut](items=[delivery_out(r) for r in rows], next_cursor=next_cursor)

    @router.post(
        "/{id}/deliveries/{delivery_id}/replay",
        response_model=DeliveryOut,
        status_code=202,
        summary="Deliver again now",
        responses=problem_responses(401, 403, 404),
    )
    async def replay_delivery(
        id: uuid.UUID,
        delivery_id: uuid.UUID,
        request: Request,
        session: SessionDep,
        manager: WebhookManager,
    ) -> DeliveryOut:
        webhooks = _webhooks(request)
        row = await webhooks.get_row(session, manager.tenant, id)
        found = await webhooks.replay(session, row, delivery_id, utcnow())
        await record_event(
            session,
            action="webhook_delivery.replayed",
            resource_type="webhook_delivery",
            resource_id=delivery_id,
            principal=manager.principal,
        )
        _wake(request)
        return delivery_out(found)

    return router
