"""Employment terms routes: /hr/v1/employees/{id}/terms."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

import uuid

from fastapi import APIRouter, Response

from sop_hr.context import Reader, Writer
from sop_hr.terms import service
from sop_hr.terms.schemas import TermsChangeIn, TermsOut, terms_out
from sop_shared.concurrency import set_etag
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page

router = APIRouter(prefix="/hr/v1", tags=["employment terms"])


@router.get(
    "/employees/{employee_id}/terms",
    response_model=Page[TermsOut],
    summary="List an employee's terms history",
    description="Every row, oldest first, each with the days it is in force (inclusive).",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_terms(employee_id: uuid.UUID, hr: Reader) -> Page[TermsOut]:
    # A history is short (a row per change), so it comes whole rather than in pages.
    rows = await service.history(hr, employee_id=employee_id)
    return Page[TermsOut](items=[terms_out(t) for t in rows], next_cursor=None)


@router.post(
    "/employees/{employee_id}/terms",
    status_code=201,
    response_model=TermsOut,
    summary="Change an employee's terms from a date",
    description=(
        "The change is in force from `effective_from` until the next change (or leaving). "
        "Dated between two existing rows, it is inserted and the earlier row now ends the day "
        "before. Refused before the start date or after the leaving date."
    ),
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def change_terms(
    employee_id: uuid.UUID, body: TermsChangeIn, hr: Writer, response: Response
) -> TermsOut:
    added = await service.change(hr, employee_id=employee_id, change=body)
    response.headers["Location"] = f"/hr/v1/employees/{employee_id}/terms/{added.id}"
    set_etag(response, added.version)
    return terms_out(added)


@router.get(
    "/employees/{employee_id}/terms/{terms_id}",
    response_model=TermsOut,
    summary="Get one row of an employee's terms",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_terms(
    employee_id: uuid.UUID, terms_id: uuid.UUID, hr: Reader, response: Response
) -> TermsOut:
    terms = await service.get(hr, employee_id=employee_id, terms_id=terms_id)
    set_etag(response, terms.version)
    return terms_out(terms)
