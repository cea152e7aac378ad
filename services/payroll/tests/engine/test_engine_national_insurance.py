"""Class 1 NICs beyond HMRC's test data: other years, category X, directors, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sop_payroll.engine import (
    InvalidAmount,
    InvalidInput,
    NIYearToDate,
    UnknownNICategory,
    calculate_ni,
)

D = Decimal


def ni(**kwargs):
    arguments = {"tax_year": "2025-26", "frequency": "monthly", "period": 1, "category": "A"}
    arguments.update(kwargs)
    return calculate_ni(**arguments)


@pytest.mark.parametrize(
    ("year", "employer"),
    # Employer: (3,000 - ST 758) x 13.8% = 309.396 -> 309.40; (3,000 - 417) x 15% = 387.45.
    [("2024-25", D("309.40")), ("2025-26", D("387.45")), ("2026-27", D("387.45"))],
)
def test_category_a_across_the_years(year: str, employer: Decimal) -> None:
    result = ni(tax_year=year, gross_pay=D("3000.00"))
    assert result.employee_contribution == D("156.16")  # (3,000 - 1,048) x 8%
    assert result.employer_contribution == employer


def test_2026_27_lower_earnings_limit() -> None:
    result = ni(tax_year="2026-27", gross_pay=D("558.99"))
    assert result.earnings_at_lel == D("0.00")
    result = ni(tax_year="2026-27", gross_pay=D("559.00"))
    assert result.earnings_at_lel == D("559.00")


def test_rounding_looks_at_the_third_decimal_only() -> None:
    # Weekly PT 242: 0.07 x 8% = 0.0056 -> 0.00; 0.08 x 8% = 0.0064 -> 0.01.
    assert ni(frequency="weekly", gross_pay=D("242.07")).employee_contribution == D("0.00")
    assert ni(frequency="weekly", gross_pay=D("242.08")).employee_contribution == D("0.01")


def test_each_band_is_rounded_on_its_own() -> None:
    result = ni(gross_pay=D("4189.05"))
    employee = [c for c in result.bands if c.band.payer == "employee"]
    assert [(c.earnings, c.contribution) for c in employee] == [
        (D("3141.00"), D("251.28")),
        (D("0.05"), D("0.00")),
    ]
    assert "Employee 2% on 0.05 (above UEL 4,189.00): 0.00" in result.explanation


def test_category_x_is_not_liable() -> None:
    result = ni(category="X", gross_pay=D("5000.00"))
    assert (result.employee_contribution, result.employer_contribution) == (D(0), D(0))
    assert result.earnings_pt_to_uel == 0
    assert result.year_to_date.gross_pay == D("5000.00")
    assert "no NICs are due" in str(result.explanation)


def test_categories_are_case_insensitive() -> None:
    assert ni(category=" m ", gross_pay=D("5000.00")).category == "M"


def test_year_to_date_accumulates() -> None:
    first = ni(gross_pay=D("3000.00"))
    second = ni(period=2, gross_pay=D("3000.00"), year_to_date=first.year_to_date)
    assert second.year_to_date.employee_contribution == D("312.32")
    assert second.year_to_date.earnings_pt_to_uel == D("3904.00")
    assert second.year_to_date.gross_pay == D("6000.00")


def test_director_annual_method_is_cumulative_on_annual_thresholds() -> None:
    to_date = NIYearToDate()
    for week in range(1, 14):
        result = ni(
            frequency="weekly",
            period=week,
            gross_pay=D("1000.00"),
            director=True,
            year_to_date=to_date,
        )
        to_date = result.year_to_date
    # 13,000 to date: employee (13,000 - 12,570) x 8% = 34.40; employer (13,000 - 5,000) x 15%.
    assert to_date.employee_contribution == D("34.40")
    assert to_date.employer_contribution == D("1200.00")
    assert result.method == "director_annual"
    assert "annual earnings period" in str(result.explanation)


def test_director_appointed_mid_year_gets_pro_rata_thresholds() -> None:
    result = ni(
        frequency="weekly",
        period=52,
        gross_pay=D("48000.00"),
        category="M",
        director=True,
        appointed_in_week=5,
    )
    assert result.employee_contribution == D("2815.92")
    assert result.employer_contribution == D("239.40")
    assert "pro rata 48/52" in str(result.explanation)


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"category": "Q"}, UnknownNICategory, "category"),
        ({"category": ""}, UnknownNICategory, "category"),
        ({"category": 1}, UnknownNICategory, "category"),
        ({"director": True, "director_method": "guess"}, InvalidInput, "director_method"),
        ({"director": True, "appointed_in_week": 60}, InvalidInput, "appointed_in_week"),
        ({"year_to_date": {"gross_pay": 1}}, InvalidInput, "year_to_date"),
        (
            {"year_to_date": NIYearToDate(gross_pay=D("-1.00"))},
            InvalidAmount,
            "year_to_date.gross_pay",
        ),
        ({"gross_pay": D("12.345")}, InvalidAmount, "gross_pay"),
    ],
)
def test_bad_input_names_its_field(kwargs: dict, error: type, field: str) -> None:
    with pytest.raises(error) as raised:
        ni(**{"gross_pay": D("1000.00"), **kwargs})
    assert raised.value.field == field
