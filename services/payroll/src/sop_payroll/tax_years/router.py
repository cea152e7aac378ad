"""Tax year routes: /payroll/v1/tax-years (which years the calculator knows, and their rates)."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

from typing import Annotated

from fastapi import APIRouter, Path

from sop_payroll.adapters.native.tax_years import PackagedTaxYears
from sop_payroll.context import Reader
from sop_payroll.http import example_responses
from sop_payroll.tax_years import service
from sop_payroll.tax_years.schemas import TaxYearOut
from sop_shared.pagination import Page

router = APIRouter(prefix="/payroll/v1", tags=["tax years"])

# The document's examples are the packaged rules' answers.
_PACKAGED = PackagedTaxYears()
_YEAR = {
    "summary": "2025-26",
    "value": service.get_tax_year(_PACKAGED, "2025-26").model_dump(mode="json"),
}
_ALL = {
    "summary": "Every year",
    "value": {
        "items": [year.model_dump(mode="json") for year in service.list_tax_years(_PACKAGED)],
        "next_cursor": None,
    },
}


@router.get(
    "/tax-years",
    response_model=Page[TaxYearOut],
    summary="List the tax years the calculator has rules for, with their rates",
    responses=example_responses("get", "/payroll/v1/tax-years", {"all": _ALL}, 401, 403),
)
async def list_tax_years(payroll: Reader) -> Page[TaxYearOut]:
    """Every tax year with a rule file, oldest first (a handful: never more than one page)."""
    return Page[TaxYearOut](
        items=service.list_tax_years(payroll.backend.tax_years), next_cursor=None
    )


@router.get(
    "/tax-years/{tax_year}",
    response_model=TaxYearOut,
    summary="Get one tax year's rates and thresholds",
    responses=example_responses(
        "get", "/payroll/v1/tax-years/{tax_year}", {"2025-26": _YEAR}, 401, 403, 404, 422
    ),
)
async def get_tax_year(
    tax_year: Annotated[str, Path(max_length=20, examples=["2025-26"])], payroll: Reader
) -> TaxYearOut:
    return service.get_tax_year(payroll.backend.tax_years, tax_year)
