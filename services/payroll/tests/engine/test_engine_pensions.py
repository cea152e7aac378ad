"""Workplace pension contributions on each basis and by each method of relief."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sop_payroll.engine import (
    InvalidInput,
    PensionBasis,
    PensionMethod,
    PensionScheme,
    calculate_pension,
)

D = Decimal
NEST = PensionScheme(
    "Nest", PensionMethod.RELIEF_AT_SOURCE, PensionBasis.QUALIFYING_EARNINGS, D("0.05"), D("0.03")
)
ALPHA = PensionScheme(
    "alpha", PensionMethod.NET_PAY, PensionBasis.PENSIONABLE_PAY, D("0.0545"), D("0.2897")
)


def pension(pay: str, scheme: PensionScheme = NEST, frequency: str = "monthly"):
    return calculate_pension(
        tax_year="2025-26", frequency=frequency, pensionable_pay=D(pay), scheme=scheme
    )


def test_relief_at_source_on_qualifying_earnings() -> None:
    result = pension("3000.00")
    assert result.pensionable_earnings == D("2480.00")  # 3,000 - 520
    assert result.employee_contribution == D("124.00")
    assert result.employee_deduction == D("99.20")
    assert result.relief_at_source == D("24.80")
    assert result.employer_contribution == D("74.40")


@pytest.mark.parametrize(
    ("pay", "base"), [("5000.00", "3669.00"), ("500.00", "0.00"), ("520.00", "0.00")]
)
def test_qualifying_earnings_band_limits(pay: str, base: str) -> None:
    assert pension(pay).pensionable_earnings == D(base)


def test_weekly_qualifying_earnings_band() -> None:
    assert pension("1000.00", frequency="weekly").pensionable_earnings == D("847.00")


def test_net_pay_arrangement_on_pensionable_pay() -> None:
    result = pension("3000.00", ALPHA)
    assert result.pensionable_earnings == D("3000.00")
    assert result.employee_contribution == result.employee_deduction == D("163.50")
    assert result.employer_contribution == D("869.10")
    assert "before tax" in str(result.explanation)


def test_salary_sacrifice_is_paid_in_by_the_employer() -> None:
    scheme = PensionScheme(
        "Sacrifice",
        PensionMethod.SALARY_SACRIFICE,
        PensionBasis.PENSIONABLE_PAY,
        D("0.05"),
        D("0.03"),
    )
    result = pension("3000.00", scheme)
    assert result.employee_deduction == D("150.00")
    assert result.employee_contribution == D("0.00")
    assert result.employer_contribution == D("240.00")


def test_method_and_basis_may_be_given_as_text() -> None:
    scheme = PensionScheme("Nest", "relief_at_source", "qualifying_earnings", D("0.05"), D("0.03"))
    assert pension("3000.00", scheme) == pension("3000.00")


@pytest.mark.parametrize(
    ("scheme", "field"),
    [
        (
            PensionScheme("x", "guess", PensionBasis.PENSIONABLE_PAY, D("0.05"), D(0)),
            "pension.method",
        ),
        (PensionScheme("x", PensionMethod.NET_PAY, "guess", D("0.05"), D(0)), "pension.basis"),
        (
            PensionScheme("x", PensionMethod.NET_PAY, PensionBasis.PENSIONABLE_PAY, D("1.5"), D(0)),
            "pension.employee_rate",
        ),
        (
            PensionScheme("x", PensionMethod.NET_PAY, PensionBasis.PENSIONABLE_PAY, D(0), 0.03),
            "pension.employer_rate",
        ),
    ],
)
def test_bad_schemes_name_the_field(scheme: PensionScheme, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        pension("3000.00", scheme)
    assert raised.value.field == field
