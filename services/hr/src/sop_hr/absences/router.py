"""Absence and leave routes: /hr/v1/leave-types, /hr/v1/employees/{id}/absences,
/hr/v1/employees/{id}/leave-balance and /hr/v1/absences (for approvers)."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from sop_hr.absences import service
from sop_hr.absences.ports import AbsenceStatus
from sop_hr.absences.schemas import (
    AbsenceOut,
    AbsenceRequestIn,
    DecisionIn,
    LeaveBalanceOut,
    LeaveTypeOut,
    LeaveTypeUpdate,
    absence_out,
    leave_type_out,
)
from sop_hr.context import Reader, Writer
from sop_hr.http import UpdatedSince, check_if_match_when_sent, page, since
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix="/hr/v1", tags=["absences"])

StatusFilter = Annotated[AbsenceStatus | None, Query()]
LeaveTypeFilter = Annotated[str | None, Query(max_length=30)]
From = Annotated[date | None, Query(alias="from", description="Absences ending on or after.")]
To = Annotated[date | None, Query(description="Absences starting on or before.")]
ACTION_PROBLEMS = problem_responses(401, 403, 404, 409, 412, 422)


@router.get(
    "/leave-types",
    response_model=Page[LeaveTypeOut],
    summary="List the tenant's leave types",
    responses=problem_responses(401, 403),
)
async def list_leave_types(hr: Reader) -> Page[LeaveTypeOut]:
    # A handful per tenant: one page.
    types = await service.leave_types(hr)
    return Page[LeaveTypeOut](items=[leave_type_out(t) for t in types], next_cursor=None)


@router.patch(
    "/leave-types/{code}",
    response_model=LeaveTypeOut,
    summary="Change a leave type (e.g. the annual leave entitlement)",
    description="Needs `If-Match`.",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_leave_type(
    code: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,29}$")],
    body: LeaveTypeUpdate,
    request: Request,
    hr: Writer,
    response: Response,
) -> LeaveTypeOut:
    updated = await service.update_leave_type(
        hr, code=code, changes=body, check_version=lambda v: require_if_match(request, v)
    )
    set_etag(response, updated.version)
    return leave_type_out(updated)


@router.post(
    "/employees/{employee_id}/absences",
    status_code=201,
    response_model=AbsenceOut,
    summary="Request an absence",
    description=(
        "Counts working days (weekends and the employee's region's bank holidays excluded). "
        "Refused when it overlaps a requested or approved absence (409 naming it), falls "
        "outside employment, or asks for more annual leave than is left."
    ),
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def request_absence(
    employee_id: uuid.UUID, body: AbsenceRequestIn, hr: Writer, response: Response
) -> AbsenceOut:
    absence = await service.request(hr, employee_id=employee_id, data=body)
    response.headers["Location"] = f"/hr/v1/absences/{absence.id}"
    set_etag(response, absence.version)
    return absence_out(absence)


@router.get(
    "/employees/{employee_id}/absences",
    response_model=Page[AbsenceOut],
    summary="List an employee's absences",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_employee_absences(
    employee_id: uuid.UUID,
    request: Request,
    response: Response,
    hr: Reader,
    page_request: PageRequestDep,
    status: StatusFilter = None,
    leave_type: LeaveTypeFilter = None,
    from_: From = None,
    to: To = None,
    updated_since: UpdatedSince = None,
) -> Page[AbsenceOut]:
    found = await service.list_for_employee(
        hr,
        employee_id=employee_id,
        page=page_request,
        status=status,
        leave_type=leave_type,
        from_=from_,
        to=to,
        updated_since=since(updated_since),
    )
    return page(request, response, [absence_out(a) for a in found.items], found.next_cursor)


@router.get(
    "/employees/{employee_id}/leave-balance",
    response_model=LeaveBalanceOut,
    summary="Annual leave balance for a leave year",
    responses=problem_responses(401, 403, 404, 422),
)
async def leave_balance(
    employee_id: uuid.UUID,
    hr: Reader,
    year: Annotated[
        int | None,
        Query(ge=2000, le=2100, description="The leave year starting in this year (default: now)."),
    ] = None,
) -> LeaveBalanceOut:
    b = await service.leave_balance(hr, employee_id=employee_id, year=year)
    return LeaveBalanceOut(
        employee_id=b.employee_id,
        leave_type=b.leave_type,
        leave_year=b.year.year,
        starts=b.year.starts,
        ends=b.year.ends,
        entitlement_days=b.entitlement_days,
        approved_days=b.approved_days,
        requested_days=b.requested_days,
        remaining_days=b.remaining_days,
    )


@router.get(
    "/absences",
    response_model=Page[AbsenceOut],
    summary="List absences across employees (for approvers)",
    responses=problem_responses(401, 403, 422),
)
async def list_absences(
    request: Request,
    response: Response,
    hr: Reader,
    page_request: PageRequestDep,
    employee_id: uuid.UUID | None = None,
    status: StatusFilter = None,
    leave_type: LeaveTypeFilter = None,
    from_: From = None,
    to: To = None,
    updated_since: UpdatedSince = None,
) -> Page[AbsenceOut]:
    found = await service.list_absences(
        hr,
        page=page_request,
        employee_id=employee_id,
        status=status,
        leave_type=leave_type,
        from_=from_,
        to=to,
        updated_since=since(updated_since),
    )
    return page(request, response, [absence_out(a) for a in found.items], found.next_cursor)


@router.get(
    "/absences/{absence_id}",
    response_model=AbsenceOut,
    summary="Get an absence",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_absence(absence_id: uuid.UUID, hr: Reader, response: Response) -> AbsenceOut:
    absence = await service.get(hr, absence_id=absence_id)
    set_etag(response, absence.version)
    return absence_out(absence)


async def _decide(
    absence_id: uuid.UUID,
    body: DecisionIn | None,
    request: Request,
    hr: Writer,
    response: Response,
    *,
    approve: bool,
) -> AbsenceOut:
    absence = await service.decide(
        hr,
        absence_id=absence_id,
        approve=approve,
        note=body.note if body else None,
        check_version=lambda v: check_if_match_when_sent(request, v),
    )
    set_etag(response, absence.version)
    return absence_out(absence)


@router.post(
    "/absences/{absence_id}/approve",
    response_model=AbsenceOut,
    summary="Approve a requested absence",
    description="Not by the absent employee. Honours `If-Match` when sent.",
    responses=ACTION_PROBLEMS,
)
async def approve_absence(
    absence_id: uuid.UUID,
    request: Request,
    hr: Writer,
    response: Response,
    body: DecisionIn | None = None,
) -> AbsenceOut:
    return await _decide(absence_id, body, request, hr, response, approve=True)


@router.post(
    "/absences/{absence_id}/reject",
    response_model=AbsenceOut,
    summary="Reject a requested absence",
    description="Not by the absent employee. Honours `If-Match` when sent.",
    responses=ACTION_PROBLEMS,
)
async def reject_absence(
    absence_id: uuid.UUID,
    request: Request,
    hr: Writer,
    response: Response,
    body: DecisionIn | None = None,
) -> AbsenceOut:
    return await _decide(absence_id, body, request, hr, response, approve=False)


@router.post(
    "/absences/{absence_id}/cancel",
    response_model=AbsenceOut,
    summary="Cancel a requested or approved absence",
    description="Honours `If-Match` when sent.",
    responses=ACTION_PROBLEMS,
)
async def cancel_absence(
    absence_id: uuid.UUID,
    request: Request,
    hr: Writer,
    response: Response,
    body: DecisionIn | None = None,
) -> AbsenceOut:
    absence = await service.cancel(
        hr,
        absence_id=absence_id,
        note=body.note if body else None,
        check_version=lambda v: check_if_match_when_sent(request, v),
    )
    set_etag(response, absence.version)
    return absence_out(absence)
