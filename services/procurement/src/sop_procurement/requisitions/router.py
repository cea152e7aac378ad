"""HTTP routes for /procurement/v1/requisitions."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from sop_procurement.context import Approver, Reader, Writer
from sop_procurement.http import PREFIX, created, page_of
from sop_procurement.requisitions import service
from sop_procurement.requisitions.ports import RequisitionFilter, RequisitionStatus
from sop_procurement.requisitions.schemas import (
    Decision,
    RequisitionCreate,
    RequisitionOut,
    RequisitionUpdate,
    requisition_out,
)
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["requisitions"])


@router.get(
    "/requisitions",
    response_model=Page[RequisitionOut],
    responses=problem_responses(401, 403, 422),
)
async def list_requisitions(
    request: Request,
    response: Response,
    ctx: Reader,
    page: PageRequestDep,
    status: RequisitionStatus | None = None,
    requested_by: Annotated[str | None, Query(max_length=255)] = None,
    updated_since: datetime | None = None,
) -> Page[RequisitionOut]:
    flt = RequisitionFilter(status=status, requested_by=requested_by, updated_since=updated_since)
    found = await service.list_requisitions(ctx, flt=flt, page=page)
    return page_of(request, response, found, requisition_out)


@router.post(
    "/requisitions",
    status_code=201,
    response_model=RequisitionOut,
    responses=problem_responses(401, 403, 422),
)
async def create_requisition(
    body: RequisitionCreate, response: Response, ctx: Writer
) -> RequisitionOut:
    """Draft a requisition (the caller is its requester)."""
    requisition = await service.create_requisition(ctx, body)
    created(response, f"/requisitions/{requisition.id}", requisition.version)
    return requisition_out(requisition)


@router.get(
    "/requisitions/{requisition_id}",
    response_model=RequisitionOut,
    responses=problem_responses(401, 403, 404),
)
async def get_requisition(
    requisition_id: uuid.UUID, response: Response, ctx: Reader
) -> RequisitionOut:
    requisition = await service.get_requisition(ctx, requisition_id)
    set_etag(response, requisition.version)
    return requisition_out(requisition, await service.approval_route(ctx, requisition))


@router.patch(
    "/requisitions/{requisition_id}",
    response_model=RequisitionOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_requisition(
    requisition_id: uuid.UUID,
    body: RequisitionUpdate,
    request: Request,
    response: Response,
    ctx: Writer,
) -> RequisitionOut:
    """Change a draft (its requester only; `If-Match`)."""
    requisition = await service.get_requisition(ctx, requisition_id, lock=True)
    require_if_match(request, requisition.version)
    requisition = await service.update_requisition(ctx, requisition, body)
    set_etag(response, requisition.version)
    return requisition_out(requisition)


@router.post(
    "/requisitions/{requisition_id}/submit",
    response_model=RequisitionOut,
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def submit_requisition(
    requisition_id: uuid.UUID, request: Request, response: Response, ctx: Writer
) -> RequisitionOut:
    """Check the budget with finance and submit for approval: `409 over-budget` (nothing
    changed) or routed for an override, by the tenant's policy; 503 when finance cannot be
    reached. `If-Match` is optional."""
    requisition = await service.get_requisition(ctx, requisition_id, lock=True)
    if request.headers.get("if-match") is not None:
        require_if_match(request, requisition.version)
    requisition = await service.submit(ctx, requisition)
    set_etag(response, requisition.version)
    return requisition_out(requisition, await service.approval_route(ctx, requisition))


@router.post(
    "/requisitions/{requisition_id}/approve",
    response_model=RequisitionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def approve_requisition(
    requisition_id: uuid.UUID,
    response: Response,
    ctx: Approver,
    body: Annotated[Decision | None, Body()] = None,
) -> RequisitionOut:
    """Approve: never the requester (`403 self-approval`), within the approver's delegated
    authority (`403 above-authority` naming the limit)."""
    requisition = await service.get_requisition(ctx, requisition_id, lock=True)
    requisition = await service.approve(ctx, requisition, body or Decision())
    set_etag(response, requisition.version)
    return requisition_out(requisition)


@router.post(
    "/requisitions/{requisition_id}/reject",
    response_model=RequisitionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reject_requisition(
    requisition_id: uuid.UUID,
    response: Response,
    ctx: Approver,
    body: Annotated[Decision | None, Body()] = None,
) -> RequisitionOut:
    requisition = await service.get_requisition(ctx, requisition_id, lock=True)
    requisition = await service.reject(ctx, requisition, body or Decision())
    set_etag(response, requisition.version)
    return requisition_out(requisition)
