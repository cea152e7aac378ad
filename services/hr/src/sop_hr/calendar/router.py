"""Bank holiday routes: /hr/v1/bank-holidays (the days HR does not count as working days)."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from sop_hr.calendar.calendar import HomeRegion
from sop_hr.calendar.schemas import BankHolidayOut
from sop_hr.composition import Reader
from sop_shared.errors import ValidationFailed, problem_responses
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
    wanted = year or hr.today().year
    calendar = hr.calendar
    if not calendar.first_year <= wanted <= calendar.last_year:
        raise ValidationFailed(
            f"the bank holiday calendar covers {calendar.first_year} to {calendar.last_year}",
            errors=[("year", f"outside {calendar.first_year}-{calendar.last_year}")],
        )
    days = calendar.bank_holidays(region, date(wanted, 1, 1), date(wanted, 12, 31))
    return Page[BankHolidayOut](
        items=[
            BankHolidayOut(date=h.date, title=h.title, substitute=h.substitute, region=region)
            for h in days
        ],
        next_cursor=None,
    )
