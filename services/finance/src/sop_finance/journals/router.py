"""HTTP routes for /finance/v1/journals: the posting API (docs/finance.md)."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Response

from sop_finance.context import Approver, FinanceContext, Reader, Writer
from sop_finance.http import PREFIX, BusinessDate, created, page_of
from sop_finance.journals import service
from sop_finance.journals.ports import Journal, JournalFilter, JournalStatus
from sop_finance.journals.schemas import (
    JournalCreate,
    JournalOut,
    JournalSummaryOut,
    JournalUpdate,
    ReversalCreate,
)
from sop_shared.concurrency import require_if_match, set_etag
from sop_shared.errors import problem_responses
from sop_shared.idempotency import RequiredIdempotencyKey, require_idempotency_key
from sop_shared.pagination import Page, PageRequestDep

router = APIRouter(prefix=PREFIX, tags=["journals"])
PostingErrors = problem_responses(401, 403, 404, 409, 422, 428)


def out(fin: FinanceContext, journal: Journal, schema: type[JournalSummaryOut] = JournalOut) -> Any:
    body = schema.of(journal)
    body.requires_approval = service.requires_approval(fin, journal)
    return body


@router.get(
    "/journals", response_model=Page[JournalSummaryOut], responses=problem_responses(401, 403, 422)
)
async def list_journals(
    request: Request,
    response: Response,
    fin: Reader,
    page: PageRequestDep,
    status: JournalStatus | None = None,
    source: Annotated[str | None, Query(max_length=30)] = None,
    source_reference: Annotated[str | None, Query(max_length=100)] = None,
    period: Annotated[str | None, Query(max_length=12, description="e.g. 2026-08")] = None,
    posting_date_from: BusinessDate | None = None,
    posting_date_to: BusinessDate | None = None,
    updated_since: datetime | None = None,
) -> Page[JournalSummaryOut]:
    """Journals without their lines (GET one for the lines). `source` and `source_reference`
    find what a system posted for one of its documents."""
    flt = JournalFilter(
        status=status,
        source=source,
        source_reference=source_reference,
        period_code=period,
        posting_date_from=posting_date_from,
        posting_date_to=posting_date_to,
        updated_since=updated_since,
    )
    found = await service.list_journals(fin, flt=flt, page=page)
    return page_of(request, response, found, lambda j: out(fin, j, JournalSummaryOut))


@router.post("/journals", status_code=201, response_model=JournalOut, responses=PostingErrors)
async def create_journal(
    body: JournalCreate,
    response: Response,
    fin: Writer,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Required with `post: true`: a retried posting then posts once.",
        ),
    ] = None,
) -> JournalOut:
    """Create a draft journal, or with `"post": true` create and post it in one step (the
    call payroll and procurement make; needs an Idempotency-Key)."""
    if body.post:
        require_idempotency_key(idempotency_key)
    journal = await service.create_journal(fin, data=body)
    created(response, f"/journals/{journal.id}", journal.version)
    return out(fin, journal)


@router.get(
    "/journals/{journal_id}", response_model=JournalOut, responses=problem_responses(401, 403, 404)
)
async def get_journal(journal_id: uuid.UUID, response: Response, fin: Reader) -> JournalOut:
    journal = await service.get_journal(fin, journal_id)
    set_etag(response, journal.version)
    return out(fin, journal)


@router.patch(
    "/journals/{journal_id}",
    response_model=JournalOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_journal(
    journal_id: uuid.UUID,
    body: JournalUpdate,
    request: Request,
    response: Response,
    fin: Writer,
) -> JournalOut:
    """Change a draft (an edit voids any approval). Posted journals are immutable: 409."""
    journal = await service.get_journal(fin, journal_id)
    require_if_match(request, journal.version)
    journal = await service.update_journal(fin, journal, data=body)
    set_etag(response, journal.version)
    return out(fin, journal)


@router.delete(
    "/journals/{journal_id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 412, 428),
)
async def delete_journal(journal_id: uuid.UUID, request: Request, fin: Writer) -> Response:
    """Delete a draft. Posted journals are immutable: 409."""
    journal = await service.get_journal(fin, journal_id)
    require_if_match(request, journal.version)
    await service.delete_journal(fin, journal)
    return Response(status_code=204)


@router.post(
    "/journals/{journal_id}/approve",
    response_model=JournalOut,
    responses=problem_responses(401, 403, 404, 409),
)
async def approve_journal(journal_id: uuid.UUID, response: Response, fin: Approver) -> JournalOut:
    """Approve a draft: the approver must not be its preparer (403 self-approval)."""
    journal = await service.approve_journal(fin, journal_id)
    set_etag(response, journal.version)
    return out(fin, journal)


@router.post("/journals/{journal_id}/post", response_model=JournalOut, responses=PostingErrors)
async def post_journal(
    journal_id: uuid.UUID,
    response: Response,
    fin: Writer,
    _key: RequiredIdempotencyKey,
) -> JournalOut:
    """Post a draft into the period of its posting date; balances update in the same
    transaction."""
    journal = await service.post_journal(fin, journal_id)
    set_etag(response, journal.version)
    return out(fin, journal)


@router.post(
    "/journals/{journal_id}/reverse",
    status_code=201,
    response_model=JournalOut,
    responses=PostingErrors,
)
async def reverse_journal(
    journal_id: uuid.UUID,
    response: Response,
    fin: Writer,
    _key: RequiredIdempotencyKey,
    body: Annotated[ReversalCreate | None, Body()] = None,
) -> JournalOut:
    """Correct a posted journal: post its mirror image, which references the original. A
    journal finance wrote for one of its processes (an invoice's posting, a payment run, the
    year-end close) is corrected through that process: 409 journal-owned, naming it."""
    reversal = await service.reverse_journal(fin, journal_id, data=body or ReversalCreate())
    created(response, f"/journals/{reversal.id}", reversal.version)
    return out(fin, reversal)
