"""The rule data for each tax year: loaded from its own file, validated, and right."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib import resources

import pytest

from sop_payroll.engine import (
    PayFrequency,
    RuleDataError,
    TaxRegime,
    UnknownTaxYear,
    available_tax_years,
    director_thresholds,
    loan_thresholds,
    period_thresholds,
    tax_year_rules,
)
from sop_payroll.engine.rules import _RuleReader

W, F, FW, M = (
    PayFrequency.WEEKLY,
    PayFrequency.FORTNIGHTLY,
    PayFrequency.FOUR_WEEKLY,
    PayFrequency.MONTHLY,
)


def test_one_rule_file_per_tax_year() -> None:
    assert available_tax_years() == ("2024-25", "2025-26", "2026-27")
    for year in available_tax_years():
        rules = tax_year_rules(year)
        assert rules.tax_year == year
        assert rules.starts.year == int(year[:4])
        assert (rules.starts.month, rules.starts.day) == (4, 6)
        assert (rules.ends.month, rules.ends.day) == (4, 5)


@pytest.mark.parametrize("year", ["2023-24", "2027-28", "2025/26", "2025-27", "25-26", ""])
def test_unknown_tax_years_name_the_field(year: str) -> None:
    with pytest.raises(UnknownTaxYear) as raised:
        tax_year_rules(year)
    assert raised.value.field == "tax_year"


def test_a_tax_year_that_is_not_text_is_unknown() -> None:
    with pytest.raises(UnknownTaxYear):
        tax_year_rules(2025)


@pytest.mark.parametrize("year", ["2024-25", "2025-26", "2026-27"])
def test_income_tax_allowance_and_rest_of_uk_bands_are_frozen(year: str) -> None:
    tax = tax_year_rules(year).income_tax
    assert tax.personal_allowance == 12570
    assert tax.emergency_code == "1257L"
    for regime in (TaxRegime.REST_OF_UK, TaxRegime.WALES):
        bands = tax.regimes[regime].bands
        assert [(b.name, b.rate, b.upper) for b in bands] == [
            ("basic", Decimal("0.20"), 37700),
            ("higher", Decimal("0.40"), 125140),
            ("additional", Decimal("0.45"), None),
        ]
        assert tax.regimes[regime].flat_rate_codes["D1"].rate == Decimal("0.45")


@pytest.mark.parametrize(
    ("year", "starter", "basic"),
    [("2024-25", 2306, 13991), ("2025-26", 2827, 14921), ("2026-27", 3967, 16956)],
)
def test_scottish_bands(year: str, starter: int, basic: int) -> None:
    regime = tax_year_rules(year).income_tax.regimes[TaxRegime.SCOTLAND]
    assert [(b.name, b.rate, b.upper) for b in regime.bands] == [
        ("starter", Decimal("0.19"), starter),
        ("basic", Decimal("0.20"), basic),
        ("intermediate", Decimal("0.21"), 31092),
        ("higher", Decimal("0.42"), 62430),
        ("advanced", Decimal("0.45"), 125140),
        ("top", Decimal("0.48"), None),
    ]
    rates = {code: band.rate for code, band in regime.flat_rate_codes.items()}
    assert rates == {
        "BR": Decimal("0.20"),
        "D0": Decimal("0.21"),
        "D1": Decimal("0.42"),
        "D2": Decimal("0.45"),
        "D3": Decimal("0.48"),
    }


@pytest.mark.parametrize(
    ("year", "employer", "lel", "st"),
    [
        ("2024-25", Decimal("0.138"), 6396, 9100),
        ("2025-26", Decimal("0.15"), 6500, 5000),
        ("2026-27", Decimal("0.15"), 6708, 5000),
    ],
)
def test_national_insurance_rates_and_annual_thresholds(
    year: str, employer: Decimal, lel: int, st: int
) -> None:
    ni = tax_year_rules(year).national_insurance
    assert ni.rates["secondary"] == employer
    assert ni.rates["main"] == Decimal("0.08")
    assert ni.rates["reduced"] == Decimal("0.0185")
    assert ni.rates["additional"] == Decimal("0.02")
    assert ni.thresholds["LEL"] == lel
    assert ni.thresholds["ST"] == st
    assert ni.thresholds["PT"] == 12570
    assert ni.thresholds["UEL"] == 50270
    assert ni.thresholds["FUST"] == ni.thresholds["IZUST"] == 25000
    assert ni.thresholds["UST"] == ni.thresholds["AUST"] == ni.thresholds["VUST"] == 50270
    assert set(ni.categories) == set("ABCDEFHIJKLMNSVXZ")


# The reference table of period thresholds: weekly / fortnightly / four-weekly / monthly.
PERIOD_TABLE = {
    "2024-25": {
        "LEL": (123, 246, 492, 533),
        "PT": (242, 484, 967, 1048),
        "ST": (175, 350, 700, 758),
        "FUST": (481, 962, 1924, 2083),
        "UEL": (967, 1934, 3867, 4189),
    },
    "2025-26": {
        "LEL": (125, 250, 500, 542),
        "PT": (242, 484, 967, 1048),
        "ST": (96, 193, 385, 417),
        "FUST": (481, 962, 1924, 2083),
        "UEL": (967, 1934, 3867, 4189),
    },
    "2026-27": {
        "LEL": (129, 258, 516, 559),
        "PT": (242, 484, 967, 1048),
        "ST": (96, 193, 385, 417),
        "FUST": (481, 962, 1924, 2083),
        "UEL": (967, 1934, 3867, 4189),
    },
}


@pytest.mark.parametrize("year", PERIOD_TABLE)
def test_period_thresholds_round_as_hmrc_publishes_them(year: str) -> None:
    for name, expected in PERIOD_TABLE[year].items():
        derived = tuple(period_thresholds(year, frequency)[name] for frequency in (W, F, FW, M))
        assert derived == expected, name


def test_period_thresholds_cannot_be_changed_by_a_caller() -> None:
    with pytest.raises(TypeError):
        period_thresholds("2025-26", M)["PT"] = Decimal(0)


def test_director_thresholds_pro_rata_round_up() -> None:
    assert director_thresholds("2025-26", 52)["PT"] == 12570
    pro_rata = director_thresholds("2025-26", 48)
    assert (pro_rata["LEL"], pro_rata["PT"], pro_rata["UEL"]) == (6000, 11604, 46404)


@pytest.mark.parametrize(
    ("year", "plans"),
    [
        ("2024-25", {"plan_1": 24990, "plan_2": 27295, "plan_4": 31395}),
        ("2025-26", {"plan_1": 26065, "plan_2": 28470, "plan_4": 32745}),
        ("2026-27", {"plan_1": 26900, "plan_2": 29385, "plan_4": 33795, "plan_5": 25000}),
    ],
)
def test_student_loan_thresholds(year: str, plans: dict[str, int]) -> None:
    loans = tax_year_rules(year).student_loans
    assert dict(loans.plan_thresholds) == plans
    assert loans.postgraduate_threshold == 21000
    assert loans.plan_rate == Decimal("0.09")
    assert loans.postgraduate_rate == Decimal("0.06")


def test_plan_5_starts_in_2026_27() -> None:
    assert "plan_5" not in tax_year_rules("2025-26").student_loans.plan_thresholds
    assert loan_thresholds("2026-27", M)["plan_5"] == Decimal("2083.33")


def test_loan_period_thresholds_are_cut_to_the_penny() -> None:
    assert loan_thresholds("2025-26", W)["plan_1"] == Decimal("501.25")
    assert loan_thresholds("2025-26", M)["plan_1"] == Decimal("2172.08")
    assert loan_thresholds("2025-26", M)["plan_4"] == Decimal("2728.75")
    assert loan_thresholds("2025-26", F)["plan_4"] == Decimal("1259.42")


@pytest.mark.parametrize("year", ["2024-25", "2025-26", "2026-27"])
def test_automatic_enrolment_bands(year: str) -> None:
    pensions = tax_year_rules(year).pensions
    assert (pensions.qualifying_earnings.lower, pensions.qualifying_earnings.upper) == (
        6240,
        50270,
    )
    assert pensions.qualifying_earnings.trigger == 10000
    per_period = {
        f: (b.lower, b.upper, b.trigger) for f, b in pensions.qualifying_earnings_per_period.items()
    }
    assert per_period == {
        W: (120, 967, 192),
        F: (240, 1934, 384),
        FW: (480, 3867, 768),
        M: (520, 4189, 833),
    }
    assert pensions.relief_at_source_rate == Decimal("0.20")


def test_third_party_values_are_marked() -> None:
    assert tax_year_rules("2025-26").unverified == ()
    assert "national_insurance.rates.secondary" in tax_year_rules("2026-27").unverified
    assert "national_insurance.thresholds.LEL" in tax_year_rules("2026-27").unverified


def _raw(year: str) -> dict:
    source = resources.files("sop_payroll.engine").joinpath("rates").joinpath(f"{year}.toml")
    with source.open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def test_the_reader_accepts_the_shipped_file() -> None:
    assert _RuleReader("2025-26").year(_raw("2025-26")) == tax_year_rules("2025-26")


@pytest.mark.parametrize(
    ("damage", "complaint"),
    [
        (lambda d: d["national_insurance"]["categories"].pop("A"), "categories.A"),
        (lambda d: d["national_insurance"]["thresholds"].pop("PT"), "thresholds.PT"),
        (lambda d: d["national_insurance"]["rates"].update(main=Decimal("8")), "rates.main"),
        (
            lambda d: d["national_insurance"]["categories"]["A"].update(employee=[["XX", "main"]]),
            "employee[0]",
        ),
        (
            lambda d: d["income_tax"]["regimes"]["scotland"]["bands"][1].update(upper=100),
            "bands[1].upper",
        ),
        (
            lambda d: d["income_tax"]["regimes"]["rest_of_uk"]["flat_rate_codes"].update(
                D5="nowhere"
            ),
            "flat_rate_codes.D5",
        ),
        (lambda d: d["student_loans"]["thresholds"].update(plan_9=1), "unknown plans"),
        (lambda d: d.update(tax_year="2024-25"), "tax_year"),
        (lambda d: d.update(unverified=["no.such.value"]), "unverified"),
        (lambda d: d["pensions"].pop("qualifying_earnings"), "qualifying_earnings"),
    ],
)
def test_damaged_rule_data_is_refused(damage, complaint: str) -> None:
    data = _raw("2025-26")
    damage(data)
    with pytest.raises(RuleDataError, match=complaint.replace("[", r"\[").replace("]", r"\]")):
        _RuleReader("2025-26").year(data)
