"""The requests the OpenAPI document and docs/payroll.md show; the responses shown are what the
engine answers to them, so the document cannot drift from the calculation."""

from __future__ import annotations

from typing import Any

INCOME_TAX: dict[str, Any] = {
    "tax_year": "2026-27",
    "pay_frequency": "monthly",
    "period": 3,
    "tax_code": "S1257L",
    "week1_month1": False,
    "taxable_pay": "1234.56",
    "previous_taxable_pay_to_date": "2469.12",
    "previous_tax_paid_to_date": "301.40",
}

INCOME_TAX_K_CODE: dict[str, Any] = {
    "tax_year": "2025-26",
    "pay_frequency": "weekly",
    "period": 1,
    "tax_code": "K475 W1",
    "taxable_pay": "500.00",
}

NATIONAL_INSURANCE: dict[str, Any] = {
    "tax_year": "2025-26",
    "pay_frequency": "weekly",
    "period": 1,
    "ni_category": "A",
    "gross_pay": "967.01",
}

NATIONAL_INSURANCE_DIRECTOR: dict[str, Any] = {
    "tax_year": "2025-26",
    "pay_frequency": "monthly",
    "period": 12,
    "ni_category": "A",
    "gross_pay": "6000.00",
    "director": True,
    "director_method": "annual",
    "year_to_date": {
        "gross_pay": "44000.00",
        "earnings_at_lel": "6500.00",
        "earnings_lel_to_pt": "6070.00",
        "earnings_pt_to_uel": "31430.00",
        "employee_contribution": "2514.40",
        "employer_contribution": "5850.00",
    },
}

# Month 3 of a civil servant in alpha (net pay arrangement) repaying a plan 2 loan; the
# figures to date are the engine's own after months 1 and 2 of the same pay.
PAYSLIP: dict[str, Any] = {
    "tax_year": "2025-26",
    "pay_frequency": "monthly",
    "period": 3,
    "tax_code": "1257L",
    "ni_category": "A",
    "pay_items": [
        {"kind": "basic", "amount": "2950.00", "description": "Basic pay"},
        {"kind": "overtime", "amount": "180.00", "pensionable": False},
    ],
    "post_tax_deductions": [{"amount": "12.50", "description": "Trade union subscription"}],
    "pension": {
        "name": "alpha",
        "method": "net_pay",
        "basis": "pensionable_pay",
        "employee_rate": "0.0545",
        "employer_rate": "0.2897",
    },
    "student_loan_plans": ["plan_2"],
    "year_to_date": {
        "gross_pay": "6260.00",
        "taxable_pay": "5938.44",
        "tax_paid": "768.20",
        "ni": {
            "gross_pay": "6260.00",
            "earnings_at_lel": "1084.00",
            "earnings_lel_to_pt": "1012.00",
            "earnings_pt_to_uel": "4164.00",
            "employee_contribution": "333.12",
            "employer_contribution": "813.90",
        },
        "student_loan": "136.00",
        "employee_pension": "321.56",
        "employer_pension": "1709.24",
        "net_pay": "4676.12",
    },
}
