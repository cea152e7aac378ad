"""The tax years on offer and their rates, from the backend's tax-year catalogue."""

from __future__ import annotations

from sop_payroll.engine import (
    PayFrequency,
    PayrollEngineError,
    TaxYearRules,
    period_thresholds,
)
from sop_payroll.problems import TaxYearNotFound
from sop_payroll.tax_years.ports import TaxYearCatalogue
from sop_payroll.tax_years.schemas import (
    IncomeTaxRatesOut,
    NationalInsuranceRatesOut,
    NICategoryOut,
    PensionRatesOut,
    QualifyingEarningsOut,
    RegimeOut,
    StudentLoanRatesOut,
    TaxBandOut,
    TaxYearOut,
)


def list_tax_years(catalogue: TaxYearCatalogue) -> list[TaxYearOut]:
    """Every year with rules, oldest first."""
    return [tax_year_out(catalogue.rules(year)) for year in catalogue.years()]


def get_tax_year(catalogue: TaxYearCatalogue, tax_year: str) -> TaxYearOut:
    try:
        rules = catalogue.rules(tax_year)
    except PayrollEngineError as error:
        raise TaxYearNotFound(error.message) from None
    return tax_year_out(rules)


def tax_year_out(rules: TaxYearRules) -> TaxYearOut:
    it, ni = rules.income_tax, rules.national_insurance
    loans, pensions = rules.student_loans, rules.pensions
    return TaxYearOut(
        tax_year=rules.tax_year,
        starts=rules.starts,
        ends=rules.ends,
        unverified=list(rules.unverified),
        income_tax=IncomeTaxRatesOut(
            personal_allowance=it.personal_allowance,
            emergency_code=it.emergency_code,
            regulatory_limit_rate=it.regulatory_limit_rate,
            regimes={
                regime: RegimeOut(
                    bands=[
                        TaxBandOut(name=b.name, rate=b.rate, lower=b.lower, upper=b.upper)
                        for b in regime_rules.bands
                    ],
                    flat_rate_codes={
                        code: band.name for code, band in regime_rules.flat_rate_codes.items()
                    },
                )
                for regime, regime_rules in it.regimes.items()
            },
        ),
        national_insurance=NationalInsuranceRatesOut(
            thresholds=dict(ni.thresholds),
            period_thresholds={
                frequency.value: dict(period_thresholds(rules.tax_year, frequency))
                for frequency in PayFrequency
            },
            rates=dict(ni.rates),
            categories=[
                NICategoryOut(letter=c.letter, description=c.description, liable=c.liable)
                for c in ni.categories.values()
            ],
        ),
        student_loans=StudentLoanRatesOut(
            plan_rate=loans.plan_rate,
            postgraduate_rate=loans.postgraduate_rate,
            thresholds={**loans.plan_thresholds, "postgraduate": loans.postgraduate_threshold},
        ),
        pensions=PensionRatesOut(
            relief_at_source_rate=pensions.relief_at_source_rate,
            qualifying_earnings=QualifyingEarningsOut(
                lower=pensions.qualifying_earnings.lower,
                upper=pensions.qualifying_earnings.upper,
                trigger=pensions.qualifying_earnings.trigger,
            ),
        ),
    )
