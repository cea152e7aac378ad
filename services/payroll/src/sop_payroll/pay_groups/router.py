"""HTTP routes for /payroll/v1/pay-groups."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sop_payroll.context import Reader, Runner
from sop_payroll.http import PREFIX, created, page_of
from sop_payroll.pay_groups import service
from sop_payroll.pay_groups.schemas import (
    PayGroupIn,
    PayGroupOut,
    PayGroupPatch,
    PayPeriodOut,
    PayPeriods,
)
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["pay groups"])

TaxYearQuery = Annotated[
    str, Query(pattern=r"^[0-9]{4}-[0-9]{2}$", description="A tax year such as 2026-27.")
]


@router.get(
    "/pay-groups", response_model=Page[PayGroupOut], responses=problem_responses(401, 403, 422)
)
async def list_pay_groups(
    request: Request, response: Response, payroll: Reader, page: PageRequestDep
) -> Page[PayGroupOut]:
    found = await service.list_groups(payroll, page=page)
    return page_of(request, response, found, PayGroupOut.of)


@router.post(
    "/pay-groups",
    status_code=201,
    response_model=PayGroupOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_pay_group(body: PayGroupIn, response: Response, payroll: Runner) -> PayGroupOut:
    """A pay group: who is paid together, how often, on which day, as which PAYE scheme."""
    group = await service.create_group(payroll, body)
    created(response, f"/pay-groups/{group.id}", group.version)
    return PayGroupOut.of(group)


@router.get(
    "/pay-groups/{pay_group_id}",
    response_model=PayGroupOut,
    responses=problem_responses(401, 403, 404),
)
async def get_pay_group(
    pay_group_id: uuid.UUID, response: Response, payroll: Reader
) -> PayGroupOut:
    group = await service.get_group(payroll, pay_group_id)
    set_etag(response, group.version)
    return PayGroupOut.of(group)


@router.patch(
    "/pay-groups/{pay_group_id}",
    response_model=PayGroupOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_pay_group(
    pay_group_id: uuid.UUID,
    body: PayGroupPatch,
    request: Request,
    response: Response,
    payroll: Runner,
) -> PayGroupOut:
    """Needs `If-Match`. The calendar and PAYE scheme are fixed once created."""
    group = await service.get_group(payroll, pay_group_id)
    require_if_match(request, group.version)
    group = await service.update_group(payroll, group, body)
    set_etag(response, group.version)
    return PayGroupOut.of(group)


@router.get(
    "/pay-groups/{pay_group_id}/calendar",
    response_model=PayPeriods,
    responses=problem_responses(401, 403, 404, 422),
)
async def pay_group_calendar(
    pay_group_id: uuid.UUID, payroll: Reader, tax_year: TaxYearQuery
) -> PayPeriods:
    """Every pay period of the tax year: days covered, pay dates and PAYE periods."""
    group = await service.get_group(payroll, pay_group_id)
    return PayPeriods(
        items=[PayPeriodOut.of(p) for p in service.calendar_of(payroll, group, tax_year)]
    )
