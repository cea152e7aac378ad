"""HTTP routes for /finance/v1/suppliers, /bank-accounts, /supplier-invoices, /payment-runs."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from sop_finance.context import Approver, Reader, Writer
from sop_finance.http import PREFIX, BusinessDate, created, page_of
from sop_finance.payables import service
from sop_finance.payables.ports import (
    InvoiceFilter,
    InvoiceStatus,
    PaymentRun,
    SupplierFilter,
)
from sop_finance.payables.schemas import (
    BankAccountCreate,
    BankAccountOut,
    BankAccountUpdate,
    InvoiceCreate,
    InvoiceOut,
    InvoicePost,
    InvoiceReversal,
    InvoiceUpdate,
    PaymentRunCreate,
    PaymentRunOut,
    SupplierCreate,
    SupplierOut,
    SupplierUpdate,
)
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.idempotency import RequiredIdempotencyKey
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["payables"])
READ = problem_responses(401, 403, 422)
ONE = problem_responses(401, 403, 404)
CREATE = problem_responses(401, 403, 409, 422)
UPDATE = problem_responses(401, 403, 404, 409, 412, 422, 428)
ACTION = problem_responses(401, 403, 404, 409, 422)
KEYED = problem_responses(401, 403, 404, 409, 422, 428)


def run_out(run: PaymentRun) -> PaymentRunOut:
    body = PaymentRunOut.of(run)
    if run.bacs_file is not None:
        body.bacs_file_url = f"{PREFIX}/payment-runs/{run.id}/bacs-file"
    return body


# --- suppliers ----------------------------------------------------------------------------------


@router.get("/suppliers", response_model=Page[SupplierOut], responses=READ)
async def list_suppliers(
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
    number: Annotated[str | None, Query(max_length=20)] = None,
    active: bool | None = None,
    updated_since: datetime | None = None,
) -> Page[SupplierOut]:
    """Suppliers with the bank details payment runs pay into (until procurement owns
    suppliers; see docs/finance.md)."""
    flt = SupplierFilter(number=number, active=active, updated_since=updated_since)
    found = await service.list_suppliers(fin, flt=flt, page=page)
    return page_of(request, response, found, SupplierOut.of)


@router.post("/suppliers", status_code=201, response_model=SupplierOut, responses=CREATE)
async def create_supplier(body: SupplierCreate, response: Response, fin: Writer) -> SupplierOut:
    supplier = await service.create_supplier(fin, data=body)
    created(response, f"/suppliers/{supplier.id}", supplier.version)
    return SupplierOut.of(supplier)


@router.get("/suppliers/{supplier_id}", response_model=SupplierOut, responses=ONE)
async def get_supplier(supplier_id: uuid.UUID, response: Response, fin: Reader) -> SupplierOut:
    supplier = await service.get_supplier(fin, supplier_id)
    set_etag(response, supplier.version)
    return SupplierOut.of(supplier)


@router.patch("/suppliers/{supplier_id}", response_model=SupplierOut, responses=UPDATE)
async def update_supplier(
    supplier_id: uuid.UUID,
    body: SupplierUpdate,
    request: Request,
    response: Response,
    fin: Writer,
) -> SupplierOut:
    supplier = await service.get_supplier(fin, supplier_id)
    require_if_match(request, supplier.version)
    supplier = await service.update_supplier(fin, supplier, data=body)
    set_etag(response, supplier.version)
    return SupplierOut.of(supplier)


# --- bank accounts ------------------------------------------------------------------------------


@router.get("/bank-accounts", response_model=Page[BankAccountOut], responses=READ)
async def list_bank_accounts(
    request: Request, response: Response, fin: Reader, page: PageRequestDep
) -> Page[BankAccountOut]:
    """The department's accounts that payment runs pay from (their BACS identity)."""
    found = await service.list_bank_accounts(fin, page=page)
    return page_of(request, response, found, BankAccountOut.of)


@router.post("/bank-accounts", status_code=201, response_model=BankAccountOut, responses=CREATE)
async def create_bank_account(
    body: BankAccountCreate, response: Response, fin: Approver
) -> BankAccountOut:
    account = await service.create_bank_account(fin, data=body)
    created(response, f"/bank-accounts/{account.id}", account.version)
    return BankAccountOut.of(account)


@router.get("/bank-accounts/{bank_account_id}", response_model=BankAccountOut, responses=ONE)
async def get_bank_account(
    bank_account_id: uuid.UUID, response: Response, fin: Reader
) -> BankAccountOut:
    account = await service.get_bank_account(fin, bank_account_id)
    set_etag(response, account.version)
    return BankAccountOut.of(account)


@router.patch("/bank-accounts/{bank_account_id}", response_model=BankAccountOut, responses=UPDATE)
async def update_bank_account(
    bank_account_id: uuid.UUID,
    body: BankAccountUpdate,
    request: Request,
    response: Response,
    fin: Approver,
) -> BankAccountOut:
    account = await service.get_bank_account(fin, bank_account_id)
    require_if_match(request, account.version)
    account = await service.update_bank_account(fin, account, data=body)
    set_etag(response, account.version)
    return BankAccountOut.of(account)


# --- supplier invoices --------------------------------------------------------------------------


@router.get("/supplier-invoices", response_model=Page[InvoiceOut], responses=READ)
async def list_invoices(
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
    status: InvoiceStatus | None = None,
    supplier_id: uuid.UUID | None = None,
    due_by: BusinessDate | None = None,
    payment_run_id: uuid.UUID | None = None,
    source_reference: Annotated[str | None, Query(max_length=100)] = None,
    updated_since: datetime | None = None,
) -> Page[InvoiceOut]:
    flt = InvoiceFilter(
        status=status,
        supplier_id=supplier_id,
        due_by=due_by,
        payment_run_id=payment_run_id,
        source_reference=source_reference,
        updated_since=updated_since,
    )
    found = await service.list_invoices(fin, flt=flt, page=page)
    return page_of(request, response, found, InvoiceOut.of)


@router.post("/supplier-invoices", status_code=201, response_model=InvoiceOut, responses=CREATE)
async def create_invoice(body: InvoiceCreate, response: Response, fin: Writer) -> InvoiceOut:
    """Record a supplier invoice (from procurement, or entered by hand) as received."""
    invoice = await service.create_invoice(fin, data=body)
    created(response, f"/supplier-invoices/{invoice.id}", invoice.version)
    return InvoiceOut.of(invoice)


@router.get("/supplier-invoices/{invoice_id}", response_model=InvoiceOut, responses=ONE)
async def get_invoice(invoice_id: uuid.UUID, response: Response, fin: Reader) -> InvoiceOut:
    invoice = await service.get_invoice(fin, invoice_id)
    set_etag(response, invoice.version)
    return InvoiceOut.of(invoice)


@router.patch("/supplier-invoices/{invoice_id}", response_model=InvoiceOut, responses=UPDATE)
async def update_invoice(
    invoice_id: uuid.UUID,
    body: InvoiceUpdate,
    request: Request,
    response: Response,
    fin: Writer,
) -> InvoiceOut:
    invoice = await service.get_invoice(fin, invoice_id)
    require_if_match(request, invoice.version)
    invoice = await service.update_invoice(fin, invoice, data=body)
    set_etag(response, invoice.version)
    return InvoiceOut.of(invoice)


@router.post("/supplier-invoices/{invoice_id}/approve", response_model=InvoiceOut, responses=ACTION)
async def approve_invoice(invoice_id: uuid.UUID, response: Response, fin: Approver) -> InvoiceOut:
    """Approve for payment: not by the person who entered it."""
    invoice = await service.approve_invoice(fin, invoice_id)
    set_etag(response, invoice.version)
    return InvoiceOut.of(invoice)


@router.post("/supplier-invoices/{invoice_id}/cancel", response_model=InvoiceOut, responses=ACTION)
async def cancel_invoice(invoice_id: uuid.UUID, response: Response, fin: Writer) -> InvoiceOut:
    """Withdraw an invoice not yet posted. A posted one is reversed instead (409)."""
    invoice = await service.cancel_invoice(fin, invoice_id)
    set_etag(response, invoice.version)
    return InvoiceOut.of(invoice)


@router.post("/supplier-invoices/{invoice_id}/post", response_model=InvoiceOut, responses=KEYED)
async def post_invoice(
    invoice_id: uuid.UUID,
    response: Response,
    fin: Writer,
    _key: RequiredIdempotencyKey,
    body: Annotated[InvoicePost | None, Body()] = None,
) -> InvoiceOut:
    """Post an approved invoice: debit expense (and VAT), credit payables control."""
    invoice = await service.post_invoice(
        fin, invoice_id, posting_date=body.posting_date if body else None
    )
    set_etag(response, invoice.version)
    return InvoiceOut.of(invoice)


@router.post("/supplier-invoices/{invoice_id}/reverse", response_model=InvoiceOut, responses=KEYED)
async def reverse_invoice(
    invoice_id: uuid.UUID,
    response: Response,
    fin: Writer,
    _key: RequiredIdempotencyKey,
    body: Annotated[InvoiceReversal | None, Body()] = None,
) -> InvoiceOut:
    """Reverse a posted invoice that will not be paid: post the mirror image of its journal and
    mark it `reversed`, so no payment run pays it. The journals API will not reverse an
    invoice's posting on its own (409 journal-owned)."""
    invoice = await service.reverse_invoice(
        fin, invoice_id, posting_date=body.posting_date if body else None
    )
    set_etag(response, invoice.version)
    return InvoiceOut.of(invoice)


# --- payment runs -------------------------------------------------------------------------------


@router.get("/payment-runs", response_model=Page[PaymentRunOut], responses=READ)
async def list_payment_runs(
    request: Request, response: Response, fin: Reader, page: PageRequestDep
) -> Page[PaymentRunOut]:
    found = await service.list_payment_runs(fin, page=page)
    return page_of(request, response, found, run_out)


@router.post("/payment-runs", status_code=201, response_model=PaymentRunOut, responses=CREATE)
async def propose_payment_run(
    body: PaymentRunCreate, response: Response, fin: Writer
) -> PaymentRunOut:
    """Propose a run: every posted, unpaid invoice due by the date, one payment per supplier."""
    run = await service.propose_payment_run(fin, data=body)
    created(response, f"/payment-runs/{run.id}", run.version)
    return run_out(run)


@router.get("/payment-runs/{run_id}", response_model=PaymentRunOut, responses=ONE)
async def get_payment_run(run_id: uuid.UUID, response: Response, fin: Reader) -> PaymentRunOut:
    run = await service.get_payment_run(fin, run_id)
    set_etag(response, run.version)
    return run_out(run)


@router.post("/payment-runs/{run_id}/cancel", response_model=PaymentRunOut, responses=ACTION)
async def cancel_payment_run(run_id: uuid.UUID, response: Response, fin: Writer) -> PaymentRunOut:
    run = await service.cancel_payment_run(fin, run_id)
    set_etag(response, run.version)
    return run_out(run)


@router.post("/payment-runs/{run_id}/post", response_model=PaymentRunOut, responses=KEYED)
async def post_payment_run(
    run_id: uuid.UUID,
    response: Response,
    fin: Approver,
    _key: RequiredIdempotencyKey,
) -> PaymentRunOut:
    """Pay: debit payables control, credit the bank account, mark the invoices paid and write
    the BACS Standard 18 file."""
    run = await service.post_payment_run(fin, run_id)
    set_etag(response, run.version)
    return run_out(run)


@router.get(
    "/payment-runs/{run_id}/bacs-file",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "BACS Standard 18 file"},
        **problem_responses(401, 403, 404, 409),
    },
)
async def get_bacs_file(run_id: uuid.UUID, fin: Reader) -> Response:
    run, text = await service.bacs_file(fin, run_id)
    return Response(
        text.encode("ascii"),
        media_type="text/plain; charset=us-ascii",
        headers={"Content-Disposition": f'attachment; filename="{run.number}.bacs"'},
    )
