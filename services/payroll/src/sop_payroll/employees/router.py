"""HTTP routes for /payroll/v1/employees/{employee_id}/rti-details."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid

from fastapi import APIRouter, Request, Response

from sop_payroll.context import Reader, Runner
from sop_payroll.employees import service
from sop_payroll.employees.schemas import (
    RtiDetailsIn,
    RtiDetailsOut,
    TaxCodeNoticeIn,
    TaxCodeNoticeOut,
    TaxCodeNotices,
)
from sop_payroll.http import PREFIX, if_match_version
from sop_shared.concurrency import set_etag
from sop_shared.errors import PreconditionRequired, problem_responses

router = APIRouter(prefix=PREFIX, tags=["employees"])


@router.get(
    "/employees/{employee_id}/rti-details",
    response_model=RtiDetailsOut,
    responses=problem_responses(401, 403, 404),
)
async def get_rti_details(
    employee_id: uuid.UUID, response: Response, payroll: Reader
) -> RtiDetailsOut:
    """What the FPS reports of the employee that HR does not hold (HR's employee id)."""
    details = await service.get_details(payroll, employee_id)
    set_etag(response, details.version)
    return RtiDetailsOut.of(details)


@router.put(
    "/employees/{employee_id}/rti-details",
    response_model=RtiDetailsOut,
    responses=problem_responses(401, 403, 412, 422, 428),
)
async def put_rti_details(
    employee_id: uuid.UUID,
    body: RtiDetailsIn,
    request: Request,
    response: Response,
    payroll: Runner,
) -> RtiDetailsOut:
    """Create (201... answered 200 with the record) or replace (needs `If-Match`) the details a
    pay run reports to HMRC: the gender HMRC records, the address, the starter declaration and
    a starter's P45 figures (which decide their tax code and year to date)."""
    exists = await payroll.backend.rti_details.get(employee_id)
    if_match = if_match_version(request)
    if exists is not None and if_match is None:
        raise PreconditionRequired("send If-Match with the ETag you last read")
    details, created = await service.put_details(payroll, employee_id, body, if_match=if_match)
    if created:
        response.status_code = 201
    set_etag(response, details.version)
    return RtiDetailsOut.of(details)


@router.post(
    "/employees/{employee_id}/tax-codes",
    status_code=201,
    response_model=TaxCodeNoticeOut,
    responses=problem_responses(401, 403, 422),
)
async def add_tax_code(
    employee_id: uuid.UUID, body: TaxCodeNoticeIn, payroll: Runner
) -> TaxCodeNoticeOut:
    """HMRC's notice of a new tax code (P6/P6B in the year, P9 for the next): pay dates on or
    after `effective_from` use it instead of HR's code, the newest notice in force winning."""
    return TaxCodeNoticeOut.of(await service.add_tax_code(payroll, employee_id, body))


@router.get(
    "/employees/{employee_id}/tax-codes",
    response_model=TaxCodeNotices,
    responses=problem_responses(401, 403),
)
async def list_tax_codes(employee_id: uuid.UUID, payroll: Reader) -> TaxCodeNotices:
    """The employee's tax code notices, oldest first."""
    found = await service.tax_codes(payroll, employee_id)
    return TaxCodeNotices(items=[TaxCodeNoticeOut.of(n) for n in found])
