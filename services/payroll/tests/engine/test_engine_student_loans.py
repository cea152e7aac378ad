"""Student and postgraduate loan deductions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sop_payroll.engine import InvalidInput, calculate_student_loans

D = Decimal


def loans(**kwargs):
    arguments = {"tax_year": "2025-26", "frequency": "monthly", "period": 1}
    arguments.update(kwargs)
    return calculate_student_loans(**arguments)


def test_plan_2_is_nine_percent_above_the_threshold_in_whole_pounds() -> None:
    # Monthly threshold 28,470 / 12 = 2,372.50; 9% of 627.50 = 56.475 -> 56.
    result = loans(earnings=D("3000.00"), plans=["plan_2"])
    assert result.student_loan == D("56.00")
    assert result.postgraduate_loan == D("0.00")


def test_weekly_plan_1_threshold_is_cut_to_the_penny() -> None:
    # 26,065 / 52 = 501.25; 9% of 98.75 = 8.8875 -> 8.
    assert loans(frequency="weekly", earnings=D("600.00"), plans=["plan_1"]).student_loan == 8


def test_two_plans_take_nine_percent_once_and_share_it() -> None:
    result = loans(earnings=D("3000.00"), plans=["plan_2", "plan_1"])
    assert result.student_loan == D("74.00")
    assert [(d.loan, d.amount) for d in result.deductions] == [
        ("plan_1", D("18.00")),
        ("plan_2", D("56.00")),
    ]
    assert "All plans: 9% above the lowest threshold 2,172.08" in str(result.explanation)


def test_postgraduate_loan_is_six_percent_alongside_a_plan() -> None:
    result = loans(earnings=D("3000.00"), plans=["plan_2"], postgraduate=True)
    assert (result.student_loan, result.postgraduate_loan) == (D("56.00"), D("75.00"))


def test_nothing_below_the_threshold() -> None:
    assert loans(earnings=D("2000.00"), plans=["plan_2"]).student_loan == 0


@pytest.mark.parametrize(("year", "expected"), [("2025-26", D("0.00")), ("2026-27", D("82.00"))])
def test_plan_5_repayments_start_in_2026_27(year: str, expected: Decimal) -> None:
    result = loans(tax_year=year, earnings=D("3000.00"), plans=["plan_5"])
    assert result.student_loan == expected
    if expected == 0:
        assert "Plan 5: no repayments are collected in 2025-26" in result.explanation


def test_2024_25_plan_4() -> None:
    # 31,395 / 52 = 603.75; 9% of 96.25 = 8.6625 -> 8.
    result = loans(tax_year="2024-25", frequency="weekly", earnings=D("700.00"), plans=["plan_4"])
    assert result.student_loan == D("8.00")


def test_directors_on_the_annual_method_repay_cumulatively() -> None:
    # 30,000 to date against the annual 28,470: 9% of 1,530 = 137.70 -> 137, less 100 taken.
    result = loans(
        earnings=D("2000.00"),
        earnings_to_date=D("28000.00"),
        plans=["plan_2"],
        cumulative=True,
        student_loan_to_date=D("100.00"),
    )
    assert result.student_loan == D("37.00")


def test_no_loans_is_nothing() -> None:
    result = loans(earnings=D("9000.00"))
    assert (result.student_loan, result.postgraduate_loan, result.deductions) == (0, 0, ())


def test_an_unknown_plan_names_the_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        loans(earnings=D("3000.00"), plans=["plan_3"])
    assert raised.value.field == "plans"
