"""Org unit routes: /hr/v1/org-units."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sop_hr.context import Reader, Writer
from sop_hr.http import UpdatedSince, page, since
from sop_hr.org_units import service
from sop_hr.org_units.schemas import OrgUnitCreate, OrgUnitOut, OrgUnitUpdate, org_unit_out
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix="/hr/v1", tags=["org units"])


@router.post(
    "/org-units",
    status_code=201,
    response_model=OrgUnitOut,
    summary="Create an org unit",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_org_unit(body: OrgUnitCreate, hr: Writer, response: Response) -> OrgUnitOut:
    unit = await service.create(hr, data=body)
    response.headers["Location"] = f"/hr/v1/org-units/{unit.id}"
    set_etag(response, unit.version)
    return org_unit_out(unit)


@router.get(
    "/org-units",
    response_model=Page[OrgUnitOut],
    summary="List org units",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_org_units(
    request: Request,
    response: Response,
    hr: Reader,
    page_request: PageRequestDep,
    code: Annotated[str | None, Query(max_length=30)] = None,
    parent_id: Annotated[uuid.UUID | None, Query(description="Direct children of.")] = None,
    under: Annotated[
        uuid.UUID | None, Query(description="This unit and everything below it.")
    ] = None,
    updated_since: UpdatedSince = None,
) -> Page[OrgUnitOut]:
    found = await service.list_units(
        hr,
        page=page_request,
        code=code,
        parent_id=parent_id,
        under=under,
        updated_since=since(updated_since),
    )
    return page(request, response, [org_unit_out(u) for u in found.items], found.next_cursor)


@router.get(
    "/org-units/{org_unit_id}",
    response_model=OrgUnitOut,
    summary="Get an org unit",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_org_unit(org_unit_id: uuid.UUID, hr: Reader, response: Response) -> OrgUnitOut:
    unit = await service.get(hr, org_unit_id=org_unit_id)
    set_etag(response, unit.version)
    return org_unit_out(unit)


@router.get(
    "/org-units/{org_unit_id}/subtree",
    response_model=Page[OrgUnitOut],
    summary="List an org unit and everything below it",
    responses=problem_responses(401, 403, 404, 422),
)
async def org_unit_subtree(
    org_unit_id: uuid.UUID,
    request: Request,
    response: Response,
    hr: Reader,
    page_request: PageRequestDep,
) -> Page[OrgUnitOut]:
    found = await service.list_units(hr, page=page_request, under=org_unit_id)
    return page(request, response, [org_unit_out(u) for u in found.items], found.next_cursor)


@router.patch(
    "/org-units/{org_unit_id}",
    response_model=OrgUnitOut,
    summary="Rename, recode or move an org unit",
    description="Needs `If-Match`. A move that would put a unit under itself is refused (422).",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_org_unit(
    org_unit_id: uuid.UUID,
    body: OrgUnitUpdate,
    request: Request,
    hr: Writer,
    response: Response,
) -> OrgUnitOut:
    current = await service.get(hr, org_unit_id=org_unit_id)
    require_if_match(request, current.version)
    unit = await service.update(hr, current=current, changes=body)
    set_etag(response, unit.version)
    return org_unit_out(unit)
