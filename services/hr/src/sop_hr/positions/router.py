"""Position routes: /hr/v1/positions."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sop_hr.context import Reader, Writer
from sop_hr.http import UpdatedSince, page, since
from sop_hr.positions import service
from sop_hr.positions.schemas import PositionCreate, PositionOut, PositionUpdate, position_out
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix="/hr/v1", tags=["positions"])

AsOf = Annotated[date | None, Query(description="Count filled FTE on this day (default today).")]


@router.post(
    "/positions",
    status_code=201,
    response_model=PositionOut,
    summary="Create a position",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_position(body: PositionCreate, hr: Writer, response: Response) -> PositionOut:
    position = await service.create(hr, data=body)
    response.headers["Location"] = f"/hr/v1/positions/{position.id}"
    set_etag(response, position.version)
    today = hr.today()
    filled = await service.filled_fte(hr, [position], today)
    return position_out(position, filled[position.id], today)


@router.get(
    "/positions",
    response_model=Page[PositionOut],
    summary="List positions with filled and vacant FTE",
    responses=problem_responses(401, 403, 422),
)
async def list_positions(
    request: Request,
    response: Response,
    hr: Reader,
    page_request: PageRequestDep,
    as_of: AsOf = None,
    code: Annotated[str | None, Query(max_length=30)] = None,
    org_unit_id: uuid.UUID | None = None,
    updated_since: UpdatedSince = None,
) -> Page[PositionOut]:
    found = await service.list_positions(
        hr,
        page=page_request,
        code=code,
        org_unit_id=org_unit_id,
        updated_since=since(updated_since),
    )
    day = as_of or hr.today()
    filled = await service.filled_fte(hr, found.items, day)
    items = [position_out(p, filled[p.id], day) for p in found.items]
    return page(request, response, items, found.next_cursor)


@router.get(
    "/positions/{position_id}",
    response_model=PositionOut,
    summary="Get a position with its filled and vacant FTE",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_position(
    position_id: uuid.UUID, hr: Reader, response: Response, as_of: AsOf = None
) -> PositionOut:
    position = await service.get(hr, position_id=position_id)
    day = as_of or hr.today()
    filled = await service.filled_fte(hr, [position], day)
    set_etag(response, position.version)
    return position_out(position, filled[position.id], day)


@router.patch(
    "/positions/{position_id}",
    response_model=PositionOut,
    summary="Change a position",
    description="Needs `If-Match`.",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_position(
    position_id: uuid.UUID,
    body: PositionUpdate,
    request: Request,
    hr: Writer,
    response: Response,
) -> PositionOut:
    current = await service.get(hr, position_id=position_id)
    require_if_match(request, current.version)
    position = await service.update(hr, current=current, changes=body)
    set_etag(response, position.version)
    today = hr.today()
    filled = await service.filled_fte(hr, [position], today)
    return position_out(position, filled[position.id], today)
