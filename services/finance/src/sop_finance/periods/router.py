"""HTTP routes for /finance/v1/financial-years and /finance/v1/periods."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from sop_finance.context import Approver, Reader
from sop_finance.http import PREFIX, created
from sop_finance.periods import service
from sop_finance.periods.ports import PeriodStatus
from sop_finance.periods.schemas import (
    FinancialYearCreate,
    FinancialYearOut,
    PeriodOut,
    PeriodUpdate,
)
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.idempotency import RequiredIdempotencyKey
from sop_shared.pagination import Page

router = APIRouter(prefix=PREFIX, tags=["periods"])
YearLabel = Annotated[str, Path(description="e.g. 2026-27", max_length=7)]
PeriodCode = Annotated[str, Path(description="e.g. 2026-08 or 2026-27-ADJ", max_length=12)]


@router.get(
    "/financial-years",
    response_model=Page[FinancialYearOut],
    responses=problem_responses(401, 403),
)
async def list_financial_years(fin: Reader) -> Page[FinancialYearOut]:
    """Every opened financial year (a handful per tenant: one page, `next_cursor` null)."""
    years = await service.list_years(fin)
    return Page[FinancialYearOut](items=[FinancialYearOut.of(y) for y in years])


@router.post(
    "/financial-years",
    status_code=201,
    response_model=FinancialYearOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def open_financial_year(
    body: FinancialYearCreate, response: Response, fin: Approver
) -> FinancialYearOut:
    """Open a financial year with its twelve monthly periods and adjustment period 13."""
    year = await service.open_year(fin, body.start_year)
    created(response, f"/financial-years/{year.label}", year.version)
    return FinancialYearOut.of(year)


@router.get(
    "/financial-years/{year}",
    response_model=FinancialYearOut,
    responses=problem_responses(401, 403, 404),
)
async def get_financial_year(year: YearLabel, response: Response, fin: Reader) -> FinancialYearOut:
    found = await service.get_year(fin, year)
    set_etag(response, found.version)
    return FinancialYearOut.of(found)


@router.post(
    "/financial-years/{year}/close",
    response_model=FinancialYearOut,
    responses=problem_responses(401, 403, 404, 409, 422, 428),
)
async def close_financial_year(
    year: YearLabel,
    response: Response,
    fin: Approver,
    _key: RequiredIdempotencyKey,
) -> FinancialYearOut:
    """Year-end close: post the closing journal (income and expense balances to retained
    earnings, in the adjustment period), close every period of the year, open the next."""
    closed = await service.close_year(fin, year)
    set_etag(response, closed.version)
    return FinancialYearOut.of(closed)


@router.get(
    "/periods",
    response_model=Page[PeriodOut],
    responses=problem_responses(401, 403, 422),
)
async def list_periods(
    fin: Reader,
    financial_year: Annotated[str | None, Query(description="e.g. 2026-27")] = None,
    status: PeriodStatus | None = None,
) -> Page[PeriodOut]:
    """Periods in time order (thirteen a year: one page, `next_cursor` null)."""
    found = await service.list_periods(fin, financial_year=financial_year, status=status)
    return Page[PeriodOut](items=[PeriodOut.of(p) for p in found])


@router.get(
    "/periods/{period}", response_model=PeriodOut, responses=problem_responses(401, 403, 404)
)
async def get_period(period: PeriodCode, response: Response, fin: Reader) -> PeriodOut:
    found = await service.get_period(fin, period)
    set_etag(response, found.version)
    return PeriodOut.of(found)


@router.patch(
    "/periods/{period}",
    response_model=PeriodOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_period(
    period: PeriodCode,
    body: PeriodUpdate,
    request: Request,
    response: Response,
    fin: Approver,
) -> PeriodOut:
    """Open, soft-close (only finance:approve may then post) or close a period."""
    found = await service.get_period(fin, period)
    require_if_match(request, found.version)
    found = await service.set_period_status(fin, found, body.status)
    set_etag(response, found.version)
    return PeriodOut.of(found)
