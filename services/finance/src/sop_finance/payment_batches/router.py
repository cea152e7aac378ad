"""HTTP routes for /finance/v1/payment-batches: payments another system (payroll's net pay)
sends finance to pay by BACS (docs/finance.md, "Payment batches")."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from sop_finance.context import FinanceContext, Reader, Writer
from sop_finance.http import PREFIX, created, page_of
from sop_finance.payment_batches import service
from sop_finance.payment_batches.ports import BatchFilter, BatchPayment, BatchStatus, PaymentBatch
from sop_finance.payment_batches.schemas import (
    BatchPaymentOut,
    PaymentBatchCreate,
    PaymentBatchOut,
    PaymentBatchWithdraw,
    PaymentsAdded,
    PaymentsPage,
)
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.idempotency import RequiredIdempotencyKey
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["payment batches"])
READ = problem_responses(401, 403, 422)
ONE = problem_responses(401, 403, 404)
KEYED = problem_responses(401, 403, 404, 409, 412, 422, 428)
ACTION = problem_responses(401, 403, 404, 409)


def batch_out(batch: PaymentBatch) -> PaymentBatchOut:
    body = PaymentBatchOut.of(batch)
    if batch.bacs_file_name is not None and batch.status == "submitted":
        body.bacs_file_url = f"{PREFIX}/payment-batches/{batch.id}/bacs-file"
    return body


def payment_out(fin: FinanceContext, payment: BatchPayment) -> BatchPaymentOut:
    body = BatchPaymentOut.of({**vars(payment), "masked": False})
    if not service.shows_bank_details(fin):
        body.sort_code = service.mask(payment.sort_code, 2)
        body.account_number = service.mask(payment.account_number, 4)
        body.masked = True
    return body


@router.get("/payment-batches", response_model=Page[PaymentBatchOut], responses=READ)
async def list_batches(
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
    source: Annotated[str | None, Query(max_length=30)] = None,
    source_reference: Annotated[str | None, Query(max_length=100)] = None,
    status: BatchStatus | None = None,
    updated_since: datetime | None = None,
) -> Page[PaymentBatchOut]:
    """Batches without their payments. `source` and `source_reference` find what a system sent
    for one of its documents."""
    flt = BatchFilter(
        source=source,
        source_reference=source_reference,
        status=status,
        updated_since=updated_since,
    )
    found = await service.list_batches(fin, flt=flt, page=page)
    return page_of(request, response, found, batch_out)


@router.post(
    "/payment-batches",
    status_code=201,
    response_model=PaymentBatchOut,
    responses=problem_responses(401, 403, 409, 422, 428),
)
async def create_batch(
    body: PaymentBatchCreate,
    response: Response,
    fin: Writer,
    _key: RequiredIdempotencyKey,
) -> PaymentBatchOut:
    """Open a draft batch for a source document, with the count and total its payments will
    come to. Then add the payments in pages and submit it."""
    batch = await service.create_batch(fin, data=body)
    created(response, f"/payment-batches/{batch.id}", batch.version)
    return batch_out(batch)


@router.get("/payment-batches/{batch_id}", response_model=PaymentBatchOut, responses=ONE)
async def get_batch(batch_id: uuid.UUID, response: Response, fin: Reader) -> PaymentBatchOut:
    batch = await service.get_batch(fin, batch_id)
    set_etag(response, batch.version)
    return batch_out(batch)


@router.post(
    "/payment-batches/{batch_id}/payments",
    response_model=PaymentsAdded,
    responses=KEYED,
)
async def add_payments(
    batch_id: uuid.UUID,
    body: PaymentsPage,
    response: Response,
    fin: Writer,
    _key: RequiredIdempotencyKey,
) -> PaymentsAdded:
    """Add a page of up to 5,000 payments to a draft, all or nothing: one invalid row (422
    naming `payments.<n>.<field>`) or a payee already in the batch (409 duplicate-reference)
    and nothing is added."""
    batch, added = await service.add_payments(fin, batch_id, payments=body.payments)
    set_etag(response, batch.version)
    return PaymentsAdded(
        batch_id=batch.id,
        added=added,
        payment_count=batch.payment_count,
        total=batch.total,
        expected_count=batch.expected_count,
        expected_total=batch.expected_total,
        version=batch.version,
    )


@router.get(
    "/payment-batches/{batch_id}/payments",
    response_model=Page[BatchPaymentOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_payments(
    batch_id: uuid.UUID,
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
) -> Page[BatchPaymentOut]:
    """The batch's payments in the order they were added. Bank details are masked (last
    digits only) unless the caller holds finance:approve."""
    found = await service.list_payments(fin, batch_id, page=page)
    return page_of(request, response, found, lambda p: payment_out(fin, p))


def _if_match(request: Request) -> Callable[[int], None] | None:
    """The optional If-Match of submit and withdraw: checked against the locked batch."""
    if request.headers.get("if-match") is None:
        return None
    return lambda version: require_if_match(request, version)


@router.post("/payment-batches/{batch_id}/submit", response_model=PaymentBatchOut, responses=KEYED)
async def submit_batch(
    batch_id: uuid.UUID,
    request: Request,
    response: Response,
    fin: Writer,
    _key: RequiredIdempotencyKey,
) -> PaymentBatchOut:
    """Pay the batch when its payments match the promised count and total (409 control-totals
    otherwise): write the BACS Standard 18 file and post the journal (debit the control
    account, credit the bank) in one transaction. `If-Match` is optional: when sent, the batch
    must still be at that version."""
    batch = await service.submit_batch(fin, batch_id, check_version=_if_match(request))
    set_etag(response, batch.version)
    return batch_out(batch)


@router.post(
    "/payment-batches/{batch_id}/withdraw", response_model=PaymentBatchOut, responses=KEYED
)
async def withdraw_batch(
    batch_id: uuid.UUID,
    request: Request,
    response: Response,
    fin: Writer,
    _key: RequiredIdempotencyKey,
    body: Annotated[PaymentBatchWithdraw | None, Body()] = None,
) -> PaymentBatchOut:
    """Take a submitted batch back before its Bacs processing day (a pay run reversed before
    payment): its journal is reversed, its file is never served again, and its source
    reference may be sent again, in one transaction. 409 invalid-state for a batch not
    submitted, 409 processing-day-passed once its file is with the bank. `If-Match` is
    optional: when sent, the batch must still be at that version."""
    batch = await service.withdraw_batch(
        fin,
        batch_id,
        reason=body.reason if body is not None else None,
        check_version=_if_match(request),
    )
    set_etag(response, batch.version)
    return batch_out(batch)


@router.post("/payment-batches/{batch_id}/cancel", response_model=PaymentBatchOut, responses=ACTION)
async def cancel_batch(batch_id: uuid.UUID, response: Response, fin: Writer) -> PaymentBatchOut:
    """Withdraw a draft: nothing is posted, and its source reference may be sent again."""
    batch = await service.cancel_batch(fin, batch_id)
    set_etag(response, batch.version)
    return batch_out(batch)


@router.get(
    "/payment-batches/{batch_id}/bacs-file",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "BACS Standard 18 file"},
        **problem_responses(401, 403, 404, 409),
    },
)
async def get_bacs_file(batch_id: uuid.UUID, fin: Reader) -> Response:
    batch, text = await service.bacs_file(fin, batch_id)
    return Response(
        text.encode("ascii"),
        media_type="text/plain; charset=us-ascii",
        headers={"Content-Disposition": f'attachment; filename="{batch.bacs_file_name}"'},
    )
