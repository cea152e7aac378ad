"""The calculator: a checked request goes to the engine; the engine's errors come back as 422
problems naming the request's own fields. Pure calculation: nothing is read or stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sop_payroll.calculations.schemas import (
    DirectorFields,
    IncomeTaxRequest,
    IncomeTaxResponse,
    NationalInsuranceRequest,
    NationalInsuranceResponse,
    PayslipRequest,
    PayslipResponse,
    income_tax_out,
    national_insurance_out,
    payslip_out,
)
from sop_payroll.engine import (
    DirectorNI,
    DirectorNIMethod,
    NIYearToDate,
    PayItem,
    PayrollEngineError,
    PayslipInput,
    PayslipYearToDate,
    PensionScheme,
    PostTaxDeduction,
    PreTaxDeduction,
    calculate_income_tax,
    calculate_ni,
    calculate_payslip,
)
from sop_shared.errors import ValidationFailed

# Where the engine's name for an input differs from the request's.
_REQUEST_FIELDS = {
    "frequency": "pay_frequency",
    "category": "ni_category",
    "director.method": "director_method",
    "director.appointed_in_week": "appointed_in_week",
}
_INDEX = re.compile(r"\[(\d+)\]")


def request_field(engine_field: str) -> str:
    """The request field an engine error is about: "pay_items[0].amount" -> "pay_items.0.amount",
    as the kernel names fields in validation problems."""
    field = _INDEX.sub(r".\1", engine_field)
    return _REQUEST_FIELDS.get(field, field)


@contextmanager
def _engine_errors() -> Iterator[None]:
    try:
        yield
    except PayrollEngineError as error:
        field = request_field(error.field)
        raise ValidationFailed(
            f"{field}: {error.message}", errors=[(field, error.message)]
        ) from None


def _director(request: DirectorFields) -> DirectorNI | None:
    """The director's arrangement, or None; director-only fields without `director` are refused
    rather than ignored, since ignoring them would give an employee's NICs silently."""
    extras = {
        "director_method": request.director_method,
        "appointed_in_week": request.appointed_in_week,
        "final_period": request.final_period,
    }
    if not request.director:
        sent = [name for name, value in extras.items() if value is not None]
        if sent:
            raise ValidationFailed(
                "director_method, appointed_in_week and final_period apply only to directors",
                errors=[(name, 'applies only with "director": true') for name in sent],
            )
        return None
    return DirectorNI(
        method=request.director_method or DirectorNIMethod.ANNUAL,
        appointed_in_week=request.appointed_in_week or 1,
        final_period=bool(request.final_period),
    )


def income_tax(request: IncomeTaxRequest) -> IncomeTaxResponse:
    with _engine_errors():
        result = calculate_income_tax(
            tax_year=request.tax_year,
            frequency=request.pay_frequency,
            period=request.period,
            tax_code=request.tax_code,
            taxable_pay=request.taxable_pay,
            previous_taxable_pay_to_date=request.previous_taxable_pay_to_date,
            previous_tax_paid_to_date=request.previous_tax_paid_to_date,
            week1_month1=request.week1_month1,
        )
    return income_tax_out(result)


def national_insurance(request: NationalInsuranceRequest) -> NationalInsuranceResponse:
    director = _director(request)
    before = NIYearToDate() if request.year_to_date is None else request.year_to_date.to_engine()
    with _engine_errors():
        result = calculate_ni(
            tax_year=request.tax_year,
            frequency=request.pay_frequency,
            period=request.period,
            category=request.ni_category,
            gross_pay=request.gross_pay,
            director=director is not None,
            director_method=director.method if director else DirectorNIMethod.ANNUAL,
            appointed_in_week=director.appointed_in_week if director else 1,
            final_period=director.final_period if director else False,
            year_to_date=before,
        )
    return national_insurance_out(result)


def payslip(request: PayslipRequest) -> PayslipResponse:
    pension = request.pension
    payslip_input = PayslipInput(
        tax_year=request.tax_year,
        frequency=request.pay_frequency,
        period=request.period,
        tax_code=request.tax_code,
        ni_category=request.ni_category,
        pay_items=tuple(
            PayItem(i.kind, i.amount, i.description, i.taxable, i.ni_able, i.pensionable)
            for i in request.pay_items
        ),
        week1_month1=request.week1_month1,
        pre_tax_deductions=tuple(
            PreTaxDeduction(d.kind, d.amount, d.description) for d in request.pre_tax_deductions
        ),
        post_tax_deductions=tuple(
            PostTaxDeduction(d.amount, d.description) for d in request.post_tax_deductions
        ),
        pension=None
        if pension is None
        else PensionScheme(
            pension.name,
            pension.method,
            pension.basis,
            pension.employee_rate,
            pension.employer_rate,
        ),
        student_loan_plans=tuple(request.student_loan_plans),
        postgraduate_loan=request.postgraduate_loan,
        director=_director(request),
        year_to_date=PayslipYearToDate()
        if request.year_to_date is None
        else request.year_to_date.to_engine(),
    )
    with _engine_errors():
        result = calculate_payslip(payslip_input)
    loans = bool(request.student_loan_plans) or request.postgraduate_loan
    return payslip_out(result, loans=loans)
