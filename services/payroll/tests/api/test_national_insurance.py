"""POST /payroll/v1/calculations/national-insurance: the engine's answer, every HMRC employee and
director case over HTTP, and a 422 naming the field for bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from payroll_testkit import amount, hmrc_sheets

from sop_payroll.calculations.examples import NATIONAL_INSURANCE, NATIONAL_INSURANCE_DIRECTOR
from sop_payroll.engine import calculate_ni

NI_FILE = "national_insurance_test_data_2025-2026.json"
DIRECTORS_FILE = "directors_national_insurance_test_data_2025-2026.json"
FREQUENCIES = {
    "Weekly": "weekly",
    "Fortnightly": "fortnightly",
    "FourWeekly": "four_weekly",
    "Monthly": "monthly",
}
# HMRC's week-52 row for the category A alternative-method director gives the employee's
# figure as the employer's too; see services/payroll/tests/engine/test_engine_hmrc_directors.py.
ERRATUM = "2025-26DirectorsNICstestdatav1.0/1_Dir_CatA_GBP1000pw/52"


async def test_the_documented_example_is_worked_out_by_hand(payroll):
    """967.01 a week on category A, 2025-26: 8% on 725.00 from the PT (242) to the UEL (967)
    is 58.00, and 2% on the penny above rounds to nothing; the employer pays 15% above the ST
    (96): 871.01 x 15% = 130.6515, which HMRC's rounding takes to 130.65."""
    answer = await payroll.calculate("national-insurance", NATIONAL_INSURANCE)
    assert answer["employee_contribution"] == "58.00"
    assert answer["employer_contribution"] == "130.65"
    assert answer["earnings_at_lel"] == "125.00"
    assert answer["earnings_lel_to_pt"] == "117.00"
    assert answer["earnings_pt_to_uel"] == "725.00"
    assert answer["method"] == "period" and answer["ni_category"] == "A"
    assert answer["thresholds"]["PT"] == "242.00" and answer["thresholds"]["UEL"] == "967.00"
    engine = calculate_ni(
        tax_year="2025-26",
        frequency="weekly",
        period=1,
        category="A",
        gross_pay=Decimal("967.01"),
    )
    assert answer["explanation"] == list(engine.explanation)
    bands = [
        (b["payer"], b["threshold"], b["earnings"], b["contribution"]) for b in answer["bands"]
    ]
    assert bands == [
        (c.band.payer, c.band.threshold, f"{c.earnings:.2f}", f"{c.contribution:.2f}")
        for c in engine.bands
    ]
    assert answer["year_to_date"]["employee_contribution"] == "58.00"


async def test_the_documented_director_example(payroll):
    """Annual method, month 12: 50,000 for the year. Employee 8% of (50,000 - 12,570) =
    2,994.40 less 2,514.40 paid; employer 15% of (50,000 - 5,000) = 6,750 less 5,850."""
    answer = await payroll.calculate("national-insurance", NATIONAL_INSURANCE_DIRECTOR)
    assert answer["method"] == "director_annual"
    assert (answer["employee_contribution"], answer["employer_contribution"]) == (
        "480.00",
        "900.00",
    )
    assert answer["thresholds"]["PT"] == "12570.00"  # annual thresholds
    assert answer["year_to_date"]["gross_pay"] == "50000.00"
    assert answer["year_to_date"]["earnings_pt_to_uel"] == "37430.00"


async def test_every_hmrc_ni_case_over_http(payroll):
    """All 896 cases: 16 category letters x 4 pay frequencies, every figure exact."""
    checked = 0
    for rows in hmrc_sheets(NI_FILE).values():
        year_to_date = None
        for row in rows:
            body = {
                "tax_year": "2025-26",
                "pay_frequency": FREQUENCIES[row["PayFrequency"]],
                # Four rows say period 0; the per-period calculation ignores the number.
                "period": max(row["Period"], 1),
                "ni_category": row["NiCategory"],
                "gross_pay": amount(row["GrossPay"]),
            }
            if year_to_date is not None:
                body["year_to_date"] = year_to_date
            answer = await payroll.calculate("national-insurance", body)
            year_to_date = answer["year_to_date"]
            case = row["TestIdentifier"]
            assert answer["employee_contribution"] == amount(row["EmployeeNiContribution"]), case
            assert answer["employer_contribution"] == amount(row["EmployerNiContribution"]), case
            assert year_to_date["earnings_at_lel"] == amount(row["EarningsAtLEL_YTD"]), case
            assert year_to_date["earnings_lel_to_pt"] == amount(row["EarningsLELtoPT_YTD"]), case
            assert year_to_date["earnings_pt_to_uel"] == amount(row["EarningsPTtoUEL_YTD"]), case
            assert year_to_date["employee_contribution"] == amount(
                row["TotalEmployeeContributions_YTD"]
            ), case
            assert year_to_date["employer_contribution"] == amount(
                row["TotalEmployerContributions_YTD"]
            ), case
            checked += 1
    assert checked == 896


async def test_every_hmrc_director_case_over_http(payroll):
    """All 106 directors' cases (annual and alternative methods, appointed mid-year), 105
    exact; the other is HMRC's erratum, where the engine squares up correctly."""
    checked = exact = 0
    for rows in hmrc_sheets(DIRECTORS_FILE).values():
        year_to_date = None
        for row in rows:
            factor = row.get("ProRataFactor")
            weeks = 52 if factor is None else int((factor * 52).to_integral_value())
            annual = row["StatusMethod"] == "StandardAnnualisedEarningsMethod"
            body = {
                "tax_year": "2025-26",
                "pay_frequency": "weekly",
                "period": row["Period"],
                "ni_category": row["NiCategory"],
                "gross_pay": amount(row["GrossPay"]),
                "director": True,
                "director_method": "annual" if annual else "alternative",
                "appointed_in_week": 52 - weeks + 1,
                "final_period": row["Period"] == 52,
            }
            if year_to_date is not None:
                body["year_to_date"] = year_to_date
            answer = await payroll.calculate("national-insurance", body)
            year_to_date = answer["year_to_date"]
            case = row["TestIdentifier"].replace(" ", "")
            assert answer["employee_contribution"] == amount(row["EmployeeNiContribution"]), case
            assert year_to_date["gross_pay"] == amount(row["GrossPayYtd"]), case
            assert year_to_date["earnings_pt_to_uel"] == amount(row["EarningsPTtoUEL_YTD"]), case
            assert year_to_date["employee_contribution"] == amount(
                row["EmployeeNiContributionYtd"]
            ), case
            checked += 1
            if case == ERRATUM:
                assert answer["employer_contribution"] == "134.40"
                assert year_to_date["employer_contribution"] == "7050.00"
                continue
            assert answer["employer_contribution"] == amount(row["EmployerNiContribution"]), case
            exact += 1
    assert (checked, exact) == (106, 105)


async def test_category_x_records_nothing(payroll):
    answer = await payroll.calculate(
        "national-insurance", {**NATIONAL_INSURANCE, "ni_category": "X"}
    )
    assert answer["employee_contribution"] == answer["employer_contribution"] == "0.00"
    assert answer["earnings_at_lel"] == "0.00" and answer["bands"] == []


async def test_the_letter_is_read_whatever_its_case(payroll):
    answer = await payroll.calculate(
        "national-insurance", {**NATIONAL_INSURANCE, "ni_category": "a"}
    )
    assert answer["ni_category"] == "A" and answer["employee_contribution"] == "58.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ni_category": "Q"}, "ni_category"),
        ({"ni_category": "AB"}, "ni_category"),
        ({"ni_category": ""}, "ni_category"),
        ({"tax_year": "1999-00"}, "tax_year"),
        ({"pay_frequency": "annually"}, "pay_frequency"),
        ({"period": 14, "pay_frequency": "monthly"}, "period"),
        ({"period": 28, "pay_frequency": "fortnightly"}, "period"),
        ({"period": 15, "pay_frequency": "four_weekly"}, "period"),
        ({"period": -4}, "period"),
        ({"gross_pay": 967.01}, "gross_pay"),
        ({"gross_pay": "-0.01"}, "gross_pay"),
        ({"gross_pay": "967.011"}, "gross_pay"),
        ({"director": "true"}, "director"),
        ({"director": True, "director_method": "quarterly"}, "director_method"),
        ({"director": True, "appointed_in_week": 54}, "appointed_in_week"),
        ({"director": True, "appointed_in_week": 0}, "appointed_in_week"),
        ({"director_method": "annual"}, "director_method"),  # not a director
        ({"final_period": True}, "final_period"),
        ({"year_to_date": {"gross_pay": "-1.00"}}, "year_to_date.gross_pay"),
        ({"year_to_date": {"employee_contribution": 1}}, "year_to_date.employee_contribution"),
        ({"year_to_date": {"earnings_above_uel": "1.00"}}, "year_to_date.earnings_above_uel"),
        ({"category": "A"}, "category"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(payroll, change, field):
    assert await payroll.refused("national-insurance", {**NATIONAL_INSURANCE, **change}) == [field]


async def test_negative_contributions_to_date_are_allowed_for_corrections(payroll):
    """A director's square-up can leave contributions to date negative; earnings never."""
    body = {
        **NATIONAL_INSURANCE,
        "year_to_date": {"gross_pay": "967.01", "employee_contribution": "-1.00"},
    }
    answer = await payroll.calculate("national-insurance", body)
    assert answer["year_to_date"]["employee_contribution"] == "57.00"
