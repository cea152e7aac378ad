"""The gross-to-net payslip: every line, year to date, pension and loan handling, errors."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from sop_payroll.engine import (
    DirectorNI,
    InvalidAmount,
    InvalidFrequency,
    InvalidInput,
    InvalidPeriod,
    LineSection,
    MalformedTaxCode,
    NIYearToDate,
    PayFrequency,
    PayItem,
    PayItemKind,
    PayrollEngineError,
    PayslipInput,
    PayslipYearToDate,
    PensionBasis,
    PensionMethod,
    PensionScheme,
    PostTaxDeduction,
    PreTaxDeduction,
    PreTaxDeductionKind,
    StudentLoanPlan,
    UnknownNICategory,
    UnknownTaxYear,
    calculate_payslip,
)

D = Decimal
NEST = PensionScheme(
    "Nest", PensionMethod.RELIEF_AT_SOURCE, PensionBasis.QUALIFYING_EARNINGS, D("0.05"), D("0.03")
)
ALPHA = PensionScheme(
    "alpha", PensionMethod.NET_PAY, PensionBasis.PENSIONABLE_PAY, D("0.0545"), D("0.2897")
)

MONTHLY = PayslipInput(
    tax_year="2025-26",
    frequency=PayFrequency.MONTHLY,
    period=3,
    tax_code="1257L",
    ni_category="A",
    pay_items=(
        PayItem(PayItemKind.BASIC, D("3000.00")),
        PayItem(PayItemKind.OVERTIME, D("250.50")),
        PayItem(PayItemKind.BONUS, D("500.00"), pensionable=False),
    ),
    pension=NEST,
    student_loan_plans=(StudentLoanPlan.PLAN_2,),
    postgraduate_loan=True,
    post_tax_deductions=(PostTaxDeduction(D("10.00"), "Union subscription"),),
    year_to_date=PayslipYearToDate(
        gross_pay=D("6000.00"), taxable_pay=D("6000.00"), tax_paid=D("400.00")
    ),
)


def test_a_full_monthly_payslip() -> None:
    slip = calculate_payslip(MONTHLY)
    assert slip.gross_pay == D("3750.50")
    assert slip.income_tax.tax_due == D("921.00")
    assert slip.national_insurance.employee_contribution == D("216.20")
    assert slip.student_loans.student_loan == D("124.00")
    assert slip.student_loans.postgraduate_loan == D("120.00")
    assert slip.pension is not None
    assert slip.pension.employee_deduction == D("109.22")
    assert slip.total_deductions == D("1500.42")
    assert slip.net_pay == D("2250.08")
    assert slip.employer_ni == D("500.02")
    assert slip.employer_pension == D("81.92")
    assert slip.employer_cost == D("4332.44")


def test_lines_in_payslip_order_each_explained() -> None:
    lines = calculate_payslip(MONTHLY).lines
    assert [(line.section, line.code, line.amount) for line in lines] == [
        (LineSection.PAYMENT, "basic", D("3000.00")),
        (LineSection.PAYMENT, "overtime", D("250.50")),
        (LineSection.PAYMENT, "bonus", D("500.00")),
        (LineSection.STATUTORY_DEDUCTION, "income_tax", D("921.00")),
        (LineSection.STATUTORY_DEDUCTION, "employee_ni", D("216.20")),
        (LineSection.STATUTORY_DEDUCTION, "student_loan", D("124.00")),
        (LineSection.STATUTORY_DEDUCTION, "postgraduate_loan", D("120.00")),
        (LineSection.POST_TAX_DEDUCTION, "pension_relief_at_source", D("109.22")),
        (LineSection.POST_TAX_DEDUCTION, "post_tax_deduction", D("10.00")),
        (LineSection.EMPLOYER, "employer_ni", D("500.02")),
        (LineSection.EMPLOYER, "employer_pension", D("81.92")),
    ]
    assert all(len(line.explanation) >= 1 for line in lines)
    tax_line = lines[3]
    assert tax_line.description == "Income tax (1257L)"
    assert "Free pay for code 1257L month 3: 3,144.78" in tax_line.explanation
    assert lines[2].explanation[0] == "Bonus for month 3: taxable, NI-able, not pensionable"
    assert "Plan 2: 9% above 2,372.50" in str(lines[5].explanation)


def test_net_pay_is_gross_less_every_deduction_line() -> None:
    slip = calculate_payslip(MONTHLY)
    payments = sum(line.amount for line in slip.lines if line.section is LineSection.PAYMENT)
    deductions = sum(
        line.amount
        for line in slip.lines
        if line.section not in (LineSection.PAYMENT, LineSection.EMPLOYER)
    )
    assert payments == slip.gross_pay
    assert deductions == slip.total_deductions
    assert slip.net_pay == slip.gross_pay - deductions


def test_net_pay_pension_reduces_tax_but_not_nics() -> None:
    plain = calculate_payslip(replace(MONTHLY, pension=None))
    alpha = calculate_payslip(replace(MONTHLY, pension=ALPHA))
    assert alpha.pension is not None
    contribution = alpha.pension.employee_deduction
    assert contribution == D("177.15")  # 5.45% of the 3,250.50 pensionable pay
    assert alpha.taxable_pay == plain.taxable_pay - contribution
    assert alpha.ni_able_pay == plain.ni_able_pay
    assert alpha.national_insurance.employee_contribution == (
        plain.national_insurance.employee_contribution
    )
    assert alpha.income_tax.tax_due < plain.income_tax.tax_due
    assert alpha.lines[3].code == "pension_net_pay"
    assert alpha.lines[3].section is LineSection.PRE_TAX_DEDUCTION


def test_salary_sacrifice_reduces_tax_nics_and_loans() -> None:
    sacrifice = replace(
        MONTHLY,
        pension=None,
        pre_tax_deductions=(
            PreTaxDeduction(PreTaxDeductionKind.SALARY_SACRIFICE, D("300.00"), "Cycle to work"),
        ),
    )
    plain = calculate_payslip(replace(MONTHLY, pension=None))
    slip = calculate_payslip(sacrifice)
    assert slip.taxable_pay == plain.taxable_pay - 300
    assert slip.ni_able_pay == plain.ni_able_pay - 300
    assert slip.national_insurance.employee_contribution == (
        plain.national_insurance.employee_contribution - D("24.00")
    )
    assert slip.student_loans.student_loan == D("97.00")
    assert slip.lines[3].description == "Cycle to work"


def test_pension_salary_sacrifice_counts_once_in_employer_cost() -> None:
    scheme = PensionScheme(
        "Sacrifice",
        PensionMethod.SALARY_SACRIFICE,
        PensionBasis.PENSIONABLE_PAY,
        D("0.05"),
        D("0.03"),
    )
    slip = calculate_payslip(replace(MONTHLY, pension=scheme))
    assert slip.pension is not None
    sacrificed = slip.pension.employee_deduction
    assert sacrificed == D("162.53")
    assert slip.ni_able_pay == slip.gross_pay - sacrificed
    assert slip.employer_pension == D("260.05")  # 3% of 3,250.50 plus what was sacrificed
    assert slip.employer_cost == slip.gross_pay - sacrificed + slip.employer_ni + D("260.05")


def test_net_pay_pension_deduction_given_directly() -> None:
    slip = calculate_payslip(
        replace(
            MONTHLY,
            pension=None,
            pre_tax_deductions=(PreTaxDeduction(PreTaxDeductionKind.NET_PAY_PENSION, D("100.00")),),
        )
    )
    assert slip.ni_able_pay == slip.gross_pay
    assert slip.taxable_pay == slip.gross_pay - 100


def test_non_taxable_and_non_ni_able_items() -> None:
    slip = calculate_payslip(
        replace(
            MONTHLY,
            pay_items=(
                PayItem(PayItemKind.BASIC, D("3000.00")),
                PayItem(
                    PayItemKind.ALLOWANCE,
                    D("45.00"),
                    "Expenses",
                    taxable=False,
                    ni_able=False,
                    pensionable=False,
                ),
            ),
        )
    )
    assert slip.gross_pay == D("3045.00")
    assert slip.taxable_pay == slip.ni_able_pay == D("3000.00")
    assert slip.lines[1].description == "Expenses"


def test_a_year_of_payslips_carries_year_to_date() -> None:
    to_date = PayslipYearToDate()
    slip = None
    for month in range(1, 13):
        slip = calculate_payslip(
            PayslipInput(
                tax_year="2025-26",
                frequency=PayFrequency.MONTHLY,
                period=month,
                tax_code="1257L",
                ni_category="A",
                pay_items=(PayItem(PayItemKind.BASIC, D("3000.00")),),
                student_loan_plans=(StudentLoanPlan.PLAN_1,),
                year_to_date=to_date,
            )
        )
        to_date = slip.year_to_date
    assert slip is not None
    assert to_date.gross_pay == D("36000.00")
    assert to_date.taxable_pay == D("36000.00")
    # The year's allowance is 12 x 1,048.26 = 12,579.12; 23,420 taxable at 20%.
    assert to_date.tax_paid == D("4684.00")
    assert to_date.ni.employee_contribution == D("1873.92")  # 12 x (3,000 - 1,048) x 8%
    assert to_date.ni.employer_contribution == D("4649.40")  # 12 x (3,000 - 417) x 15%
    assert to_date.student_loan == D("888.00")  # 12 x 9% of 827.92 -> 74
    assert to_date.net_pay == D("36000.00") - D("4684.00") - D("1873.92") - D("888.00")


def test_a_refund_is_a_negative_tax_line() -> None:
    slip = calculate_payslip(
        replace(
            MONTHLY,
            pension=None,
            pay_items=(PayItem(PayItemKind.BASIC, D("100.00")),),
            year_to_date=PayslipYearToDate(taxable_pay=D("6000.00"), tax_paid=D("1000.00")),
        )
    )
    assert slip.income_tax.tax_due < 0
    tax_line = next(line for line in slip.lines if line.code == "income_tax")
    assert tax_line.description == "Income tax refund"
    assert slip.net_pay > slip.gross_pay - slip.national_insurance.employee_contribution - 10


def test_director_on_the_annual_method() -> None:
    slip = calculate_payslip(
        replace(
            MONTHLY,
            pension=None,
            student_loan_plans=(),
            postgraduate_loan=False,
            period=1,
            year_to_date=PayslipYearToDate(),
            director=DirectorNI(),
        )
    )
    assert slip.national_insurance.method == "director_annual"
    assert slip.national_insurance.employee_contribution == 0  # 3,750.50 is below the annual PT


def test_the_same_input_gives_the_same_payslip() -> None:
    first, second = calculate_payslip(MONTHLY), calculate_payslip(MONTHLY)
    assert first == second
    assert hash(first) == hash(second)
    assert list(first.lines) == list(second.lines)


def test_unpaid_leave_is_a_negative_payment() -> None:
    slip = calculate_payslip(
        replace(
            MONTHLY,
            pay_items=(
                PayItem(PayItemKind.BASIC, D("3000.00")),
                PayItem(PayItemKind.OTHER, D("-500.00"), "Unpaid leave"),
            ),
        )
    )
    assert slip.gross_pay == slip.taxable_pay == D("2500.00")


def test_pay_items_with_no_payments() -> None:
    slip = calculate_payslip(replace(MONTHLY, pay_items=(), pension=None))
    assert slip.gross_pay == 0
    assert slip.net_pay == -slip.total_deductions


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"tax_year": "2019-20"}, UnknownTaxYear, "tax_year"),
        ({"frequency": "hourly"}, InvalidFrequency, "frequency"),
        ({"period": 13}, InvalidPeriod, "period"),
        ({"period": True}, InvalidPeriod, "period"),
        ({"period": 1.0}, InvalidPeriod, "period"),
        ({"tax_year": 2025}, UnknownTaxYear, "tax_year"),
        ({"frequency": ["monthly"]}, InvalidFrequency, "frequency"),
        ({"tax_code": "1257Q"}, MalformedTaxCode, "tax_code"),
        ({"tax_code": "D3"}, MalformedTaxCode, "tax_code"),
        ({"ni_category": "Q"}, UnknownNICategory, "ni_category"),
        (
            {"pay_items": (PayItem(PayItemKind.BASIC, 3000.0),)},
            InvalidAmount,
            "pay_items[0].amount",
        ),
        ({"pay_items": (PayItem("salary", D("1.00")),)}, InvalidInput, "pay_items[0].kind"),
        ({"pay_items": (PayItem(PayItemKind.BASIC, D("-1.00")),)}, InvalidInput, "pay_items"),
        (
            {"pre_tax_deductions": (PreTaxDeduction("gift", D("1.00")),)},
            InvalidInput,
            "pre_tax_deductions[0].kind",
        ),
        (
            {
                "pre_tax_deductions": (
                    PreTaxDeduction(PreTaxDeductionKind.SALARY_SACRIFICE, D("9000.00")),
                )
            },
            InvalidInput,
            "pre_tax_deductions",
        ),
        (
            {"post_tax_deductions": (PostTaxDeduction(D("-5.00"), "Refund"),)},
            InvalidAmount,
            "post_tax_deductions[0].amount",
        ),
        ({"student_loan_plans": ("plan_9",)}, InvalidInput, "student_loan_plans"),
        ({"director": DirectorNI(method="guess")}, InvalidInput, "director.method"),
        ({"director": DirectorNI(appointed_in_week=0)}, InvalidInput, "director.appointed_in_week"),
        (
            {"year_to_date": PayslipYearToDate(tax_paid=D("0.001"))},
            InvalidAmount,
            "year_to_date.tax_paid",
        ),
        (
            {"year_to_date": PayslipYearToDate(taxable_pay=D("-1.00"))},
            InvalidAmount,
            "year_to_date.taxable_pay",
        ),
        ({"year_to_date": {}}, InvalidInput, "year_to_date"),
        (
            {"year_to_date": PayslipYearToDate(gross_pay=1000.0)},
            InvalidAmount,
            "year_to_date.gross_pay",
        ),
        (
            {"year_to_date": PayslipYearToDate(ni=NIYearToDate(employer_contribution=D("1.234")))},
            InvalidAmount,
            "year_to_date.ni.employer_contribution",
        ),
        ({"year_to_date": PayslipYearToDate(ni={})}, InvalidInput, "year_to_date.ni"),
    ],
)
def test_bad_input_names_the_payslip_field(change: dict, error: type, field: str) -> None:
    with pytest.raises(error) as raised:
        calculate_payslip(replace(MONTHLY, **change))
    assert isinstance(raised.value, PayrollEngineError)
    assert raised.value.field == field
