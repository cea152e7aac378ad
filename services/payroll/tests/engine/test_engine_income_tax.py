"""PAYE rules beyond HMRC's test data: frequencies, extra weeks, the regulatory limit, years."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sop_payroll.engine import (
    InvalidAmount,
    InvalidFrequency,
    InvalidPeriod,
    TaxRegime,
    UnknownTaxYear,
    calculate_income_tax,
    free_pay_per_unit,
)

D = Decimal


def tax(**kwargs):
    arguments = {"tax_year": "2025-26", "frequency": "monthly", "period": 1, "tax_code": "1257L"}
    arguments.update(kwargs)
    return calculate_income_tax(**arguments)


@pytest.mark.parametrize(
    ("number", "unit", "expected"),
    [
        (1257, "month", D("1048.26")),
        (1257, "week", D("241.92")),
        (45, "month", D("38.25")),
        (145, "week", D("28.06")),
        (500, "month", D("417.42")),
        (1000, "month", D("834.09")),
        (1001, "month", D("834.93")),
        (0, "month", D("0.00")),
    ],
)
def test_free_pay_follows_hmrc_table_routine(number: int, unit: str, expected: Decimal) -> None:
    assert free_pay_per_unit("2025-26", number, unit) == expected


def test_free_pay_is_explained_for_the_period() -> None:
    result = tax(period=3, taxable_pay=D("3000.00"), previous_taxable_pay_to_date=D("6000.00"))
    assert result.free_pay == D("3144.78")
    assert "Free pay for code 1257L month 3: 3,144.78" in result.explanation
    assert result.explanation[-1] == f"Tax this period: {result.tax_due:,.2f}"


def test_fortnightly_uses_two_weeks_of_the_weekly_tables() -> None:
    result = tax(frequency="fortnightly", period=1, taxable_pay=D("1000.00"))
    assert (result.unit_number, result.free_pay) == (2, D("483.84"))
    # 1,000.00 - 483.84 = 516.16 -> 516 at 20% (basic band to date 37,700 x 2 / 52 = 1,450)
    assert result.tax_due == D("103.20")


def test_four_weekly_uses_four_weeks_of_the_weekly_tables() -> None:
    result = tax(
        frequency="four_weekly",
        period=2,
        taxable_pay=D("2000.00"),
        previous_taxable_pay_to_date=D("2000.00"),
        previous_tax_paid_to_date=D("206.40"),
    )
    # Week 8: free pay 241.92 x 8 = 1,935.36; 4,000.00 - 1,935.36 -> 2,064 at 20% = 412.80
    assert (result.unit_number, result.free_pay) == (8, D("1935.36"))
    assert result.tax_due_to_date == D("412.80")
    assert result.tax_due == D("206.40")


@pytest.mark.parametrize(
    ("frequency", "period", "weeks"),
    [("weekly", 53, 1), ("fortnightly", 27, 2), ("four_weekly", 14, 4)],
)
def test_weeks_53_54_and_56_are_non_cumulative(frequency: str, period: int, weeks: int) -> None:
    result = tax(
        frequency=frequency,
        period=period,
        taxable_pay=D("1000.00"),
        previous_taxable_pay_to_date=D("30000.00"),
        previous_tax_paid_to_date=D("4000.00"),
    )
    assert not result.cumulative
    assert result.unit_number == weeks
    assert result.free_pay == D("241.92") * weeks
    assert result.taxable_pay_to_date == D("31000.00")
    assert result.tax_due_to_date == D("4000.00") + result.tax_due
    assert "always non-cumulative" in result.explanation[0]


def test_week1_month1_flag_and_marker_agree() -> None:
    flagged = tax(
        period=6,
        taxable_pay=D("3000.00"),
        week1_month1=True,
        previous_taxable_pay_to_date=D("100.00"),
    )
    marked = tax(
        period=6,
        tax_code="1257L M1",
        taxable_pay=D("3000.00"),
        previous_taxable_pay_to_date=D("100.00"),
    )
    assert flagged.tax_due == marked.tax_due == D("390.20")
    assert not flagged.cumulative and not marked.cumulative


def test_cumulative_refund_and_non_cumulative_never_refunds() -> None:
    refund = tax(
        period=2,
        taxable_pay=D("0.00"),
        previous_taxable_pay_to_date=D("3000.00"),
        previous_tax_paid_to_date=D("390.20"),
    )
    # Month 2: 3,000.00 - 2,096.52 -> 903 at 20% = 180.60 due to date; 209.60 comes back.
    assert refund.tax_due == D("-209.60")
    assert "(a refund)" in str(refund.explanation)
    none = tax(
        period=2,
        tax_code="1257L W1",
        taxable_pay=D("0.00"),
        previous_taxable_pay_to_date=D("3000.00"),
        previous_tax_paid_to_date=D("390.20"),
    )
    assert none.tax_due == D("0.00")


def test_regulatory_limit_holds_back_k_code_tax_and_carries_it_forward() -> None:
    first = tax(tax_code="K500", taxable_pay=D("100.00"))
    # Additional pay 417.42: 517.42 -> 517 at 20% = 103.40, but at most 50% of 100.00.
    assert (first.tax_on_taxable_income, first.regulatory_limit) == (D("103.40"), D("50.00"))
    assert (first.tax_due, first.tax_held_back) == (D("50.00"), D("53.40"))
    assert "carried forward" in str(first.explanation)
    second = tax(
        tax_code="K500",
        period=2,
        taxable_pay=D("2000.00"),
        previous_taxable_pay_to_date=first.taxable_pay_to_date,
        previous_tax_paid_to_date=first.tax_due_to_date,
    )
    # 2,100.00 + 834.84 -> 2,934 at 20% = 586.80 to date: the 53.40 is collected now.
    assert second.tax_due_to_date == D("586.80")
    assert second.tax_due == D("536.80")


def test_regulatory_limit_on_a_non_cumulative_code_is_not_recovered() -> None:
    first = tax(tax_code="K500 M1", taxable_pay=D("100.00"))
    second = tax(
        tax_code="K500 M1",
        period=2,
        taxable_pay=D("100.00"),
        previous_taxable_pay_to_date=D("100.00"),
        previous_tax_paid_to_date=D("50.00"),
    )
    assert first.tax_due == second.tax_due == D("50.00")
    assert "not collected" in str(first.explanation)


def test_flat_rate_and_no_tax_codes() -> None:
    assert tax(tax_code="BR", taxable_pay=D("1000.99")).tax_due == D("200.00")
    assert tax(tax_code="D0", taxable_pay=D("1000.00")).tax_due == D("400.00")
    assert tax(tax_code="D1", taxable_pay=D("1000.00")).tax_due == D("450.00")
    assert tax(tax_code="SD0", taxable_pay=D("1000.00")).tax_due == D("210.00")
    assert tax(tax_code="SD2", taxable_pay=D("1000.00")).tax_due == D("450.00")
    assert tax(tax_code="SD3", taxable_pay=D("800.00")).tax_due == D("384.00")
    assert tax(tax_code="0T", taxable_pay=D("1000.00")).tax_due == D("200.00")
    no_tax = tax(
        tax_code="NT",
        period=4,
        taxable_pay=D("5000.00"),
        previous_taxable_pay_to_date=D("9000.00"),
        previous_tax_paid_to_date=D("900.00"),
    )
    assert no_tax.tax_due == D("-900.00")


def test_wales_taxes_as_the_rest_of_the_uk_in_these_years() -> None:
    for pay in (D("900.00"), D("4000.00"), D("15000.00")):
        rest, welsh = tax(taxable_pay=pay), tax(tax_code="C1257L", taxable_pay=pay)
        assert rest.tax_due == welsh.tax_due
        assert welsh.regime is TaxRegime.WALES


@pytest.mark.parametrize(
    ("year", "expected"),
    [("2024-25", D("188.27")), ("2025-26", D("187.84")), ("2026-27", D("186.89"))],
)
def test_scottish_starter_band_grows_each_year(year: str, expected: Decimal) -> None:
    # 2,000.00 - 1,048.26 -> 951: the starter band (2,306 / 2,827 / 3,967 a year) widens.
    result = tax(tax_year=year, tax_code="S1257L", taxable_pay=D("2000.00"), week1_month1=True)
    assert result.tax_due == expected
    assert [charge.band for charge in result.bands] == ["starter", "basic"]


def test_additional_rate_tax_with_bands_explained() -> None:
    result = tax(taxable_pay=D("20000.00"))
    assert [c.band for c in result.bands] == ["basic", "higher", "additional"]
    # 18,951 taxable: 3,141.67 at 20%, 7,286.67 at 40%, 8,522.67 at 45%
    assert result.tax_due == D("7378.20")
    assert "Additional rate 45% on 8,522.67 = 3,835.20" in result.explanation


def test_income_exactly_at_a_band_limit() -> None:
    result = tax(
        tax_code="0T",
        taxable_pay=D("3141.67"),
        frequency="weekly",
        period=52,
        previous_taxable_pay_to_date=D("34558.33"),
        previous_tax_paid_to_date=D("6911.60"),
    )
    # Pay to date 37,700.00 with no allowance: exactly the basic-rate band.
    assert result.tax_due_to_date == D("7540.00")
    assert [c.band for c in result.bands] == ["basic"]


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"tax_year": "2023-24"}, UnknownTaxYear, "tax_year"),
        ({"frequency": "daily"}, InvalidFrequency, "frequency"),
        ({"period": 13}, InvalidPeriod, "period"),
        ({"period": 0}, InvalidPeriod, "period"),
        ({"frequency": "weekly", "period": 54}, InvalidPeriod, "period"),
        ({"frequency": "fortnightly", "period": 28}, InvalidPeriod, "period"),
        ({"period": True}, InvalidPeriod, "period"),
        ({"taxable_pay": 1000.0}, InvalidAmount, "taxable_pay"),
        ({"taxable_pay": D("1000.001")}, InvalidAmount, "taxable_pay"),
        ({"taxable_pay": D("-1.00")}, InvalidAmount, "taxable_pay"),
        ({"taxable_pay": D("NaN")}, InvalidAmount, "taxable_pay"),
        ({"taxable_pay": "ten"}, InvalidAmount, "taxable_pay"),
        (
            {"previous_taxable_pay_to_date": D("Infinity")},
            InvalidAmount,
            "previous_taxable_pay_to_date",
        ),
    ],
)
def test_bad_input_names_its_field(kwargs: dict, error: type, field: str) -> None:
    arguments = {"taxable_pay": D("1000.00"), **kwargs}
    with pytest.raises(error) as raised:
        tax(**arguments)
    assert raised.value.field == field


def test_integers_and_decimal_strings_are_accepted_as_money() -> None:
    assert tax(taxable_pay=3000).tax_due == tax(taxable_pay="3000.00").tax_due == D("390.20")
