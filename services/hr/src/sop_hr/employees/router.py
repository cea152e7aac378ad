"""Employee routes: /hr/v1/employees."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sop_hr.context import Reader, Writer
from sop_hr.employees import service
from sop_hr.employees.ports import EmploymentStatus
from sop_hr.employees.schemas import (
    EmployeeCreate,
    EmployeeOut,
    EmployeeUpdate,
    LeavingIn,
    employee_out,
)
from sop_hr.http import UpdatedSince, check_if_match_when_sent, page, since
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix="/hr/v1", tags=["employees"])

AsOf = Annotated[
    date | None,
    Query(description="Answer with the status and terms in force on this day (default today)."),
]


def _out(hr_sensitive: bool, v: service.EmployeeView) -> EmployeeOut:
    return employee_out(v.employee, v.terms, v.as_of, sensitive=hr_sensitive)


@router.post(
    "/employees",
    status_code=201,
    response_model=EmployeeOut,
    response_model_exclude_unset=True,
    summary="Create an employee",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_employee(body: EmployeeCreate, hr: Writer, response: Response) -> EmployeeOut:
    created = await service.create(hr, data=body)
    response.headers["Location"] = f"/hr/v1/employees/{created.employee.id}"
    set_etag(response, created.employee.version)
    return _out(hr.sees_sensitive, created)


@router.get(
    "/employees",
    response_model=Page[EmployeeOut],
    response_model_exclude_unset=True,
    summary="List employees",
    responses=problem_responses(401, 403, 422),
)
async def list_employees(
    request: Request,
    response: Response,
    hr: Reader,
    page_request: PageRequestDep,
    as_of: AsOf = None,
    status: Annotated[EmploymentStatus | None, Query(description="Status on `as_of`.")] = None,
    org_unit_id: Annotated[
        uuid.UUID | None, Query(description="Terms in force on `as_of` in this org unit.")
    ] = None,
    position_id: Annotated[
        uuid.UUID | None, Query(description="Terms in force on `as_of` in this position.")
    ] = None,
    employee_number: Annotated[str | None, Query(max_length=20)] = None,
    updated_since: UpdatedSince = None,
) -> Page[EmployeeOut]:
    found = await service.list_employees(
        hr,
        page=page_request,
        as_of=as_of,
        status=status,
        org_unit_id=org_unit_id,
        position_id=position_id,
        employee_number=employee_number,
        updated_since=since(updated_since),
    )
    items = [_out(hr.sees_sensitive, v) for v in found.items]
    return page(request, response, items, found.next_cursor)


@router.get(
    "/employees/{employee_id}",
    response_model=EmployeeOut,
    response_model_exclude_unset=True,
    summary="Get an employee",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_employee(
    employee_id: uuid.UUID, hr: Reader, response: Response, as_of: AsOf = None
) -> EmployeeOut:
    found = await service.view(hr, employee_id=employee_id, as_of=as_of)
    set_etag(response, found.employee.version)
    return _out(hr.sees_sensitive, found)


@router.patch(
    "/employees/{employee_id}",
    response_model=EmployeeOut,
    response_model_exclude_unset=True,
    summary="Correct an employee's details",
    description="Needs `If-Match`. Sensitive fields need hr:sensitive to change.",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_employee(
    employee_id: uuid.UUID,
    body: EmployeeUpdate,
    request: Request,
    hr: Writer,
    response: Response,
) -> EmployeeOut:
    current = await service.get_employee(hr, employee_id)
    require_if_match(request, current.version)
    updated = await service.update(hr, current=current, changes=body)
    set_etag(response, updated.employee.version)
    return _out(hr.sees_sensitive, updated)


@router.post(
    "/employees/{employee_id}/leave",
    response_model=EmployeeOut,
    response_model_exclude_unset=True,
    summary="Record that an employee leaves",
    description=(
        "Sets the leaving date (the last day of employment) and reason, and ends the terms "
        "then. Refused while terms changes or absences are booked after that day. Honours "
        "`If-Match` when sent."
    ),
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def end_employment(
    employee_id: uuid.UUID, body: LeavingIn, request: Request, hr: Writer, response: Response
) -> EmployeeOut:
    left = await service.end_employment(
        hr,
        employee_id=employee_id,
        leaving=body,
        check_version=lambda version: check_if_match_when_sent(request, version),
    )
    set_etag(response, left.employee.version)
    return _out(hr.sees_sensitive, left)
