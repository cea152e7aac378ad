"""HTTP routes for /finance/v1/accounts, /cost-centres and /analysis-codes."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sop_finance.accounts import service
from sop_finance.accounts.ports import (
    AccountFilter,
    AccountType,
    CodeFilter,
    ControlRole,
    Dimension,
)
from sop_finance.accounts.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    AnalysisCodeCreate,
    AnalysisCodeOut,
    AnalysisCodeUpdate,
    CostCentreCreate,
    CostCentreOut,
    CostCentreUpdate,
)
from sop_finance.context import Reader, Writer
from sop_finance.http import PREFIX, created, page_of
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["chart of accounts"])
UpdatedSince = Annotated[datetime | None, Query(description="Changed at or after this time.")]

READ_ERRORS = problem_responses(401, 403, 422)
ONE_ERRORS = problem_responses(401, 403, 404)
CREATE_ERRORS = problem_responses(401, 403, 409, 422)
UPDATE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 428)


@router.get("/accounts", response_model=Page[AccountOut], responses=READ_ERRORS)
async def list_accounts(
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
    code: Annotated[str | None, Query(max_length=20)] = None,
    type: AccountType | None = None,
    parent_code: Annotated[str | None, Query(max_length=20)] = None,
    active: bool | None = None,
    control_role: ControlRole | None = None,
    updated_since: UpdatedSince = None,
) -> Page[AccountOut]:
    """The chart of accounts. Provisioning gives each tenant a standard chart (SCOA-style
    ranges); tenants extend it."""
    flt = AccountFilter(
        code=code.upper() if code else None,
        type=type,
        parent_code=parent_code.upper() if parent_code else None,
        active=active,
        control_role=control_role,
        updated_since=updated_since,
    )
    found = await service.list_accounts(fin, flt=flt, page=page)
    return page_of(request, response, found, AccountOut.of)


@router.post("/accounts", status_code=201, response_model=AccountOut, responses=CREATE_ERRORS)
async def create_account(body: AccountCreate, response: Response, fin: Writer) -> AccountOut:
    account = await service.create_account(fin, data=body)
    created(response, f"/accounts/{account.id}", account.version)
    return AccountOut.of(account)


@router.get("/accounts/{account_id}", response_model=AccountOut, responses=ONE_ERRORS)
async def get_account(account_id: uuid.UUID, response: Response, fin: Reader) -> AccountOut:
    account = await service.get_account(fin, account_id)
    set_etag(response, account.version)
    return AccountOut.of(account)


@router.patch("/accounts/{account_id}", response_model=AccountOut, responses=UPDATE_ERRORS)
async def update_account(
    account_id: uuid.UUID,
    body: AccountUpdate,
    request: Request,
    response: Response,
    fin: Writer,
) -> AccountOut:
    """Rename, re-parent, deactivate or assign a control role. Code and type never change."""
    account = await service.get_account(fin, account_id)
    require_if_match(request, account.version)
    account = await service.update_account(fin, account, data=body)
    set_etag(response, account.version)
    return AccountOut.of(account)


@router.get("/cost-centres", response_model=Page[CostCentreOut], responses=READ_ERRORS)
async def list_cost_centres(
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
    code: Annotated[str | None, Query(max_length=20)] = None,
    active: bool | None = None,
    updated_since: UpdatedSince = None,
) -> Page[CostCentreOut]:
    """Cost centres; their codes match the cost centre codes of HR's organisation units."""
    flt = CodeFilter(
        code=code.upper() if code else None, active=active, updated_since=updated_since
    )
    found = await service.list_cost_centres(fin, flt=flt, page=page)
    return page_of(request, response, found, CostCentreOut.of)


@router.post(
    "/cost-centres", status_code=201, response_model=CostCentreOut, responses=CREATE_ERRORS
)
async def create_cost_centre(
    body: CostCentreCreate, response: Response, fin: Writer
) -> CostCentreOut:
    found = await service.create_cost_centre(fin, data=body)
    created(response, f"/cost-centres/{found.id}", found.version)
    return CostCentreOut.of(found)


@router.get("/cost-centres/{cost_centre_id}", response_model=CostCentreOut, responses=ONE_ERRORS)
async def get_cost_centre(
    cost_centre_id: uuid.UUID, response: Response, fin: Reader
) -> CostCentreOut:
    found = await service.get_cost_centre(fin, cost_centre_id)
    set_etag(response, found.version)
    return CostCentreOut.of(found)


@router.patch(
    "/cost-centres/{cost_centre_id}", response_model=CostCentreOut, responses=UPDATE_ERRORS
)
async def update_cost_centre(
    cost_centre_id: uuid.UUID,
    body: CostCentreUpdate,
    request: Request,
    response: Response,
    fin: Writer,
) -> CostCentreOut:
    found = await service.get_cost_centre(fin, cost_centre_id)
    require_if_match(request, found.version)
    found = await service.update_cost_centre(fin, found, data=body)
    set_etag(response, found.version)
    return CostCentreOut.of(found)


@router.get("/analysis-codes", response_model=Page[AnalysisCodeOut], responses=READ_ERRORS)
async def list_analysis_codes(
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
    dimension: Dimension | None = None,
    code: Annotated[str | None, Query(max_length=20)] = None,
    active: bool | None = None,
    updated_since: UpdatedSince = None,
) -> Page[AnalysisCodeOut]:
    """Values of the optional analysis dimensions (programme, project) journal lines carry."""
    flt = CodeFilter(
        code=code.upper() if code else None,
        dimension=dimension,
        active=active,
        updated_since=updated_since,
    )
    found = await service.list_analysis_codes(fin, flt=flt, page=page)
    return page_of(request, response, found, AnalysisCodeOut.of)


@router.post(
    "/analysis-codes", status_code=201, response_model=AnalysisCodeOut, responses=CREATE_ERRORS
)
async def create_analysis_code(
    body: AnalysisCodeCreate, response: Response, fin: Writer
) -> AnalysisCodeOut:
    found = await service.create_analysis_code(fin, data=body)
    created(response, f"/analysis-codes/{found.id}", found.version)
    return AnalysisCodeOut.of(found)


@router.get("/analysis-codes/{code_id}", response_model=AnalysisCodeOut, responses=ONE_ERRORS)
async def get_analysis_code(code_id: uuid.UUID, response: Response, fin: Reader) -> AnalysisCodeOut:
    found = await service.get_analysis_code(fin, code_id)
    set_etag(response, found.version)
    return AnalysisCodeOut.of(found)


@router.patch("/analysis-codes/{code_id}", response_model=AnalysisCodeOut, responses=UPDATE_ERRORS)
async def update_analysis_code(
    code_id: uuid.UUID,
    body: AnalysisCodeUpdate,
    request: Request,
    response: Response,
    fin: Writer,
) -> AnalysisCodeOut:
    found = await service.get_analysis_code(fin, code_id)
    require_if_match(request, found.version)
    found = await service.update_analysis_code(fin, found, data=body)
    set_etag(response, found.version)
    return AnalysisCodeOut.of(found)
