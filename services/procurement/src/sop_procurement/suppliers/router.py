"""HTTP routes for /procurement/v1/suppliers and their bank detail changes."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from sop_procurement.context import Approver, Reader, Writer
from sop_procurement.http import PREFIX, created
from sop_procurement.suppliers import service
from sop_procurement.suppliers.identifiers import company_number, vat_number
from sop_procurement.suppliers.ports import SupplierFilter, SupplierStatus
from sop_procurement.suppliers.schemas import (
    BankChangeCreate,
    BankChangeDecision,
    BankChangeOut,
    SupplierCreate,
    SupplierOut,
    SupplierUpdate,
)
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import ValidationFailed, problem_responses
from sop_shared.pagination import Page, PageRequestDep, link_next

router = APIRouter(prefix=PREFIX, tags=["suppliers"])


def supplier_out(found: service.SupplierView) -> SupplierOut:
    s = found.supplier
    return SupplierOut.model_validate(
        {
            **{name: getattr(s, name) for name in SupplierOut.model_fields if hasattr(s, name)},
            "bank_details": found.bank_details,
            "pending_bank_change": found.pending_bank_change,
        },
        from_attributes=True,
    )


@router.get(
    "/suppliers", response_model=Page[SupplierOut], responses=problem_responses(401, 403, 422)
)
async def list_suppliers(
    request: Request,
    response: Response,
    ctx: Reader,
    page: PageRequestDep,
    status: SupplierStatus | None = None,
    company_number_: Annotated[str | None, Query(alias="company_number", max_length=20)] = None,
    vat_number_: Annotated[str | None, Query(alias="vat_number", max_length=30)] = None,
    updated_since: datetime | None = None,
) -> Page[SupplierOut]:
    try:
        flt = SupplierFilter(
            status=status,
            company_number=company_number(company_number_) if company_number_ else None,
            vat_number=vat_number(vat_number_) if vat_number_ else None,
            updated_since=updated_since,
        )
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None
    found = await service.list_suppliers(ctx, flt=flt, page=page)
    link_next(request, response, found.next_cursor)
    return Page[SupplierOut](
        items=[supplier_out(await service.view(ctx, s)) for s in found.items],
        next_cursor=found.next_cursor,
    )


@router.post(
    "/suppliers",
    status_code=201,
    response_model=SupplierOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_supplier(body: SupplierCreate, response: Response, ctx: Writer) -> SupplierOut:
    """Add a supplier (send an `Idempotency-Key` so a retry never adds it twice)."""
    found = await service.create_supplier(ctx, body)
    created(response, f"/suppliers/{found.supplier.id}", found.supplier.version)
    return supplier_out(found)


@router.get(
    "/suppliers/{supplier_id}",
    response_model=SupplierOut,
    responses=problem_responses(401, 403, 404),
)
async def get_supplier(supplier_id: uuid.UUID, response: Response, ctx: Reader) -> SupplierOut:
    supplier = await service.get_supplier(ctx, supplier_id)
    set_etag(response, supplier.version)
    return supplier_out(await service.view(ctx, supplier))


@router.patch(
    "/suppliers/{supplier_id}",
    response_model=SupplierOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_supplier(
    supplier_id: uuid.UUID,
    body: SupplierUpdate,
    request: Request,
    response: Response,
    ctx: Writer,
) -> SupplierOut:
    """Change a supplier's details or status (`If-Match`). Bank details change only through
    `bank-detail-changes`."""
    supplier = await service.get_supplier(ctx, supplier_id, lock=True)
    require_if_match(request, supplier.version)
    found = await service.update_supplier(ctx, supplier, body)
    set_etag(response, found.supplier.version)
    return supplier_out(found)


@router.post(
    "/suppliers/{supplier_id}/bank-detail-changes",
    status_code=201,
    response_model=BankChangeOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def request_bank_change(
    supplier_id: uuid.UUID, body: BankChangeCreate, response: Response, ctx: Writer
) -> BankChangeOut:
    """Ask for new bank details: a second person approves them, and payments use them only
    after the tenant's hold period."""
    supplier = await service.get_supplier(ctx, supplier_id, lock=True)
    change = await service.request_bank_change(ctx, supplier, body)
    created(response, f"/suppliers/{supplier_id}/bank-detail-changes/{change.id}", change.version)
    return BankChangeOut.of(change)


@router.get(
    "/suppliers/{supplier_id}/bank-detail-changes",
    response_model=list[BankChangeOut],
    responses=problem_responses(401, 403, 404),
)
async def list_bank_changes(supplier_id: uuid.UUID, ctx: Reader) -> list[BankChangeOut]:
    """Every bank detail change of the supplier, oldest first: who asked, who decided, when."""
    supplier = await service.get_supplier(ctx, supplier_id)
    return [BankChangeOut.of(c) for c in await service.bank_changes(ctx, supplier)]


@router.get(
    "/suppliers/{supplier_id}/bank-detail-changes/{change_id}",
    response_model=BankChangeOut,
    responses=problem_responses(401, 403, 404),
)
async def get_bank_change(
    supplier_id: uuid.UUID, change_id: uuid.UUID, ctx: Reader
) -> BankChangeOut:
    supplier = await service.get_supplier(ctx, supplier_id)
    return BankChangeOut.of(await service.get_bank_change(ctx, supplier, change_id))


@router.post(
    "/suppliers/{supplier_id}/bank-detail-changes/{change_id}/approve",
    response_model=BankChangeOut,
    responses=problem_responses(401, 403, 404, 409),
)
async def approve_bank_change(
    supplier_id: uuid.UUID,
    change_id: uuid.UUID,
    ctx: Approver,
    body: Annotated[BankChangeDecision | None, Body()] = None,
) -> BankChangeOut:
    """Approve new bank details (`procurement:approve`, never the requester)."""
    supplier = await service.get_supplier(ctx, supplier_id, lock=True)
    change = await service.get_bank_change(ctx, supplier, change_id)
    reason = body.reason if body else None
    return BankChangeOut.of(
        await service.decide_bank_change(ctx, supplier, change, approve=True, reason=reason)
    )


@router.post(
    "/suppliers/{supplier_id}/bank-detail-changes/{change_id}/reject",
    response_model=BankChangeOut,
    responses=problem_responses(401, 403, 404, 409),
)
async def reject_bank_change(
    supplier_id: uuid.UUID,
    change_id: uuid.UUID,
    ctx: Approver,
    body: Annotated[BankChangeDecision | None, Body()] = None,
) -> BankChangeOut:
    supplier = await service.get_supplier(ctx, supplier_id, lock=True)
    change = await service.get_bank_change(ctx, supplier, change_id)
    reason = body.reason if body else None
    return BankChangeOut.of(
        await service.decide_bank_change(ctx, supplier, change, approve=False, reason=reason)
    )
