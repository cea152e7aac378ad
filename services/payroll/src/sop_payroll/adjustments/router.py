"""HTTP routes for /payroll/v1/pay-groups/{pay_group_id}/adjustments."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sop_payroll.adjustments import service
from sop_payroll.adjustments.schemas import COLUMNS, AdjustmentIn, AdjustmentOut, ImportResult
from sop_payroll.context import Reader, Runner
from sop_payroll.http import PREFIX, page_of
from sop_payroll.problems import UnsupportedMediaType
from sop_shared.errors import ValidationFailed, problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["pay runs"])

TaxYearQuery = Annotated[str, Query(pattern=r"^[0-9]{4}-[0-9]{2}$")]
PeriodQuery = Annotated[int, Query(ge=1, le=53)]
_COLUMN_TABLE = "\n".join(f"| `{c}` | {d} |" for c, d in COLUMNS.items())


@router.get(
    "/pay-groups/{pay_group_id}/adjustments",
    response_model=Page[AdjustmentOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_adjustments(
    pay_group_id: uuid.UUID,
    request: Request,
    response: Response,
    payroll: Reader,
    page: PageRequestDep,
    tax_year: TaxYearQuery,
    period: PeriodQuery,
) -> Page[AdjustmentOut]:
    found = await service.list_adjustments(payroll, pay_group_id, tax_year, period, page)
    return page_of(request, response, found, AdjustmentOut.of)


@router.post(
    "/pay-groups/{pay_group_id}/adjustments",
    status_code=201,
    response_model=AdjustmentOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_adjustment(
    pay_group_id: uuid.UUID, body: AdjustmentIn, response: Response, payroll: Runner
) -> AdjustmentOut:
    """A one-off payment or deduction for an employee in the group's period. The period's run
    takes it when it calculates (recalculate a calculated run); an approved run's period is
    closed to changes (`409 period-locked`)."""
    adjustment = await service.add(payroll, pay_group_id, body)
    response.headers["Location"] = f"{PREFIX}/pay-groups/{pay_group_id}/adjustments"
    return AdjustmentOut.of(adjustment)


@router.post(
    "/pay-groups/{pay_group_id}/adjustments/imports",
    status_code=201,
    response_model=ImportResult,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
    description=(
        "A CSV of adjustments for the period (`text/csv`). Every row is checked; if any is bad "
        "nothing is added and the 422 names each (`rows.<line>.<column>`). Columns:\n\n"
        "| column | |\n|---|---|\n" + _COLUMN_TABLE
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def import_adjustments(
    pay_group_id: uuid.UUID,
    request: Request,
    payroll: Runner,
    tax_year: TaxYearQuery,
    period: PeriodQuery,
) -> ImportResult:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ("text/csv", "application/csv", "text/plain"):
        raise UnsupportedMediaType(f"send the CSV as text/csv, not {media_type or 'nothing'}")
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("the file is not UTF-8", errors=[("file", "not UTF-8")]) from None
    created = await service.import_csv(payroll, pay_group_id, tax_year, period, text)
    return ImportResult(created=created)


@router.delete(
    "/pay-groups/{pay_group_id}/adjustments/{adjustment_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_adjustment(
    pay_group_id: uuid.UUID, adjustment_id: uuid.UUID, payroll: Runner
) -> Response:
    await service.remove(payroll, pay_group_id, adjustment_id)
    return Response(status_code=204)
