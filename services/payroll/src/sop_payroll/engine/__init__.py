"""UK payroll gross-to-net engine: PAYE, Class 1 NICs, student loans, pensions, payslips.

A pure domain core: no I/O beyond reading the packaged rule files, Decimal money throughout,
keyword-only functions returning frozen dataclasses. Errors subclass PayrollEngineError and
carry the name of the input field at fault.
"""

from sop_payroll.engine.errors import (
    InvalidAmount,
    InvalidFrequency,
    InvalidInput,
    InvalidPeriod,
    MalformedTaxCode,
    PayrollEngineError,
    RuleDataError,
    UnknownNICategory,
    UnknownTaxYear,
)
from sop_payroll.engine.frequency import PayFrequency
from sop_payroll.engine.income_tax import (
    IncomeTaxResult,
    TaxBandCharge,
    calculate_income_tax,
    free_pay_per_unit,
)
from sop_payroll.engine.national_insurance import (
    DirectorNIMethod,
    NIBand,
    NIBandCharge,
    NIResult,
    NIYearToDate,
    calculate_ni,
    director_thresholds,
    period_thresholds,
)
from sop_payroll.engine.payslip import (
    DirectorNI,
    LineSection,
    PayItem,
    PayItemKind,
    Payslip,
    PayslipInput,
    PayslipLine,
    PayslipYearToDate,
    PostTaxDeduction,
    PreTaxDeduction,
    PreTaxDeductionKind,
    calculate_payslip,
)
from sop_payroll.engine.pensions import (
    PensionBasis,
    PensionMethod,
    PensionResult,
    PensionScheme,
    calculate_pension,
)
from sop_payroll.engine.rules import TaxYearRules, available_tax_years, tax_year_rules
from sop_payroll.engine.student_loans import (
    LoanDeduction,
    StudentLoanPlan,
    StudentLoanResult,
    calculate_student_loans,
    loan_thresholds,
)
from sop_payroll.engine.tax_code import TaxCode, TaxCodeKind, TaxRegime, parse_tax_code

__all__ = [
    "DirectorNI",
    "DirectorNIMethod",
    "IncomeTaxResult",
    "InvalidAmount",
    "InvalidFrequency",
    "InvalidInput",
    "InvalidPeriod",
    "LineSection",
    "LoanDeduction",
    "MalformedTaxCode",
    "NIBand",
    "NIBandCharge",
    "NIResult",
    "NIYearToDate",
    "PayFrequency",
    "PayItem",
    "PayItemKind",
    "PayrollEngineError",
    "Payslip",
    "PayslipInput",
    "PayslipLine",
    "PayslipYearToDate",
    "PensionBasis",
    "PensionMethod",
    "PensionResult",
    "PensionScheme",
    "PostTaxDeduction",
    "PreTaxDeduction",
    "PreTaxDeductionKind",
    "RuleDataError",
    "StudentLoanPlan",
    "StudentLoanResult",
    "TaxBandCharge",
    "TaxCode",
    "TaxCodeKind",
    "TaxRegime",
    "TaxYearRules",
    "UnknownNICategory",
    "UnknownTaxYear",
    "available_tax_years",
    "calculate_income_tax",
    "calculate_ni",
    "calculate_payslip",
    "calculate_pension",
    "calculate_student_loans",
    "director_thresholds",
    "free_pay_per_unit",
    "loan_thresholds",
    "parse_tax_code",
    "period_thresholds",
    "tax_year_rules",
]
