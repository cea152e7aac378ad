"""HTTP routes for /procurement/v1/purchase-orders."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from sop_procurement.context import Reader, Writer
from sop_procurement.http import PREFIX, created, page_of
from sop_procurement.orders import service
from sop_procurement.orders.ports import OrderFilter, OrderStatus
from sop_procurement.orders.schemas import Amendment, Cancellation, OrderCreate, OrderOut
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.idempotency import RequiredIdempotencyKey
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["purchase orders"])


@router.get(
    "/purchase-orders", response_model=Page[OrderOut], responses=problem_responses(401, 403, 422)
)
async def list_orders(
    request: Request,
    response: Response,
    ctx: Reader,
    page: PageRequestDep,
    status: OrderStatus | None = None,
    supplier_id: uuid.UUID | None = None,
    requisition_id: uuid.UUID | None = None,
    updated_since: datetime | None = None,
) -> Page[OrderOut]:
    flt = OrderFilter(
        status=status,
        supplier_id=supplier_id,
        requisition_id=requisition_id,
        updated_since=updated_since,
    )
    found = await service.list_orders(ctx, flt=flt, page=page)
    return page_of(request, response, found, OrderOut.of)


@router.post(
    "/purchase-orders",
    status_code=201,
    response_model=OrderOut,
    responses=problem_responses(401, 403, 404, 409, 422, 428),
)
async def create_order(
    body: OrderCreate, response: Response, ctx: Writer, _key: RequiredIdempotencyKey
) -> OrderOut:
    """Raise a draft order from an approved requisition (`Idempotency-Key` required): the
    supplier must be active (`409 supplier-not-active`)."""
    order = await service.create_order(ctx, body)
    created(response, f"/purchase-orders/{order.id}", order.version)
    return OrderOut.of(order)


@router.get(
    "/purchase-orders/{order_id}",
    response_model=OrderOut,
    responses=problem_responses(401, 403, 404),
)
async def get_order(order_id: uuid.UUID, response: Response, ctx: Reader) -> OrderOut:
    order = await service.get_order(ctx, order_id)
    set_etag(response, order.version)
    return OrderOut.of(order)


@router.post(
    "/purchase-orders/{order_id}/issue",
    response_model=OrderOut,
    responses=problem_responses(401, 403, 404, 409, 412, 428),
)
async def issue_order(
    order_id: uuid.UUID,
    request: Request,
    response: Response,
    ctx: Writer,
    _key: RequiredIdempotencyKey,
) -> OrderOut:
    """Issue to the supplier: finance commits each line (`Idempotency-Key` required; 503 when
    finance cannot be reached, and nothing changes here)."""
    order = await service.get_order(ctx, order_id, lock=True)
    if request.headers.get("if-match") is not None:
        require_if_match(request, order.version)
    order = await service.issue(ctx, order)
    set_etag(response, order.version)
    return OrderOut.of(order)


@router.post(
    "/purchase-orders/{order_id}/amendments",
    response_model=OrderOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def amend_order(
    order_id: uuid.UUID,
    body: Amendment,
    request: Request,
    response: Response,
    ctx: Writer,
    _key: RequiredIdempotencyKey,
) -> OrderOut:
    """A new revision of the order (`If-Match` and `Idempotency-Key`): the lines' commitments
    grow or shrink with them."""
    order = await service.get_order(ctx, order_id, lock=True)
    require_if_match(request, order.version)
    order = await service.amend(ctx, order, body)
    set_etag(response, order.version)
    return OrderOut.of(order)


@router.post(
    "/purchase-orders/{order_id}/cancel",
    response_model=OrderOut,
    responses=problem_responses(401, 403, 404, 409, 412, 428),
)
async def cancel_order(
    order_id: uuid.UUID,
    request: Request,
    response: Response,
    ctx: Writer,
    _key: RequiredIdempotencyKey,
    body: Annotated[Cancellation | None, Body()] = None,
) -> OrderOut:
    """Cancel (`Idempotency-Key`): what the lines still commit is released in finance."""
    order = await service.get_order(ctx, order_id, lock=True)
    if request.headers.get("if-match") is not None:
        require_if_match(request, order.version)
    order = await service.cancel(ctx, order, body or Cancellation())
    set_etag(response, order.version)
    return OrderOut.of(order)
