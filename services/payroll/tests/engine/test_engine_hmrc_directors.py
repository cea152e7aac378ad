"""Every case of HMRC's 2025-26 directors' NICs test data (annual and alternative methods)."""

from __future__ import annotations

from decimal import Decimal

from sop_payroll.engine import NIResult, NIYearToDate, calculate_ni

# HMRC's row for week 52 of the category A alternative-method director repeats the
# employee figure (58.94) as the employer's, and its total (58.94) is not employee plus
# employer. Squaring up to the annual method gives employer NICs of 15% of
# (52,000 - 5,000) = 7,050.00 for the year, less 6,915.60 paid: 134.40.
ERRATUM = "2025-26DirectorsNICstestdatav1.0/1_Dir_CatA_GBP1000pw/52"


def case_id(row: dict) -> str:
    return row["TestIdentifier"].replace(" ", "")


def replay(history: tuple[dict, ...]) -> NIResult:
    year_to_date = NIYearToDate()
    result = None
    for row in history:
        factor = row.get("ProRataFactor")
        # The pro-rata factor is weeks of directorship / 52 (0.923077 = 48 weeks, appointed
        # in week 5); a director with none was one all year.
        weeks = 52 if factor is None else int((factor * 52).to_integral_value())
        annual = row["StatusMethod"] == "StandardAnnualisedEarningsMethod"
        result = calculate_ni(
            tax_year="2025-26",
            # "Annually" rows are one annual payment in week 52 on the annual method: the
            # calculation is on the year's earnings whatever the pay frequency.
            frequency="weekly",
            period=row["Period"],
            category=row["NiCategory"],
            gross_pay=row["GrossPay"],
            director=True,
            director_method="annual" if annual else "alternative",
            appointed_in_week=52 - weeks + 1,
            final_period=row["Period"] == 52,
            year_to_date=year_to_date,
        )
        year_to_date = result.year_to_date
    assert result is not None
    return result


def test_hmrc_directors_ni_case(hmrc_director_case: tuple[dict, ...]) -> None:
    row = hmrc_director_case[-1]
    result = replay(hmrc_director_case)
    to_date = result.year_to_date

    assert result.employee_contribution == row["EmployeeNiContribution"]
    assert to_date.gross_pay == row["GrossPayYtd"]
    assert to_date.earnings_at_lel == row["EarningsAtLEL_YTD"]
    assert to_date.earnings_lel_to_pt == row["EarningsLELtoPT_YTD"]
    assert to_date.earnings_pt_to_uel == row["EarningsPTtoUEL_YTD"]
    assert to_date.employee_contribution == row["EmployeeNiContributionYtd"]
    assert to_date.employee_contribution == row["TotalEmployeeContributions_YTD"]
    if case_id(row) == ERRATUM:
        assert row["EmployerNiContribution"] == row["EmployeeNiContribution"]
        assert row["TotalNiContribution"] != (
            row["EmployeeNiContribution"] + row["EmployerNiContribution"]
        )
        assert result.employer_contribution == Decimal("134.40")
        assert to_date.employer_contribution == Decimal("7050.00")
        return
    assert result.employer_contribution == row["EmployerNiContribution"]
    assert to_date.employer_contribution == row["EmployerNiContributionYtd"]
    assert to_date.employer_contribution == row["TotalEmployerContributions_YTD"]
    assert (
        result.employee_contribution + result.employer_contribution == (row["TotalNiContribution"])
    )


def test_hmrc_directors_file_has_106_cases(hmrc_director_rows: tuple) -> None:
    assert len(hmrc_director_rows) == 106
