"""GET /payroll/v1/tax-years: the years the calculator knows and their headline rates, as the
rule files hold them."""

from __future__ import annotations


async def test_the_years_on_offer_oldest_first(payroll):
    r = await payroll.get("/payroll/v1/tax-years")
    assert r.status_code == 200
    page = r.json()
    assert [y["tax_year"] for y in page["items"]] == ["2024-25", "2025-26", "2026-27"]
    assert page["next_cursor"] is None
    first = page["items"][0]
    assert (first["starts"], first["ends"]) == ("2024-04-06", "2025-04-05")


async def test_a_years_headline_rates(payroll):
    year = (await payroll.get("/payroll/v1/tax-years/2025-26")).json()
    tax = year["income_tax"]
    assert tax["personal_allowance"] == "12570.00" and tax["emergency_code"] == "1257L"
    assert tax["regulatory_limit_rate"] == "0.50"
    assert tax["regimes"]["rest_of_uk"]["bands"] == [
        {"name": "basic", "rate": "0.20", "lower": "0.00", "upper": "37700.00"},
        {"name": "higher", "rate": "0.40", "lower": "37700.00", "upper": "125140.00"},
        {"name": "additional", "rate": "0.45", "lower": "125140.00", "upper": None},
    ]
    scotland = tax["regimes"]["scotland"]
    assert [b["name"] for b in scotland["bands"]] == [
        "starter",
        "basic",
        "intermediate",
        "higher",
        "advanced",
        "top",
    ]
    assert scotland["bands"][0]["upper"] == "2827.00"
    assert scotland["flat_rate_codes"]["D3"] == "top"
    ni = year["national_insurance"]
    assert (ni["thresholds"]["LEL"], ni["thresholds"]["PT"], ni["thresholds"]["UEL"]) == (
        "6500.00",
        "12570.00",
        "50270.00",
    )
    assert ni["period_thresholds"]["weekly"]["PT"] == "242.00"
    assert ni["period_thresholds"]["monthly"]["PT"] == "1048.00"
    assert ni["period_thresholds"]["four_weekly"]["UEL"] == "3867.00"
    assert ni["rates"]["secondary"] == "0.15" and ni["rates"]["main"] == "0.08"
    assert {c["letter"] for c in ni["categories"]} == set("ABCDEFHIJKLMNSVXZ")
    assert [c["liable"] for c in ni["categories"] if c["letter"] == "X"] == [False]
    loans = year["student_loans"]
    assert loans["thresholds"] == {
        "plan_1": "26065.00",
        "plan_2": "28470.00",
        "plan_4": "32745.00",
        "postgraduate": "21000.00",
    }  # no plan 5: not collected until 2026-27
    assert year["pensions"]["qualifying_earnings"] == {
        "lower": "6240.00",
        "upper": "50270.00",
        "trigger": "10000.00",
    }
    assert year["unverified"] == []


async def test_what_is_not_yet_verified_is_said(payroll):
    year = (await payroll.get("/payroll/v1/tax-years/2026-27")).json()
    assert "national_insurance.rates.secondary" in year["unverified"]
    assert year["student_loans"]["thresholds"]["plan_5"] == "25000.00"
    older = (await payroll.get("/payroll/v1/tax-years/2024-25")).json()
    assert older["national_insurance"]["rates"]["secondary"] == "0.138"


async def test_an_unknown_year_is_404(payroll):
    for year in ("2031-32", "2025-27", "latest"):
        r = await payroll.get(f"/payroll/v1/tax-years/{year}")
        assert r.status_code == 404, year
        assert r.headers["content-type"] == "application/problem+json"
