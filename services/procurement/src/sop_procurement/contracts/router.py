"""HTTP routes for /procurement/v1/contracts (the contracts register)."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from datetime import datetime

from fastapi import APIRouter, Request, Response

from sop_procurement.context import Reader, Writer
from sop_procurement.contracts import service
from sop_procurement.contracts.ports import ContractFilter, ContractStatus, Procedure
from sop_procurement.contracts.schemas import (
    ContractCreate,
    ContractOut,
    ContractUpdate,
    OrderLink,
)
from sop_procurement.http import PREFIX, created, page_of
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["contracts"])


@router.get(
    "/contracts", response_model=Page[ContractOut], responses=problem_responses(401, 403, 422)
)
async def list_contracts(
    request: Request,
    response: Response,
    ctx: Reader,
    page: PageRequestDep,
    status: ContractStatus | None = None,
    supplier_id: uuid.UUID | None = None,
    procedure: Procedure | None = None,
    updated_since: datetime | None = None,
) -> Page[ContractOut]:
    flt = ContractFilter(
        status=status, supplier_id=supplier_id, procedure=procedure, updated_since=updated_since
    )
    found = await service.list_contracts(ctx, flt=flt, page=page)
    return page_of(request, response, found, ContractOut.of)


@router.post(
    "/contracts",
    status_code=201,
    response_model=ContractOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_contract(body: ContractCreate, response: Response, ctx: Writer) -> ContractOut:
    """Add a contract to the register (send an `Idempotency-Key` so a retry never adds it
    twice): the threshold that applies is computed from the tenant's authority type, the
    contract type and when the procurement commenced."""
    contract = await service.create_contract(ctx, body)
    created(response, f"/contracts/{contract.id}", contract.version)
    return ContractOut.of(contract)


@router.get(
    "/contracts/{contract_id}",
    response_model=ContractOut,
    responses=problem_responses(401, 403, 404),
)
async def get_contract(contract_id: uuid.UUID, response: Response, ctx: Reader) -> ContractOut:
    contract = await service.get_contract(ctx, contract_id)
    set_etag(response, contract.version)
    return ContractOut.of(contract)


@router.patch(
    "/contracts/{contract_id}",
    response_model=ContractOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_contract(
    contract_id: uuid.UUID,
    body: ContractUpdate,
    request: Request,
    response: Response,
    ctx: Writer,
) -> ContractOut:
    """Change title, description, CPV code, value, end date or status (`If-Match`)."""
    contract = await service.get_contract(ctx, contract_id, lock=True)
    require_if_match(request, contract.version)
    contract = await service.update_contract(ctx, contract, body)
    set_etag(response, contract.version)
    return ContractOut.of(contract)


@router.post(
    "/contracts/{contract_id}/purchase-orders",
    response_model=ContractOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def link_order(
    contract_id: uuid.UUID,
    body: OrderLink,
    request: Request,
    response: Response,
    ctx: Writer,
) -> ContractOut:
    """Link a purchase order raised under the contract (same supplier, not cancelled)."""
    contract = await service.get_contract(ctx, contract_id, lock=True)
    if request.headers.get("if-match") is not None:
        require_if_match(request, contract.version)
    contract = await service.link_order(ctx, contract, body)
    set_etag(response, contract.version)
    return ContractOut.of(contract)
