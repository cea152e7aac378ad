"""Calculator routes: /payroll/v1/calculations/{income-tax,national-insurance,payslip}."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header
from pydantic import BaseModel

from sop_payroll.calculations import examples, service
from sop_payroll.calculations.schemas import (
    IncomeTaxRequest,
    IncomeTaxResponse,
    NationalInsuranceRequest,
    NationalInsuranceResponse,
    PayslipRequest,
    PayslipResponse,
)
from sop_payroll.context import Reader
from sop_payroll.http import example_responses

router = APIRouter(prefix="/payroll/v1/calculations", tags=["calculations"])


def optional_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Optional. A calculation changes nothing, so a repeat does no harm; "
            "with a key, a repeat within 24 hours replays the first answer "
            "(`Idempotent-Replayed: true`), as on every SOP POST.",
        ),
    ] = None,
) -> None:
    """Declares the header in the OpenAPI document; the kernel's middleware honours it."""


def _examples(
    path: str,
    calculate: Callable[[Any], BaseModel],
    model: type[BaseModel],
    cases: dict[str, tuple[str, dict[str, Any]]],
) -> tuple[dict[str, Any], dict[int | str, dict[str, Any]]]:
    """Request examples for the body, and the engine's answers to them as response examples."""
    requests: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    for name, (summary, body) in cases.items():
        requests[name] = {"summary": summary, "value": body}
        answers[name] = {
            "summary": summary,
            "value": calculate(model.model_validate(body)).model_dump(mode="json"),
        }
    return requests, example_responses("post", router.prefix + path, answers, 401, 403, 409, 422)


_TAX_REQUESTS, _TAX_RESPONSES = _examples(
    "/income-tax",
    service.income_tax,
    IncomeTaxRequest,
    {
        "scottish_cumulative": ("Scottish code, cumulative, month 3", examples.INCOME_TAX),
        "k_code_week1": ("K code on the week 1 basis", examples.INCOME_TAX_K_CODE),
    },
)
_NI_REQUESTS, _NI_RESPONSES = _examples(
    "/national-insurance",
    service.national_insurance,
    NationalInsuranceRequest,
    {
        "weekly_category_a": ("Category A, weekly, above the UEL", examples.NATIONAL_INSURANCE),
        "director_annual": (
            "A director on the annual earnings period, month 12",
            examples.NATIONAL_INSURANCE_DIRECTOR,
        ),
    },
)
_PAYSLIP_REQUESTS, _PAYSLIP_RESPONSES = _examples(
    "/payslip",
    service.payslip,
    PayslipRequest,
    {"civil_servant": ("Month 3: alpha pension, plan 2 loan, a union", examples.PAYSLIP)},
)


@router.post(
    "/income-tax",
    response_model=IncomeTaxResponse,
    summary="Calculate PAYE income tax for one pay period",
    responses=_TAX_RESPONSES,
    dependencies=[Depends(optional_idempotency_key)],
)
async def calculate_income_tax(
    body: Annotated[IncomeTaxRequest, Body(openapi_examples=_TAX_REQUESTS)],
    _payroll: Reader,
) -> IncomeTaxResponse:
    """Tax due this period on `taxable_pay` under `tax_code`, cumulatively from the figures to
    date unless the code or `week1_month1` says otherwise. Free pay, each band's tax, the
    regulatory limit and every step of the working are in the answer; `tax_due` is negative
    for a refund. Nothing is stored."""
    return service.income_tax(body)


@router.post(
    "/national-insurance",
    response_model=NationalInsuranceResponse,
    summary="Calculate Class 1 National Insurance for one pay period",
    responses=_NI_RESPONSES,
    dependencies=[Depends(optional_idempotency_key)],
)
async def calculate_national_insurance(
    body: Annotated[NationalInsuranceRequest, Body(openapi_examples=_NI_REQUESTS)],
    _payroll: Reader,
) -> NationalInsuranceResponse:
    """Employee and employer NICs on `gross_pay` under the category letter, by the exact
    percentage method, with the earnings bands an FPS reports. Directors (`"director": true`)
    use the annual earnings period, or the alternative method; send their figures to date.
    Nothing is stored."""
    return service.national_insurance(body)


@router.post(
    "/payslip",
    response_model=PayslipResponse,
    summary="Calculate one employee's payslip for one period, gross to net",
    responses=_PAYSLIP_RESPONSES,
    dependencies=[Depends(optional_idempotency_key)],
)
async def calculate_payslip(
    body: Annotated[PayslipRequest, Body(openapi_examples=_PAYSLIP_REQUESTS)],
    _payroll: Reader,
) -> PayslipResponse:
    """Pay items, deductions before tax, pension, income tax, NICs, student and postgraduate
    loans and deductions after tax, to net pay, with the employer's costs and the figures to
    date for the next period. Every line carries its explanation. `net_pay` is always
    `gross_pay` less `total_deductions`. Nothing is stored."""
    return service.payslip(body)
