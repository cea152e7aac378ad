"""Every case of HMRC's 2025-26 Class 1 NICs test data: 16 letters x 4 pay frequencies."""

from __future__ import annotations

from sop_payroll.engine import NIResult, NIYearToDate, calculate_ni

FREQUENCIES = {
    "Weekly": "weekly",
    "Fortnightly": "fortnightly",
    "FourWeekly": "four_weekly",
    "Monthly": "monthly",
}


def replay(history: tuple[dict, ...]) -> NIResult:
    year_to_date = NIYearToDate()
    result = None
    for row in history:
        # Four rows of the file (Cat_S/22, Cat_S/40, Cat_L/22, Cat_L/40) give period 0, which
        # no pay period has; each is a one-period example like its neighbours, and the
        # per-period calculation does not depend on the period number, so run it as period 1.
        period = max(row["Period"], 1)
        result = calculate_ni(
            tax_year="2025-26",
            frequency=FREQUENCIES[row["PayFrequency"]],
            period=period,
            category=row["NiCategory"],
            gross_pay=row["GrossPay"],
            year_to_date=year_to_date,
        )
        year_to_date = result.year_to_date
    assert result is not None
    return result


def test_hmrc_ni_case(hmrc_ni_case: tuple[dict, ...]) -> None:
    row = hmrc_ni_case[-1]
    result = replay(hmrc_ni_case)
    to_date = result.year_to_date

    assert result.employee_contribution == row["EmployeeNiContribution"]
    assert result.employer_contribution == row["EmployerNiContribution"]
    assert (
        result.employee_contribution + result.employer_contribution == (row["TotalNiContribution"])
    )
    assert to_date.earnings_at_lel == row["EarningsAtLEL_YTD"]
    assert to_date.earnings_lel_to_pt == row["EarningsLELtoPT_YTD"]
    assert to_date.earnings_pt_to_uel == row["EarningsPTtoUEL_YTD"]
    assert to_date.employee_contribution == row["TotalEmployeeContributions_YTD"]
    assert to_date.employer_contribution == row["TotalEmployerContributions_YTD"]


def test_hmrc_ni_file_covers_every_letter_and_frequency(hmrc_ni_rows: tuple) -> None:
    assert len(hmrc_ni_rows) == 896
    assert {row["NiCategory"] for row in hmrc_ni_rows} == set("ABCDEFHIJKLMNSVZ")
    assert {row["PayFrequency"] for row in hmrc_ni_rows} == set(FREQUENCIES)
