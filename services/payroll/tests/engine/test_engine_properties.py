"""Properties that hold for any pay: net is gross less deductions, refunds, limits, monotony."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sop_payroll.engine import (
    LineSection,
    PayFrequency,
    PayItem,
    PayItemKind,
    PayslipInput,
    PayslipYearToDate,
    PensionBasis,
    PensionMethod,
    PensionScheme,
    PostTaxDeduction,
    PreTaxDeduction,
    PreTaxDeductionKind,
    StudentLoanPlan,
    calculate_income_tax,
    calculate_ni,
    calculate_payslip,
    parse_tax_code,
)

PENNY = Decimal("0.01")
LAST_PERIOD = {"weekly": 53, "fortnightly": 27, "four_weekly": 14, "monthly": 12}

years = st.sampled_from(["2024-25", "2025-26", "2026-27"])
frequencies = st.sampled_from(list(LAST_PERIOD))
amounts = st.decimals(min_value=0, max_value=250_000, places=2, allow_nan=False)
small_amounts = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False)
rates = st.decimals(min_value=0, max_value=Decimal("0.3"), places=4, allow_nan=False)
code_bodies = st.one_of(
    st.integers(min_value=1, max_value=2500).map(lambda n: f"{n}L"),
    st.integers(min_value=1, max_value=1500).map(lambda n: f"K{n}"),
    st.sampled_from(["0T", "BR", "D0", "D1", "NT", "1257M", "1131N", "500T"]),
)
tax_codes = st.builds(
    lambda prefix, body, marker: f"{prefix}{body}{marker}",
    st.sampled_from(["", "S", "C"]),
    code_bodies,
    st.sampled_from(["", "", "", " W1", " M1", " X"]),
)
categories = st.sampled_from(list("ABCDEFHIJKLMNSVXZ"))


@st.composite
def periods(draw: st.DrawFn) -> tuple[str, int]:
    frequency = draw(frequencies)
    return frequency, draw(st.integers(min_value=1, max_value=LAST_PERIOD[frequency]))


@st.composite
def payslip_inputs(draw: st.DrawFn) -> PayslipInput:
    frequency, period = draw(periods())
    items = tuple(
        PayItem(
            draw(st.sampled_from(list(PayItemKind))),
            draw(amounts),
            taxable=draw(st.booleans()),
            ni_able=draw(st.booleans()),
            pensionable=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(min_value=1, max_value=4)))
    )
    pension = draw(
        st.none()
        | st.builds(
            PensionScheme,
            st.just("Scheme"),
            st.sampled_from(list(PensionMethod)),
            st.sampled_from(list(PensionBasis)),
            rates,
            rates,
        )
    )
    return PayslipInput(
        tax_year=draw(years),
        frequency=PayFrequency(frequency),
        period=period,
        tax_code=draw(tax_codes),
        ni_category=draw(categories),
        pay_items=items,
        pre_tax_deductions=tuple(
            PreTaxDeduction(draw(st.sampled_from(list(PreTaxDeductionKind))), draw(small_amounts))
            for _ in range(draw(st.integers(min_value=0, max_value=2)))
        ),
        post_tax_deductions=tuple(
            PostTaxDeduction(draw(small_amounts), "Deduction")
            for _ in range(draw(st.integers(min_value=0, max_value=2)))
        ),
        pension=pension,
        student_loan_plans=tuple(draw(st.sets(st.sampled_from(list(StudentLoanPlan))))),
        postgraduate_loan=draw(st.booleans()),
        year_to_date=PayslipYearToDate(
            taxable_pay=draw(amounts),
            tax_paid=draw(amounts.map(lambda a: a / 4).map(lambda a: a.quantize(PENNY))),
        ),
    )


def _affordable(payslip: PayslipInput) -> bool:
    """Pre-tax deductions cannot exceed the pay they come out of."""
    taxable = sum((i.amount for i in payslip.pay_items if i.taxable), Decimal(0))
    ni_able = sum((i.amount for i in payslip.pay_items if i.ni_able), Decimal(0))
    pensionable = sum((i.amount for i in payslip.pay_items if i.pensionable), Decimal(0))
    pre_tax = sum((d.amount for d in payslip.pre_tax_deductions), Decimal(0))
    sacrifice = sum(
        (
            d.amount
            for d in payslip.pre_tax_deductions
            if d.kind is PreTaxDeductionKind.SALARY_SACRIFICE
        ),
        Decimal(0),
    )
    pension = payslip.pension
    pension_cut = (
        pensionable * pension.employee_rate + 1
        if pension is not None and pension.method is not PensionMethod.RELIEF_AT_SOURCE
        else Decimal(0)
    )
    return taxable >= pre_tax + pension_cut and ni_able >= sacrifice + pension_cut


@settings(max_examples=300, deadline=None)
@given(payslip_inputs())
def test_net_pay_is_gross_less_deductions(payslip: PayslipInput) -> None:
    assume(_affordable(payslip))
    slip = calculate_payslip(payslip)
    lines = list(slip.lines)
    payments = sum(
        (line.amount for line in lines if line.section is LineSection.PAYMENT), Decimal(0)
    )
    deductions = sum(
        (
            line.amount
            for line in lines
            if line.section not in (LineSection.PAYMENT, LineSection.EMPLOYER)
        ),
        Decimal(0),
    )
    assert payments == slip.gross_pay
    assert deductions == slip.total_deductions
    assert slip.net_pay == slip.gross_pay - slip.total_deductions
    assert slip.year_to_date.net_pay == payslip.year_to_date.net_pay + slip.net_pay
    for amount in (slip.net_pay, slip.total_deductions, slip.employer_cost):
        assert amount == amount.quantize(PENNY)
    for line in lines:
        assert str(line.explanation)  # every line explains itself


@settings(max_examples=300, deadline=None)
@given(years, periods(), tax_codes, amounts, amounts, amounts, st.booleans())
def test_refunds_arise_only_on_cumulative_codes(
    year: str,
    frequency_period: tuple[str, int],
    code: str,
    pay: Decimal,
    pay_to_date: Decimal,
    tax_paid: Decimal,
    week1_month1: bool,
) -> None:
    frequency, period = frequency_period
    assume(code.removeprefix("S").removeprefix("C") not in ("D2", "D3"))
    result = calculate_income_tax(
        tax_year=year,
        frequency=frequency,
        period=period,
        tax_code=code,
        taxable_pay=pay,
        previous_taxable_pay_to_date=pay_to_date,
        previous_tax_paid_to_date=tax_paid,
        week1_month1=week1_month1,
    )
    if result.tax_due < 0:
        assert result.cumulative
        assert not week1_month1 and not parse_tax_code(code).non_cumulative
    if not result.cumulative:
        assert result.tax_due >= 0


@settings(max_examples=300, deadline=None)
@given(years, periods(), tax_codes, amounts, amounts, amounts, st.booleans())
def test_the_regulatory_limit_is_never_exceeded(
    year: str,
    frequency_period: tuple[str, int],
    code: str,
    pay: Decimal,
    pay_to_date: Decimal,
    tax_paid: Decimal,
    week1_month1: bool,
) -> None:
    frequency, period = frequency_period
    paid = (tax_paid / 10).quantize(PENNY)
    result = calculate_income_tax(
        tax_year=year,
        frequency=frequency,
        period=period,
        tax_code=code.replace("D2", "D1").replace("D3", "D1"),
        taxable_pay=pay,
        previous_taxable_pay_to_date=pay_to_date,
        previous_tax_paid_to_date=paid,
        week1_month1=week1_month1,
    )
    assert result.tax_due <= pay / 2
    # What the limit holds back is exactly what the calculation found due beyond it.
    computed = result.tax_on_taxable_income - (paid if result.cumulative else 0)
    assert result.tax_due + result.tax_held_back == computed
    assert result.tax_held_back >= 0


@settings(max_examples=300, deadline=None)
@given(years, periods(), tax_codes, amounts, amounts, amounts, amounts, st.booleans())
def test_tax_never_falls_as_pay_rises(
    year: str,
    frequency_period: tuple[str, int],
    code: str,
    pay: Decimal,
    more: Decimal,
    pay_to_date: Decimal,
    tax_paid: Decimal,
    week1_month1: bool,
) -> None:
    frequency, period = frequency_period
    code = code.replace("D2", "D1").replace("D3", "D1")

    def due(amount: Decimal) -> Decimal:
        return calculate_income_tax(
            tax_year=year,
            frequency=frequency,
            period=period,
            tax_code=code,
            taxable_pay=amount,
            previous_taxable_pay_to_date=pay_to_date,
            previous_tax_paid_to_date=tax_paid,
            week1_month1=week1_month1,
        ).tax_due

    assert due(pay) <= due(pay + more)


@settings(max_examples=300, deadline=None)
@given(years, periods(), categories, amounts, amounts)
def test_nics_never_fall_as_pay_rises_and_are_never_negative(
    year: str, frequency_period: tuple[str, int], category: str, pay: Decimal, more: Decimal
) -> None:
    frequency, period = frequency_period

    def nics(amount: Decimal) -> tuple[Decimal, Decimal]:
        result = calculate_ni(
            tax_year=year,
            frequency=frequency,
            period=period,
            category=category,
            gross_pay=amount,
        )
        return result.employee_contribution, result.employer_contribution

    low, high = nics(pay), nics(pay + more)
    assert Decimal(0) <= low[0] <= high[0]
    assert Decimal(0) <= low[1] <= high[1]


@settings(max_examples=200, deadline=None)
@given(tax_codes)
def test_tax_codes_round_trip(text: str) -> None:
    code = parse_tax_code(text)
    assert parse_tax_code(code.code) == code
    assert parse_tax_code(code.code.lower()) == code
