"""Bank holiday routes: /hr/v1/bank-holidays (the days HR does not count as working days)."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

from typing import Annotated

from fastapi import APIRouter, Query

from sop_hr.calendar import service
from sop_hr.calendar.schemas import BankHolidayOut
from sop_hr.context import Reader
from sop_shared.calendar import HomeRegion
from sop_shared.errors import problem_responses
from sop_shared.pagination import Page

router = APIRouter(prefix="/hr/v1", tags=["calendar"])


@router.get(
    "/bank-holidays",
    response_model=Page[BankHolidayOut],
    summary="List the bank holidays of a region in a year",
    responses=problem_responses(401, 403, 422),
)
async def list_bank_holidays(
    hr: Reader,
    region: HomeRegion,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="Default: this year.")] = None,
) -> Page[BankHolidayOut]:
    days = service.bank_holidays_in(hr.calendar, region, year or hr.today().year)
    return Page[BankHolidayOut](
        items=[
            BankHolidayOut(date=h.date, title=h.title, substitute=h.substitute, region=region)
            for h in days
        ],
        next_cursor=None,
    )
