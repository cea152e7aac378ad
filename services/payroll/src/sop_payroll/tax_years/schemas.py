"""Response bodies for the tax years and their rates: amounts in pounds as two-place strings,
rates as decimal fractions ("0.20" is 20%)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from sop_payroll.calculations.schemas import Rate
from sop_payroll.engine import TaxRegime
from sop_shared.money import Money


class TaxBandOut(BaseModel):
    name: str = Field(examples=["basic"])
    rate: Rate
    lower: Money = Field(description="Annual, on taxable pay after free pay")
    upper: Money | None = Field(description="Annual; none for the top band")


class RegimeOut(BaseModel):
    bands: list[TaxBandOut]
    flat_rate_codes: dict[str, str] = Field(
        description="BR, D0, D1... and the band whose rate each charges on all pay",
        examples=[{"BR": "basic", "D0": "higher", "D1": "additional"}],
    )


class IncomeTaxRatesOut(BaseModel):
    personal_allowance: Money
    emergency_code: str = Field(examples=["1257L"])
    regulatory_limit_rate: Rate
    regimes: dict[TaxRegime, RegimeOut]


class NICategoryOut(BaseModel):
    letter: str
    description: str
    liable: bool


class NationalInsuranceRatesOut(BaseModel):
    thresholds: dict[str, Money] = Field(
        description="Annual: LEL, PT, ST, FUST, IZUST, UEL, UST, AUST, VUST"
    )
    period_thresholds: dict[str, dict[str, Money]] = Field(
        description="For each pay frequency, the thresholds for one pay period"
    )
    rates: dict[str, Rate] = Field(
        description="main and additional (employee), reduced (married women's), secondary "
        "(employer)"
    )
    categories: list[NICategoryOut]


class StudentLoanRatesOut(BaseModel):
    plan_rate: Rate
    postgraduate_rate: Rate
    thresholds: dict[str, Money] = Field(
        description="Annual; a plan absent here is not collected in the year"
    )


class QualifyingEarningsOut(BaseModel):
    lower: Money
    upper: Money
    trigger: Money


class PensionRatesOut(BaseModel):
    relief_at_source_rate: Rate
    qualifying_earnings: QualifyingEarningsOut = Field(description="Annual")


class TaxYearOut(BaseModel):
    tax_year: str = Field(examples=["2025-26"])
    starts: date
    ends: date
    unverified: list[str] = Field(
        description="Values confirmed by third-party sources only, not yet by HMRC's own "
        "publications or test data (dotted paths in the year's rule file)"
    )
    income_tax: IncomeTaxRatesOut
    national_insurance: NationalInsuranceRatesOut
    student_loans: StudentLoanRatesOut
    pensions: PensionRatesOut
