"""HTTP routes for /procurement/v1/policy, /approval-limits and /approval-routes."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sop_procurement.context import (
    PROCUREMENT_APPROVE,
    PROCUREMENT_WRITE,
    ProcurementContext,
    Reader,
)
from sop_procurement.controls import service
from sop_procurement.controls.schemas import (
    ApprovalLimitCreate,
    ApprovalLimitOut,
    ApprovalLimitUpdate,
    PolicyIn,
    PolicyOut,
    Route,
)
from sop_procurement.http import PREFIX, PositiveAmount, created
from sop_shared.access import access
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses

router = APIRouter(prefix=PREFIX, tags=["controls"])

# Delegated authority is administered by approvers who may also write: two scopes at once.
Administrator = Annotated[ProcurementContext, access(PROCUREMENT_WRITE, PROCUREMENT_APPROVE)]


@router.get("/policy", response_model=PolicyOut, responses=problem_responses(401, 403))
async def get_policy(response: Response, ctx: Reader) -> PolicyOut:
    policy = await service.get_policy(ctx)
    set_etag(response, policy.version)
    return PolicyOut.of(policy)


@router.put(
    "/policy", response_model=PolicyOut, responses=problem_responses(401, 403, 412, 422, 428)
)
async def set_policy(
    body: PolicyIn, request: Request, response: Response, ctx: Administrator
) -> PolicyOut:
    """What an over-budget requisition does, and the hold on new bank details (`If-Match`)."""
    policy = await service.get_policy(ctx)
    require_if_match(request, policy.version)
    policy = await service.set_policy(ctx, policy, body)
    set_etag(response, policy.version)
    return PolicyOut.of(policy)


@router.get(
    "/approval-limits",
    response_model=list[ApprovalLimitOut],
    responses=problem_responses(401, 403),
)
async def list_limits(ctx: Reader) -> list[ApprovalLimitOut]:
    """Every role's limit, lowest first."""
    return [ApprovalLimitOut.of(lim) for lim in await service.list_limits(ctx)]


@router.post(
    "/approval-limits",
    status_code=201,
    response_model=ApprovalLimitOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_limit(
    body: ApprovalLimitCreate, response: Response, ctx: Administrator
) -> ApprovalLimitOut:
    """A role or grade, its limit and who holds it (nobody adds themselves)."""
    limit = await service.create_limit(ctx, body)
    created(response, f"/approval-limits/{limit.id}", limit.version)
    return ApprovalLimitOut.of(limit)


@router.get(
    "/approval-limits/{limit_id}",
    response_model=ApprovalLimitOut,
    responses=problem_responses(401, 403, 404),
)
async def get_limit(limit_id: uuid.UUID, response: Response, ctx: Reader) -> ApprovalLimitOut:
    limit = await service.get_limit(ctx, limit_id)
    set_etag(response, limit.version)
    return ApprovalLimitOut.of(limit)


@router.patch(
    "/approval-limits/{limit_id}",
    response_model=ApprovalLimitOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_limit(
    limit_id: uuid.UUID,
    body: ApprovalLimitUpdate,
    request: Request,
    response: Response,
    ctx: Administrator,
) -> ApprovalLimitOut:
    limit = await service.get_limit(ctx, limit_id)
    require_if_match(request, limit.version)
    limit = await service.update_limit(ctx, limit, body)
    set_etag(response, limit.version)
    return ApprovalLimitOut.of(limit)


@router.delete(
    "/approval-limits/{limit_id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 412, 428),
)
async def delete_limit(limit_id: uuid.UUID, request: Request, ctx: Administrator) -> Response:
    limit = await service.get_limit(ctx, limit_id)
    require_if_match(request, limit.version)
    await service.delete_limit(ctx, limit)
    return Response(status_code=204)


@router.get("/approval-routes", response_model=Route, responses=problem_responses(401, 403, 422))
async def approval_route(
    ctx: Reader, amount: Annotated[PositiveAmount, Query(description="e.g. 1200.00")]
) -> Route:
    """Who may approve a requisition of `amount` (including VAT)."""
    return Route.of(service.route(await service.list_limits(ctx), amount))
