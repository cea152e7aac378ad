"""HTTP routes for receipts: /procurement/v1/purchase-orders/{id}/receipts and /receipts."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from datetime import datetime

from fastapi import APIRouter, Request, Response

from sop_procurement.context import Reader, Writer
from sop_procurement.http import PREFIX, created, page_of
from sop_procurement.orders import service as orders
from sop_procurement.receipts import service
from sop_procurement.receipts.ports import ReceiptFilter
from sop_procurement.receipts.schemas import ReceiptCreate, ReceiptOut
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.idempotency import RequiredIdempotencyKey
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["receipts"])


@router.post(
    "/purchase-orders/{order_id}/receipts",
    status_code=201,
    response_model=ReceiptOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def record_receipt(
    order_id: uuid.UUID,
    body: ReceiptCreate,
    request: Request,
    response: Response,
    ctx: Writer,
    _key: RequiredIdempotencyKey,
) -> ReceiptOut:
    """Record goods or services received against an issued order's lines, or returned
    (negative quantity, with a reason) (`Idempotency-Key` required; `If-Match` optional, the
    order's version). `409 over-receipt` beyond the ordered quantity and the tenant's
    tolerance, `409 over-return` below nothing received, `409 invalid-state` unless issued."""
    order = await orders.get_order(ctx, order_id, lock=True)
    if request.headers.get("if-match") is not None:
        require_if_match(request, order.version)
    receipt = await service.record_receipt(ctx, order, body)
    created(response, f"/receipts/{receipt.id}", receipt.version)
    return ReceiptOut.of(receipt)


@router.get(
    "/purchase-orders/{order_id}/receipts",
    response_model=Page[ReceiptOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_order_receipts(
    order_id: uuid.UUID,
    request: Request,
    response: Response,
    ctx: Reader,
    page: PageRequestDep,
    updated_since: datetime | None = None,
) -> Page[ReceiptOut]:
    order = await orders.get_order(ctx, order_id)
    flt = ReceiptFilter(order_id=order.id, updated_since=updated_since)
    found = await service.list_receipts(ctx, flt=flt, page=page)
    return page_of(request, response, found, ReceiptOut.of)


@router.get(
    "/receipts", response_model=Page[ReceiptOut], responses=problem_responses(401, 403, 422)
)
async def list_receipts(
    request: Request,
    response: Response,
    ctx: Reader,
    page: PageRequestDep,
    order_id: uuid.UUID | None = None,
    updated_since: datetime | None = None,
) -> Page[ReceiptOut]:
    flt = ReceiptFilter(order_id=order_id, updated_since=updated_since)
    found = await service.list_receipts(ctx, flt=flt, page=page)
    return page_of(request, response, found, ReceiptOut.of)


@router.get(
    "/receipts/{receipt_id}", response_model=ReceiptOut, responses=problem_responses(401, 403, 404)
)
async def get_receipt(receipt_id: uuid.UUID, response: Response, ctx: Reader) -> ReceiptOut:
    receipt = await service.get_receipt(ctx, receipt_id)
    set_etag(response, receipt.version)
    return ReceiptOut.of(receipt)
