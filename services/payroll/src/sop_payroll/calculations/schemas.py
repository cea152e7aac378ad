"""Request and response bodies of the calculator: amounts are two-place decimal strings, rates
decimal fractions as strings ("0.0545"), and every figure is the engine's own, explained."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    WithJsonSchema,
)

from sop_payroll.engine import (
    DirectorNIMethod,
    IncomeTaxResult,
    LineSection,
    NIResult,
    NIYearToDate,
    PayFrequency,
    PayItemKind,
    Payslip,
    PayslipYearToDate,
    PensionBasis,
    PensionMethod,
    PensionResult,
    PreTaxDeductionKind,
    StudentLoanPlan,
    StudentLoanResult,
    TaxRegime,
)
from sop_shared.money import Money

# Far beyond any pay, and well inside Decimal's 28 digits: larger figures are typing errors.
AMOUNT_LIMIT = Decimal(1_000_000_000)
ZERO = Decimal("0.00")


def _amount_in_range(value: Any) -> Any:
    """Refuse JSON numbers and absurd magnitudes before the kernel's Money parser sees them."""
    if isinstance(value, bool | int | float):
        raise ValueError('amounts are decimal strings such as "1234.50", not JSON numbers')
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return value  # Money's parser names the problem
        if number.is_finite() and abs(number) >= AMOUNT_LIMIT:
            raise ValueError("amount must be less than 1,000,000,000.00")
    return value


Amount = Annotated[Money, BeforeValidator(_amount_in_range)]
"""Money in a request: a decimal string with at most two places, under a billion pounds."""


def _parse_rate(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('rates are decimal strings such as "0.0545", not JSON numbers')
    try:
        rate = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal rate") from None
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise ValueError("a rate is a fraction from 0 to 1 (0.0545 is 5.45%)")
    if rate.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ValueError("a rate has at most six decimal places")
    return rate


_RATE_SCHEMA = {"type": "string", "pattern": r"^[01](\.\d{1,6})?$", "examples": ["0.0545"]}

RateIn = Annotated[Decimal, BeforeValidator(_parse_rate), WithJsonSchema(_RATE_SCHEMA)]
"""A rate in a request: a fraction from 0 to 1 as a decimal string."""

Rate = Annotated[
    Decimal,
    PlainSerializer(str, return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "examples": ["0.20"]}),
]
"""A rate in a response: the fraction from the year's rule file, as a decimal string."""

TaxYear = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        description="A tax year written like 2025-26; GET /payroll/v1/tax-years lists them.",
        examples=["2025-26"],
    ),
]
Period = Annotated[
    StrictInt,
    Field(
        ge=1,
        le=53,
        description="The pay period of the year: weekly 1-53, fortnightly 1-27, four_weekly "
        "1-14, monthly 1-12. The last of each (week 53, 54 or 56) is always non-cumulative.",
        examples=[3],
    ),
]
TaxCodeText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        description="Any HMRC code form: 1257L, S1257L, C1257L, K475, BR, D0, SD2, 0T, NT; "
        "W1, M1 or X after it marks the non-cumulative basis.",
        examples=["1257L"],
    ),
]
NICategory = Annotated[
    str,
    Field(
        min_length=1,
        max_length=5,
        description="HMRC's category letter: A B C D E F H I J K L M N S V X Z.",
        examples=["A"],
    ),
]
Explanation = Annotated[
    list[str],
    Field(description="How the figure was worked out, one sentence a step, in order."),
]
Week = Annotated[StrictInt, Field(ge=1, le=53)]


class Request(BaseModel):
    """Unknown fields are refused: a misspelt field must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class DirectorFields(Request):
    director: StrictBool = Field(
        False, description="A company director: NICs on the annual earnings period by default."
    )
    director_method: DirectorNIMethod | None = Field(
        None,
        description="Directors only: `annual` (default; cumulative on annual thresholds) or "
        "`alternative` (per period, squared up to the annual figures in the final period).",
    )
    appointed_in_week: Week | None = Field(
        None,
        description="Directors only: the tax week of appointment (default 1); the annual "
        "thresholds are pro-rated over the weeks from it to week 52.",
    )
    final_period: StrictBool | None = Field(
        None,
        description="Directors only: the last pay of the year or on leaving office (squares up "
        "the alternative method).",
    )


# --- income tax -------------------------------------------------------------------------------


class IncomeTaxRequest(Request):
    tax_year: TaxYear
    pay_frequency: PayFrequency
    period: Period
    tax_code: TaxCodeText
    week1_month1: StrictBool = Field(
        False, description="Calculate on the week 1/month 1 (non-cumulative) basis."
    )
    taxable_pay: Amount = Field(description="This period's pay for tax (after pre-tax items).")
    previous_taxable_pay_to_date: Amount = Field(
        ZERO, description="Taxable pay in this employment this year before this period."
    )
    previous_tax_paid_to_date: Amount = Field(
        ZERO, description="Tax deducted this year before this period (negative after refunds)."
    )


class TaxBandOut(BaseModel):
    band: str = Field(examples=["basic"])
    rate: Rate
    taxable_income: Money = Field(
        description="Pay taxed in the band (to date when cumulative), to the nearest penny."
    )
    tax: Money


class IncomeTaxResponse(BaseModel):
    tax_year: str
    pay_frequency: PayFrequency
    period: int
    tax_code: str = Field(description="The code as the engine read it (canonical form).")
    regime: TaxRegime
    cumulative: bool = Field(description="False on week 1/month 1 and for weeks 53, 54, 56.")
    tax_week_or_month: int = Field(
        description="The week or month of the tax tables used: the period's end when "
        "cumulative, otherwise 1 (2 or 4 for fortnightly and four-weekly pay)."
    )
    taxable_pay: Money
    taxable_pay_to_date: Money
    free_pay: Money = Field(description="Free pay deducted (to date when cumulative).")
    additional_pay: Money = Field(description="K codes: pay added (to date when cumulative).")
    taxable_income: Money = Field(description="The whole pounds taxed.")
    bands: list[TaxBandOut]
    tax_on_taxable_income: Money = Field(description="Before tax paid and the regulatory limit.")
    regulatory_limit: Money = Field(description="At most half of this period's pay.")
    tax_held_back: Money = Field(description="Tax the regulatory limit kept back.")
    tax_due: Money = Field(description="Tax this period; negative is a refund.")
    tax_due_to_date: Money
    explanation: Explanation


def income_tax_out(result: IncomeTaxResult) -> IncomeTaxResponse:
    return IncomeTaxResponse(
        tax_year=result.tax_year,
        pay_frequency=result.frequency,
        period=result.period,
        tax_code=result.tax_code,
        regime=result.regime,
        cumulative=result.cumulative,
        tax_week_or_month=result.unit_number,
        taxable_pay=result.taxable_pay,
        taxable_pay_to_date=result.taxable_pay_to_date,
        free_pay=result.free_pay,
        additional_pay=result.additional_pay,
        taxable_income=result.taxable_income,
        bands=[
            TaxBandOut(band=b.band, rate=b.rate, taxable_income=b.taxable_income, tax=b.tax)
            for b in result.bands
        ],
        tax_on_taxable_income=result.tax_on_taxable_income,
        regulatory_limit=result.regulatory_limit,
        tax_held_back=result.tax_held_back,
        tax_due=result.tax_due,
        tax_due_to_date=result.tax_due_to_date,
        explanation=list(result.explanation),
    )


# --- National Insurance -----------------------------------------------------------------------


class NIYearToDateIn(Request):
    """NICs figures for the tax year before this period, under this category letter."""

    gross_pay: Amount = Field(ZERO, description="Earnings for NICs to date.")
    earnings_at_lel: Amount = ZERO
    earnings_lel_to_pt: Amount = ZERO
    earnings_pt_to_uel: Amount = ZERO
    employee_contribution: Amount = ZERO
    employer_contribution: Amount = ZERO

    def to_engine(self) -> NIYearToDate:
        return NIYearToDate(
            self.gross_pay,
            self.earnings_at_lel,
            self.earnings_lel_to_pt,
            self.earnings_pt_to_uel,
            self.employee_contribution,
            self.employer_contribution,
        )


class NationalInsuranceRequest(DirectorFields):
    tax_year: TaxYear
    pay_frequency: PayFrequency
    period: Period
    ni_category: NICategory
    gross_pay: Amount = Field(description="This period's earnings for NICs (after sacrifice).")
    year_to_date: NIYearToDateIn | None = Field(
        None,
        description="Figures before this period: needed for directors, and to get the "
        "figures to date an FPS reports.",
    )


class NIYearToDateOut(BaseModel):
    gross_pay: Money
    earnings_at_lel: Money
    earnings_lel_to_pt: Money
    earnings_pt_to_uel: Money
    employee_contribution: Money
    employer_contribution: Money


class NIBandOut(BaseModel):
    payer: str = Field(examples=["employee"])
    threshold: str = Field(description="Where the band starts", examples=["PT"])
    upper_threshold: str | None = Field(description="Where it ends (none: no limit)")
    lower: Money
    upper: Money | None
    rate: Rate
    earnings: Money = Field(description="Earnings in the band")
    contribution: Money = Field(description="This band's NICs, rounded on its own")


class NationalInsuranceResponse(BaseModel):
    tax_year: str
    pay_frequency: PayFrequency
    period: int
    ni_category: str
    method: str = Field(description="period, director_annual or director_alternative")
    gross_pay: Money
    employee_contribution: Money
    employer_contribution: Money
    earnings_at_lel: Money = Field(description="This period's, as the FPS reports them")
    earnings_lel_to_pt: Money
    earnings_pt_to_uel: Money
    thresholds: dict[str, Money] = Field(
        description="The thresholds used: for the pay period, or annual (pro rata) for "
        "directors on the annual method."
    )
    bands: list[NIBandOut]
    year_to_date: NIYearToDateOut
    explanation: Explanation


def ni_year_to_date_out(figures: NIYearToDate) -> NIYearToDateOut:
    return NIYearToDateOut(
        gross_pay=figures.gross_pay,
        earnings_at_lel=figures.earnings_at_lel,
        earnings_lel_to_pt=figures.earnings_lel_to_pt,
        earnings_pt_to_uel=figures.earnings_pt_to_uel,
        employee_contribution=figures.employee_contribution,
        employer_contribution=figures.employer_contribution,
    )


def national_insurance_out(result: NIResult) -> NationalInsuranceResponse:
    return NationalInsuranceResponse(
        tax_year=result.tax_year,
        pay_frequency=result.frequency,
        period=result.period,
        ni_category=result.category,
        method=result.method,
        gross_pay=result.gross_pay,
        employee_contribution=result.employee_contribution,
        employer_contribution=result.employer_contribution,
        earnings_at_lel=result.earnings_at_lel,
        earnings_lel_to_pt=result.earnings_lel_to_pt,
        earnings_pt_to_uel=result.earnings_pt_to_uel,
        thresholds=dict(result.thresholds),
        bands=[
            NIBandOut(
                payer=c.band.payer,
                threshold=c.band.threshold,
                upper_threshold=c.band.upper_threshold or None,
                lower=c.band.lower,
                upper=c.band.upper,
                rate=c.band.rate,
                earnings=c.earnings,
                contribution=c.contribution,
            )
            for c in result.bands
        ],
        year_to_date=ni_year_to_date_out(result.year_to_date),
        explanation=list(result.explanation),
    )


# --- payslip ----------------------------------------------------------------------------------


class PayItemIn(Request):
    kind: PayItemKind
    amount: Amount = Field(description="Negative for a reduction such as unpaid leave.")
    description: str = Field("", max_length=100)
    taxable: StrictBool = True
    ni_able: StrictBool = True
    pensionable: StrictBool = True


class PreTaxDeductionIn(Request):
    kind: PreTaxDeductionKind = Field(
        description="salary_sacrifice reduces pay for tax and NICs; net_pay_pension for tax only."
    )
    amount: Amount
    description: str = Field("", max_length=100)


class PostTaxDeductionIn(Request):
    amount: Amount
    description: str = Field(min_length=1, max_length=100, examples=["Trade union subscription"])


class PensionSchemeIn(Request):
    name: str = Field(min_length=1, max_length=100, examples=["alpha"])
    method: PensionMethod
    basis: PensionBasis = Field(
        description="qualifying_earnings (automatic enrolment band) or pensionable_pay (all "
        "pensionable pay from the first pound, as alpha)."
    )
    employee_rate: RateIn
    employer_rate: RateIn


class PayslipYearToDateIn(Request):
    """Figures for the tax year before this period (the previous payslip's `year_to_date`)."""

    gross_pay: Amount = ZERO
    taxable_pay: Amount = ZERO
    tax_paid: Amount = Field(ZERO, description="Negative after refunds.")
    ni: NIYearToDateIn = Field(default_factory=NIYearToDateIn)
    student_loan: Amount = ZERO
    postgraduate_loan: Amount = ZERO
    employee_pension: Amount = ZERO
    employer_pension: Amount = ZERO
    net_pay: Amount = ZERO

    def to_engine(self) -> PayslipYearToDate:
        return PayslipYearToDate(
            self.gross_pay,
            self.taxable_pay,
            self.tax_paid,
            self.ni.to_engine(),
            self.student_loan,
            self.postgraduate_loan,
            self.employee_pension,
            self.employer_pension,
            self.net_pay,
        )


class PayslipRequest(DirectorFields):
    tax_year: TaxYear
    pay_frequency: PayFrequency
    period: Period
    tax_code: TaxCodeText
    week1_month1: StrictBool = False
    ni_category: NICategory
    pay_items: list[PayItemIn] = Field(min_length=1, max_length=100)
    pre_tax_deductions: list[PreTaxDeductionIn] = Field(default_factory=list, max_length=100)
    post_tax_deductions: list[PostTaxDeductionIn] = Field(default_factory=list, max_length=100)
    pension: PensionSchemeIn | None = None
    student_loan_plans: list[StudentLoanPlan] = Field(default_factory=list, max_length=4)
    postgraduate_loan: StrictBool = False
    year_to_date: PayslipYearToDateIn | None = None


class PayslipLineOut(BaseModel):
    section: LineSection
    code: str = Field(examples=["income_tax"])
    description: str
    amount: Money
    explanation: Explanation


class StudentLoanDeductionOut(BaseModel):
    loan: str = Field(examples=["plan_2"])
    threshold: Money = Field(description="For the period (annual for directors, cumulatively)")
    amount: Money


class StudentLoansOut(BaseModel):
    student_loan: Money
    postgraduate_loan: Money
    deductions: list[StudentLoanDeductionOut]
    explanation: Explanation


class PensionOut(BaseModel):
    scheme: str
    method: PensionMethod
    basis: PensionBasis
    pensionable_earnings: Money
    employee_contribution: Money = Field(description="Gross, before relief at source")
    employee_deduction: Money = Field(description="What comes off pay")
    relief_at_source: Money
    employer_contribution: Money = Field(description="Including any pay sacrificed")
    explanation: Explanation


class PayslipCalculations(BaseModel):
    income_tax: IncomeTaxResponse
    national_insurance: NationalInsuranceResponse
    student_loans: StudentLoansOut | None
    pension: PensionOut | None


class PayslipYearToDateOut(BaseModel):
    gross_pay: Money
    taxable_pay: Money
    tax_paid: Money
    ni: NIYearToDateOut
    student_loan: Money
    postgraduate_loan: Money
    employee_pension: Money
    employer_pension: Money
    net_pay: Money


class PayslipResponse(BaseModel):
    tax_year: str
    pay_frequency: PayFrequency
    period: int
    tax_code: str
    ni_category: str
    gross_pay: Money
    pre_tax_deductions: Money = Field(description="Including net-pay or sacrificed pension")
    taxable_pay: Money
    ni_able_pay: Money
    income_tax: Money = Field(description="Negative is a refund")
    employee_ni: Money
    student_loan: Money
    postgraduate_loan: Money
    post_tax_deductions: Money = Field(description="Including relief-at-source pension")
    total_deductions: Money
    net_pay: Money = Field(description="gross_pay less total_deductions")
    employer_ni: Money
    employer_pension: Money
    employer_cost: Money = Field(
        description="Gross pay (sacrifice counted once) plus employer NICs and pension"
    )
    lines: list[PayslipLineOut] = Field(
        description="Payments, deductions before tax, tax, NICs and loans, deductions after "
        "tax, then the employer's costs (section `employer`, not deducted)."
    )
    calculations: PayslipCalculations
    year_to_date: PayslipYearToDateOut


def student_loans_out(result: StudentLoanResult) -> StudentLoansOut:
    return StudentLoansOut(
        student_loan=result.student_loan,
        postgraduate_loan=result.postgraduate_loan,
        deductions=[
            StudentLoanDeductionOut(loan=d.loan, threshold=d.threshold, amount=d.amount)
            for d in result.deductions
        ],
        explanation=list(result.explanation),
    )


def pension_out(result: PensionResult) -> PensionOut:
    return PensionOut(
        scheme=result.scheme,
        method=result.method,
        basis=result.basis,
        pensionable_earnings=result.pensionable_earnings,
        employee_contribution=result.employee_contribution,
        employee_deduction=result.employee_deduction,
        relief_at_source=result.relief_at_source,
        employer_contribution=result.employer_contribution,
        explanation=list(result.explanation),
    )


def payslip_out(payslip: Payslip, *, loans: bool) -> PayslipResponse:
    after = payslip.year_to_date
    tax, ni = payslip.income_tax, payslip.national_insurance
    return PayslipResponse(
        tax_year=payslip.tax_year,
        pay_frequency=payslip.frequency,
        period=payslip.period,
        tax_code=tax.tax_code,
        ni_category=ni.category,
        gross_pay=payslip.gross_pay,
        pre_tax_deductions=payslip.pre_tax_deductions,
        taxable_pay=payslip.taxable_pay,
        ni_able_pay=payslip.ni_able_pay,
        income_tax=tax.tax_due,
        employee_ni=ni.employee_contribution,
        student_loan=payslip.student_loans.student_loan,
        postgraduate_loan=payslip.student_loans.postgraduate_loan,
        post_tax_deductions=payslip.post_tax_deductions,
        total_deductions=payslip.total_deductions,
        net_pay=payslip.net_pay,
        employer_ni=payslip.employer_ni,
        employer_pension=payslip.employer_pension,
        employer_cost=payslip.employer_cost,
        lines=[
            PayslipLineOut(
                section=line.section,
                code=line.code,
                description=line.description,
                amount=line.amount,
                explanation=list(line.explanation),
            )
            for line in payslip.lines
        ],
        calculations=PayslipCalculations(
            income_tax=income_tax_out(tax),
            national_insurance=national_insurance_out(ni),
            student_loans=student_loans_out(payslip.student_loans) if loans else None,
            pension=None if payslip.pension is None else pension_out(payslip.pension),
        ),
        year_to_date=PayslipYearToDateOut(
            gross_pay=after.gross_pay,
            taxable_pay=after.taxable_pay,
            tax_paid=after.tax_paid,
            ni=ni_year_to_date_out(after.ni),
            student_loan=after.student_loan,
            postgraduate_loan=after.postgraduate_loan,
            employee_pension=after.employee_pension,
            employer_pension=after.employer_pension,
            net_pay=after.net_pay,
        ),
    )
