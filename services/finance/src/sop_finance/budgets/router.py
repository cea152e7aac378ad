"""HTTP routes for /finance/v1/budgets, /commitments and /budget-availability."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from sop_finance.budgets import service
from sop_finance.budgets.ports import BudgetFilter, CommitmentFilter, CommitmentStatus
from sop_finance.budgets.schemas import (
    BudgetAvailability,
    BudgetCreate,
    BudgetOut,
    BudgetUpdate,
    CommitmentCreate,
    CommitmentOut,
    CommitmentRelease,
)
from sop_finance.context import Reader, Writer
from sop_finance.http import PREFIX, Code, created, page_of
from sop_finance.periods.service import period_param, year_param
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["budgets"])


@router.get("/budgets", response_model=Page[BudgetOut], responses=problem_responses(401, 403, 422))
async def list_budgets(
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
    cost_centre: Code | None = None,
    account: Code | None = None,
    period: Annotated[str | None, Query(max_length=12)] = None,
    financial_year: Annotated[str | None, Query(max_length=7)] = None,
    updated_since: datetime | None = None,
) -> Page[BudgetOut]:
    flt = BudgetFilter(
        cost_centre_code=cost_centre,
        account_code=account,
        period_code=period_param(period).code if period else None,
        fiscal_year=year_param(financial_year) if financial_year else None,
        updated_since=updated_since,
    )
    found = await service.list_budgets(fin, flt=flt, page=page)
    return page_of(request, response, found, BudgetOut.of)


@router.post(
    "/budgets",
    status_code=201,
    response_model=BudgetOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_budget(body: BudgetCreate, response: Response, fin: Writer) -> BudgetOut:
    """Set the budget for a cost centre, account and period (one per combination)."""
    budget = await service.create_budget(fin, data=body)
    created(response, f"/budgets/{budget.id}", budget.version)
    return BudgetOut.of(budget)


@router.get(
    "/budgets/{budget_id}", response_model=BudgetOut, responses=problem_responses(401, 403, 404)
)
async def get_budget(budget_id: uuid.UUID, response: Response, fin: Reader) -> BudgetOut:
    budget = await service.get_budget(fin, budget_id)
    set_etag(response, budget.version)
    return BudgetOut.of(budget)


@router.patch(
    "/budgets/{budget_id}",
    response_model=BudgetOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_budget(
    budget_id: uuid.UUID,
    body: BudgetUpdate,
    request: Request,
    response: Response,
    fin: Writer,
) -> BudgetOut:
    budget = await service.get_budget(fin, budget_id)
    require_if_match(request, budget.version)
    budget = await service.update_budget(fin, budget, data=body)
    set_etag(response, budget.version)
    return BudgetOut.of(budget)


@router.get(
    "/commitments", response_model=Page[CommitmentOut], responses=problem_responses(401, 403, 422)
)
async def list_commitments(
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
    cost_centre: Code | None = None,
    account: Code | None = None,
    status: CommitmentStatus | None = None,
    source_reference: Annotated[str | None, Query(max_length=100)] = None,
    updated_since: datetime | None = None,
) -> Page[CommitmentOut]:
    flt = CommitmentFilter(
        cost_centre_code=cost_centre,
        account_code=account,
        status=status,
        source_reference=source_reference,
        updated_since=updated_since,
    )
    found = await service.list_commitments(fin, flt=flt, page=page)
    return page_of(request, response, found, CommitmentOut.of)


@router.post(
    "/commitments",
    status_code=201,
    response_model=CommitmentOut,
    responses=problem_responses(401, 403, 422),
)
async def create_commitment(
    body: CommitmentCreate, response: Response, fin: Writer
) -> CommitmentOut:
    """Record a commitment (procurement raises one per purchase order line)."""
    commitment = await service.create_commitment(fin, data=body)
    created(response, f"/commitments/{commitment.id}", commitment.version)
    return CommitmentOut.of(commitment)


@router.get(
    "/commitments/{commitment_id}",
    response_model=CommitmentOut,
    responses=problem_responses(401, 403, 404),
)
async def get_commitment(
    commitment_id: uuid.UUID, response: Response, fin: Reader
) -> CommitmentOut:
    commitment = await service.get_commitment(fin, commitment_id)
    set_etag(response, commitment.version)
    return CommitmentOut.of(commitment)


@router.post(
    "/commitments/{commitment_id}/release",
    response_model=CommitmentOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def release_commitment(
    commitment_id: uuid.UUID,
    response: Response,
    fin: Writer,
    body: Annotated[CommitmentRelease | None, Body()] = None,
) -> CommitmentOut:
    """Release part or all of a commitment (e.g. an order cancelled or invoiced elsewhere)."""
    amount = body.amount if body else None
    commitment = await service.release_commitment(fin, commitment_id, amount)
    set_etag(response, commitment.version)
    return CommitmentOut.of(commitment)


@router.get(
    "/budget-availability",
    response_model=BudgetAvailability,
    responses=problem_responses(401, 403, 422),
)
async def budget_availability(
    fin: Reader,
    cost_centre: Code,
    account: Code,
    financial_year: Annotated[
        str | None, Query(max_length=7, description="e.g. 2026-27; default: the current year")
    ] = None,
    period: Annotated[
        str | None, Query(max_length=12, description="One period instead of the whole year.")
    ] = None,
) -> BudgetAvailability:
    """What is left to spend: budget - commitments - actuals."""
    return await service.availability(
        fin,
        cost_centre_code=cost_centre,
        account_code=account,
        financial_year=financial_year,
        period=period,
    )
