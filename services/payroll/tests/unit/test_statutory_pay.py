"""Statutory pay due in a pay period: SSP (waiting days, linking, 28 weeks, the April 2026
reform) and SMP, SAP, SPP, ShPP (90% weeks, the flat rate, tax-year rate changes)."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_payroll.engine.errors import InvalidAmount, InvalidInput, RuleDataError, UnknownTaxYear
from sop_payroll.engine.statutory import (
    NotDueReason,
    SicknessSpell,
    StatutoryPayKind,
    StatutoryRateReader,
    available_statutory_years,
    family_pay_for_period,
    ssp_for_period,
    statutory_rates,
    tax_year_of,
)

D = Decimal
MON_TO_FRI = frozenset(range(5))
MON_TUE_WED = frozenset({0, 1, 2})


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def spell(start: str, end: str) -> SicknessSpell:
    return SicknessSpell(d(start), d(end))


def ssp(
    period: tuple[str, str],
    *spells: SicknessSpell,
    awe: str = "500.00",
    days: frozenset[int] = MON_TO_FRI,
    paid_days_before: int = 0,
):
    return ssp_for_period(
        period_start=d(period[0]),
        period_end=d(period[1]),
        spells=list(spells),
        qualifying_days=days,
        awe=D(awe),
        paid_days_before=paid_days_before,
    )


def family(kind: str, leave: tuple[str, str], period: tuple[str, str], awe: str, **extra):
    return family_pay_for_period(
        kind=kind,
        leave_start=d(leave[0]),
        leave_end=d(leave[1]),
        period_start=d(period[0]),
        period_end=d(period[1]),
        awe=D(awe),
        **extra,
    )


# ---------------------------------------------------------------------------------------------
# Rates


def test_rate_files_hold_the_reference_figures() -> None:
    assert available_statutory_years() == ("2024-25", "2025-26", "2026-27")
    flat = {year: statutory_rates(year).family.flat_rate for year in available_statutory_years()}
    assert flat == {"2024-25": D("184.03"), "2025-26": D("187.18"), "2026-27": D("194.32")}
    lel = {
        year: statutory_rates(year).family.lower_earnings_limit
        for year in available_statutory_years()
    }
    assert lel == {"2024-25": D(123), "2025-26": D(125), "2026-27": D(129)}
    old, new = statutory_rates("2025-26").ssp, statutory_rates("2026-27").ssp
    assert (old.weekly_rate, old.waiting_days, old.piw_min_days) == (D("118.75"), 3, 4)
    assert (old.lower_earnings_limit, old.awe_rate) == (D(125), None)
    assert (new.weekly_rate, new.waiting_days, new.piw_min_days) == (D("123.25"), 0, 1)
    assert (new.lower_earnings_limit, new.awe_rate) == (None, D("0.80"))
    assert statutory_rates("2024-25").unverified == ("ssp.weekly_rate",)
    assert statutory_rates("2026-27").family.max_weeks[StatutoryPayKind.SMP] == 39


def test_the_paye_year_list_ignores_the_statutory_folder() -> None:
    from sop_payroll.engine import available_tax_years

    assert "statutory" not in available_tax_years()


@pytest.mark.parametrize(
    ("day", "year"),
    [("2026-04-05", "2025-26"), ("2026-04-06", "2026-27"), ("2027-01-01", "2026-27")],
)
def test_a_day_belongs_to_the_tax_year_starting_6_april(day: str, year: str) -> None:
    assert tax_year_of(d(day)) == year


def test_an_unknown_year_is_refused() -> None:
    with pytest.raises(UnknownTaxYear, match="no statutory pay rates for 2031-32"):
        statutory_rates("2031-32")
    with pytest.raises(UnknownTaxYear, match="like 2025-26"):
        statutory_rates("2025-27")


def _raw(year: str) -> dict:
    folder = resources.files("sop_payroll.engine").joinpath("rates").joinpath("statutory")
    with folder.joinpath(f"{year}.toml").open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def test_the_reader_accepts_the_shipped_file() -> None:
    assert StatutoryRateReader("2026-27").year(_raw("2026-27")) == statutory_rates("2026-27")


@pytest.mark.parametrize(
    ("damage", "complaint"),
    [
        (lambda data: data["ssp"].update(weekly_rat=D(1)), "unknown keys weekly_rat"),
        (lambda data: data["ssp"].pop("max_weeks"), "ssp.max_weeks"),
        (lambda data: data["ssp"].update(awe_rate=D(80)), "ssp.awe_rate"),
        (lambda data: data["family"]["max_weeks"].pop("spp"), "family.max_weeks"),
        (lambda data: data["family"].update(flat_rate=D(-1)), "family.flat_rate"),
        (lambda data: data.update(tax_year="2024-25"), "tax_year"),
        (lambda data: data.update(unverified=["ssp.nothing"]), "unverified"),
    ],
)
def test_damaged_rate_data_is_refused(damage, complaint: str) -> None:
    data = _raw("2025-26")
    damage(data)
    with pytest.raises(RuleDataError, match=complaint):
        StatutoryRateReader("2025-26").year(data)


# ---------------------------------------------------------------------------------------------
# SSP before 6 April 2026: waiting days, PIWs, linking, the lower earnings limit


def test_the_first_three_qualifying_days_are_waiting_days() -> None:
    # Mon 2 Jun to Fri 13 Jun 2025: 2, 3, 4 June wait; 7 qualifying days at 118.75 / 5.
    result = ssp(("2025-06-01", "2025-06-30"), spell("2025-06-02", "2025-06-13"))
    assert (result.amount, result.days_paid, result.waiting_days) == (D("166.25"), 7, 3)
    assert result.reason is None
    [line] = result.lines
    assert (line.first_day, line.last_day, line.weekly_rate) == (
        d("2025-06-05"),
        d("2025-06-13"),
        D("118.75"),
    )
    assert line.explanation == (
        "SSP 2025-26: 7 qualifying days from 2025-06-05 to 2025-06-13 at 118.75 a week "
        "(flat rate) over 5 days a week (23.75 a day): 166.25"
    )
    assert result.explanation[-1] == "SSP due for the period: 166.25"


def test_a_period_holding_only_waiting_days_says_so() -> None:
    result = ssp(("2025-06-01", "2025-06-04"), spell("2025-06-02", "2025-06-13"))
    assert (result.amount, result.waiting_days) == (D("0.00"), 3)
    assert result.reason is NotDueReason.WAITING_DAYS
    # The next period knows the waiting days were served in the one before.
    after = ssp(("2025-06-05", "2025-06-30"), spell("2025-06-02", "2025-06-13"))
    assert (after.amount, after.waiting_days, after.days_paid_to_date) == (D("166.25"), 0, 7)


def test_three_days_of_sickness_are_not_a_period_of_incapacity() -> None:
    result = ssp(("2025-06-01", "2025-06-30"), spell("2025-06-02", "2025-06-04"))
    assert (result.amount, result.reason) == (D("0.00"), NotDueReason.NOT_A_PIW)
    # Two spells following on without a day between are one period of incapacity.
    joined = ssp(
        ("2025-06-01", "2025-06-30"),
        spell("2025-06-02", "2025-06-03"),
        spell("2025-06-04", "2025-06-06"),
    )
    assert (joined.waiting_days, joined.days_paid, joined.amount) == (3, 2, D("47.50"))


@pytest.mark.parametrize(
    ("second", "waiting", "amount"),
    [
        # 56 days after Fri 6 June: links, no new waiting days, the whole week paid.
        (("2025-08-02", "2025-08-08"), 0, "118.75"),
        # 57 days: a new chain, three new waiting days (Mon 4 to Wed 6 August).
        (("2025-08-03", "2025-08-09"), 3, "47.50"),
    ],
)
def test_periods_of_incapacity_56_days_apart_link_and_57_do_not(
    second: tuple[str, str], waiting: int, amount: str
) -> None:
    first = spell("2025-06-02", "2025-06-06")
    assert (d(second[0]) - d("2025-06-06")).days - 1 in (56, 57)
    result = ssp(("2025-08-01", "2025-08-31"), first, spell(*second))
    assert (result.waiting_days, result.amount) == (waiting, D(amount))


def test_28_weeks_are_counted_across_linked_spells() -> None:
    # Mon 4 Aug to Sun 30 Nov 2025: 85 qualifying days, 3 waiting, 82 paid. Then, 14 days
    # later, Mon 15 Dec 2025 to Sun 29 Mar 2026: 58 more make 140 (28 weeks of 5 days).
    chain = (spell("2025-08-04", "2025-11-30"), spell("2025-12-15", "2026-03-29"))
    march = ssp(("2026-03-01", "2026-03-31"), *chain)
    assert (march.days_paid, march.amount, march.days_paid_to_date) == (3, D("71.25"), 140)
    assert march.lines[0].last_day == d("2026-03-04")
    later = ssp(("2026-03-05", "2026-03-31"), *chain)
    assert (later.amount, later.reason) == (D("0.00"), NotDueReason.EXHAUSTED)
    whole = ssp(("2025-08-01", "2026-03-31"), *chain)
    assert whole.amount == 28 * D("118.75")


def test_days_paid_before_count_towards_the_28_weeks() -> None:
    result = ssp(
        ("2025-06-01", "2025-06-30"), spell("2025-06-02", "2025-06-13"), paid_days_before=136
    )
    # No waiting days (already served), 4 days left of 140: Mon 2 to Thu 5 June.
    assert (result.waiting_days, result.days_paid, result.amount) == (0, 4, D("95.00"))


def test_a_rate_from_a_third_party_source_is_marked_in_the_explanation() -> None:
    result = ssp(("2024-06-01", "2024-06-30"), spell("2024-06-03", "2024-06-14"))
    assert result.amount == 7 * D("116.75") / 5
    assert "Unverified 2024-25 rate data (third-party source only): ssp.weekly_rate" in (
        result.explanation
    )
    verified = ssp(("2025-06-01", "2025-06-30"), spell("2025-06-02", "2025-06-13"))
    assert not any("Unverified" in sentence for sentence in verified.explanation)


def test_below_the_lower_earnings_limit_before_april_2026_nothing_is_due() -> None:
    result = ssp(("2026-03-01", "2026-03-31"), spell("2026-03-02", "2026-03-13"), awe="124.99")
    assert (result.amount, result.reason) == (D("0.00"), NotDueReason.BELOW_LOWER_EARNINGS_LIMIT)
    assert result.explanation[-1] == (
        "No SSP due: average weekly earnings 124.99 are below the lower earnings limit"
    )
    at_limit = ssp(("2026-03-01", "2026-03-31"), spell("2026-03-02", "2026-03-13"), awe="125.00")
    assert at_limit.amount == D("166.25")


def test_below_the_old_limit_ssp_starts_on_6_april_2026_at_80_percent() -> None:
    # Sick Mon 2 March to Fri 10 April 2026 earning 120.00 a week: nothing in March (and no
    # waiting days served, as there was no entitlement); from Mon 6 April, 80% of 120.00.
    sickness = spell("2026-03-02", "2026-04-10")
    march = ssp(("2026-03-01", "2026-03-31"), sickness, awe="120.00")
    assert march.reason is NotDueReason.BELOW_LOWER_EARNINGS_LIMIT
    april = ssp(("2026-04-01", "2026-04-30"), sickness, awe="120.00")
    assert (april.days_paid, april.waiting_days, april.amount) == (5, 0, D("96.00"))
    [line] = april.lines
    assert (line.tax_year, line.first_day, line.weekly_rate) == ("2026-27", d("2026-04-06"), 96)
    assert line.basis == "the lower of 123.25 and 80% of AWE 120.00"


# ---------------------------------------------------------------------------------------------
# SSP from 6 April 2026


@pytest.mark.parametrize(
    ("awe", "amount"),
    [
        ("500.00", "123.25"),  # the flat rate is lower
        ("140.00", "112.00"),  # 80% of AWE is lower
        ("140.01", "112.01"),  # 80% of 140.01 is 112.008, rounded up to the penny
        ("60.00", "48.00"),  # no lower earnings limit any more
    ],
)
def test_from_april_2026_the_lower_of_the_flat_rate_and_80_percent(awe: str, amount: str) -> None:
    result = ssp(("2026-05-01", "2026-05-31"), spell("2026-05-04", "2026-05-08"), awe=awe)
    assert (result.waiting_days, result.days_paid, result.amount) == (0, 5, D(amount))


def test_from_april_2026_one_day_of_sickness_is_paid() -> None:
    one_day = ssp(("2026-05-01", "2026-05-31"), spell("2026-05-06", "2026-05-06"))
    assert (one_day.days_paid, one_day.amount) == (1, D("24.65"))
    before = ssp(("2025-05-01", "2025-05-31"), spell("2025-05-07", "2025-05-07"))
    assert before.reason is NotDueReason.NOT_A_PIW


def test_days_due_at_80_percent_of_nothing_say_why_nothing_is_paid() -> None:
    result = ssp(("2026-05-01", "2026-05-31"), spell("2026-05-04", "2026-05-08"), awe="0.00")
    assert (result.days_paid, result.amount) == (5, D("0.00"))
    assert result.reason is NotDueReason.NIL_RATE


def test_waiting_days_end_on_6_april_2026() -> None:
    # Thu 2 to Fri 10 April 2026: Thu 2 and Fri 3 are waiting days under the old rules; the
    # third would have been Mon 6, but from that day there are none: 6-10 April are paid.
    sickness = spell("2026-04-02", "2026-04-10")
    week_to_5_april = ssp(("2026-03-30", "2026-04-05"), sickness)
    assert (week_to_5_april.waiting_days, week_to_5_april.amount) == (2, D("0.00"))
    assert week_to_5_april.reason is NotDueReason.WAITING_DAYS
    april = ssp(("2026-04-01", "2026-04-30"), sickness)
    assert (april.waiting_days, april.days_paid, april.amount) == (2, 5, D("123.25"))


def test_a_spell_across_6_april_2026_is_paid_at_each_days_rates() -> None:
    # Mon 23 March to Fri 10 April 2026: 3 waiting days, 26 March to 3 April at 118.75 / 5
    # (7 days), then 6 to 10 April at 123.25 / 5 (5 days).
    result = ssp(("2026-03-16", "2026-04-12"), spell("2026-03-23", "2026-04-10"))
    assert [(line.tax_year, line.days, line.amount) for line in result.lines] == [
        ("2025-26", 7, D("166.25")),
        ("2026-27", 5, D("123.25")),
    ]
    assert (result.amount, result.waiting_days) == (D("289.50"), 3)


def test_the_28_weeks_run_on_across_the_reform() -> None:
    # 135 days paid before 6 April 2026; 5 left under the new rules.
    result = ssp(
        ("2026-04-01", "2026-04-30"), spell("2026-04-06", "2026-04-30"), paid_days_before=135
    )
    assert (result.days_paid, result.amount, result.days_paid_to_date) == (5, D("123.25"), 140)
    assert result.lines[-1].last_day == d("2026-04-10")


# ---------------------------------------------------------------------------------------------
# Qualifying days


def test_a_part_time_worker_is_paid_a_third_of_a_week_a_day() -> None:
    # Works Mon, Tue, Wed; sick Thu 5 to Fri 20 June 2025: Mon 9 to Wed 11 wait, Mon 16 to
    # Wed 18 are paid at 118.75 / 3. Periods ending mid-week split it to the penny.
    sickness = spell("2025-06-05", "2025-06-20")
    first = ssp(("2025-06-01", "2025-06-16"), sickness, awe="200.00", days=MON_TUE_WED)
    second = ssp(("2025-06-17", "2025-06-30"), sickness, awe="200.00", days=MON_TUE_WED)
    assert (first.waiting_days, first.days_paid, first.amount) == (3, 1, D("39.58"))
    assert (second.waiting_days, second.days_paid, second.amount) == (0, 2, D("79.17"))
    assert first.amount + second.amount == D("118.75")
    assert first.lines[0].days_in_week == 3
    assert (
        first.explanation[0]
        == "SSP on qualifying days Mon, Tue, Wed; average weekly earnings 200.00"
    )


def test_sickness_only_on_days_not_worked_pays_nothing() -> None:
    result = ssp(("2025-06-01", "2025-06-30"), spell("2025-06-05", "2025-06-08"), days=MON_TUE_WED)
    assert (result.amount, result.reason) == (D("0.00"), NotDueReason.NO_QUALIFYING_DAYS)


def test_no_working_days_means_wednesday() -> None:
    # Four weeks from Mon 2 June 2025: Wednesdays 4, 11 and 18 wait, 25 June is a whole week.
    result = ssp(("2025-06-01", "2025-06-30"), spell("2025-06-02", "2025-06-29"), days=frozenset())
    assert (result.waiting_days, result.days_paid, result.amount) == (3, 1, D("118.75"))


def test_a_period_without_sickness() -> None:
    result = ssp(("2025-07-01", "2025-07-31"), spell("2025-06-02", "2025-06-13"))
    assert (result.amount, result.reason, result.lines) == (
        D("0.00"),
        NotDueReason.NOTHING_IN_PERIOD,
        (),
    )


# ---------------------------------------------------------------------------------------------
# SMP, SAP, SPP, ShPP


def test_smp_six_weeks_at_90_percent_then_the_flat_rate() -> None:
    leave = ("2025-05-04", "2026-01-31")  # 39 weeks from Sun 4 May 2025
    whole = family("smp", leave, leave, "600.00")
    assert [(line.days, line.weekly_rate) for line in whole.lines] == [
        (42, D("540.00")),
        (231, D("187.18")),
    ]
    assert whole.amount == 6 * D("540.00") + 33 * D("187.18") == D("9416.94")
    assert whole.lines[0].basis == "90% of AWE 600.00"
    eight_weeks = family("smp", leave, ("2025-05-04", "2025-06-28"), "600.00")
    assert eight_weeks.amount == D("3614.36")


def test_smp_below_the_flat_rate_is_90_percent_throughout() -> None:
    whole = family("sap", ("2025-05-04", "2026-01-31"), ("2025-05-04", "2026-01-31"), "200.00")
    assert whole.amount == 39 * D("180.00")
    # 90% of 200.05 is 180.045: rounded up to 180.05.
    rounded = family("smp", ("2025-05-04", "2025-05-10"), ("2025-05-04", "2025-05-10"), "200.05")
    assert rounded.lines[0].weekly_rate == D("180.05")


def test_smp_across_the_april_2026_rate_change() -> None:
    # Leave from Sun 1 Feb 2026: 90% weeks to 14 March, then 187.18 to 5 April, 194.32 after.
    result = family("smp", ("2026-02-01", "2026-10-31"), ("2026-03-01", "2026-04-30"), "600.00")
    assert [(line.tax_year, line.days, line.amount) for line in result.lines] == [
        ("2025-26", 14, D("1080.00")),
        ("2025-26", 22, D("588.28")),
        ("2026-27", 25, D("694.00")),
    ]
    assert result.amount == D("2362.28")


def test_smp_stops_after_39_weeks() -> None:
    leave = ("2025-05-04", "2026-03-31")  # asked for longer than 39 weeks
    february = family("smp", leave, ("2026-01-25", "2026-02-28"), "600.00")
    assert (february.days_paid, february.days_paid_to_date) == (7, 273)
    march = family("smp", leave, ("2026-03-01", "2026-03-31"), "600.00")
    assert (march.amount, march.reason) == (D("0.00"), NotDueReason.EXHAUSTED)


@pytest.mark.parametrize(("awe", "amount"), [("300.00", "374.36"), ("150.00", "270.00")])
def test_spp_two_weeks_at_the_lower_of_flat_and_90_percent(awe: str, amount: str) -> None:
    leave = ("2025-07-07", "2025-07-20")
    result = family("spp", leave, ("2025-07-01", "2025-07-31"), awe)
    assert (result.days_paid, result.amount) == (14, D(amount))
    # A third week asked for is not paid.
    longer = family("spp", ("2025-07-07", "2025-07-27"), ("2025-07-21", "2025-07-31"), awe)
    assert (longer.amount, longer.reason) == (D("0.00"), NotDueReason.EXHAUSTED)


def test_shpp_is_never_at_90_percent_above_the_flat_rate() -> None:
    result = family("shpp", ("2025-05-04", "2025-06-14"), ("2025-05-04", "2025-06-14"), "600.00")
    assert result.amount == 6 * D("187.18")


@pytest.mark.parametrize(
    ("leave_start", "awe", "due"),
    [
        ("2025-07-07", "124.99", False),
        ("2025-07-07", "125.00", True),
        ("2026-07-06", "128.99", False),  # the 2026-27 limit is 129
        ("2026-07-06", "129.00", True),
    ],
)
def test_family_pay_below_the_lower_earnings_limit_is_not_due(
    leave_start: str, awe: str, due: bool
) -> None:
    start = d(leave_start)
    end = start + dt.timedelta(days=13)
    result = family_pay_for_period(
        kind="spp",
        leave_start=start,
        leave_end=end,
        period_start=start,
        period_end=end,
        awe=D(awe),
    )
    assert (result.amount > 0) is due
    if not due:
        assert result.reason is NotDueReason.BELOW_LOWER_EARNINGS_LIMIT


def test_the_qualifying_week_decides_which_limit_applies() -> None:
    # Leave in 2026-27 (limit 129) with a qualifying week in 2025-26 (limit 125).
    leave = ("2026-04-13", "2026-04-26")
    result = family("spp", leave, leave, "126.00", qualifying_week=d("2026-01-01"))
    assert result.amount == 2 * D("113.40")


def test_family_pay_outside_the_leave() -> None:
    leave = ("2025-07-07", "2025-07-20")
    result = family("spp", leave, ("2025-08-01", "2025-08-31"), "300.00")
    assert (result.amount, result.reason) == (D("0.00"), NotDueReason.NOTHING_IN_PERIOD)


# ---------------------------------------------------------------------------------------------
# Errors name the field


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda: ssp(("2025-06-01", "2025-06-30"), spell("2025-06-10", "2025-06-09")),
            "spells.0.end",
        ),
        (
            lambda: ssp(
                ("2025-06-01", "2025-06-30"),
                spell("2025-06-10", "2025-06-20"),
                spell("2025-06-01", "2025-06-10"),
            ),
            "spells.0.start",
        ),
        (lambda: ssp(("2025-06-30", "2025-06-01")), "period_end"),
        (lambda: ssp(("2025-06-01", "2025-06-30"), awe="100.001"), "awe"),
        (lambda: ssp(("2025-06-01", "2025-06-30"), awe="-1.00"), "awe"),
        (lambda: ssp(("2025-06-01", "2025-06-30"), days=frozenset({7})), "qualifying_days"),
        (lambda: ssp(("2025-06-01", "2025-06-30"), paid_days_before=-1), "paid_days_before"),
        (
            lambda: ssp(("2024-01-01", "2024-01-31"), spell("2024-01-01", "2024-01-10")),
            "spells.0.start",
        ),
        (
            lambda: ssp(("2027-01-01", "2027-12-31"), spell("2027-03-01", "2027-04-10")),
            "spells.0.end",
        ),
        (
            lambda: ssp_for_period(
                period_start=dt.datetime(2025, 6, 1),
                period_end=d("2025-06-30"),
                spells=[],
                qualifying_days=MON_TO_FRI,
                awe=D("100.00"),
            ),
            "period_start",
        ),
        (
            lambda: family(
                "ssp", ("2025-07-07", "2025-07-20"), ("2025-07-01", "2025-07-31"), "1.00"
            ),
            "kind",
        ),
        (
            lambda: family(
                "spp", ("2025-07-07", "2025-07-01"), ("2025-07-01", "2025-07-31"), "1.00"
            ),
            "leave_end",
        ),
    ],
)
def test_errors_name_the_field(call, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        call()
    assert raised.value.field == field


def test_overlapping_spells_name_the_later_spell() -> None:
    with pytest.raises(InvalidInput, match=r"overlaps spells\.0") as raised:
        ssp(
            ("2025-06-01", "2025-06-30"),
            spell("2025-06-01", "2025-06-10"),
            spell("2025-06-10", "2025-06-20"),
        )
    assert raised.value.field == "spells.1.start"


def test_a_bad_amount_is_both_an_amount_and_an_input_error() -> None:
    with pytest.raises(InvalidAmount) as raised:
        ssp(("2025-06-01", "2025-06-30"), awe="1.234")
    assert isinstance(raised.value, InvalidInput)


# ---------------------------------------------------------------------------------------------
# Properties: asking month by month gives what asking once does


FIRST_DAY = d("2024-04-06")
LAST_DAY = d("2027-04-05")


def _months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    months = []
    start = first.replace(day=1)
    while start <= last:
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months.append((max(start, FIRST_DAY), min(following - dt.timedelta(days=1), LAST_DAY)))
        start = following
    return months


@st.composite
def sickness_chains(draw: st.DrawFn) -> list[SicknessSpell]:
    start = draw(st.dates(min_value=FIRST_DAY, max_value=d("2026-12-31")))
    spells = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        end = min(start + dt.timedelta(days=draw(st.integers(0, 120))), LAST_DAY)
        spells.append(SicknessSpell(start, end))
        start = end + dt.timedelta(days=draw(st.integers(1, 80)))
        if start > LAST_DAY:
            break
    return spells


amounts = st.decimals(min_value=0, max_value=2000, places=2, allow_nan=False, allow_infinity=False)
patterns = st.frozensets(st.integers(min_value=0, max_value=6), max_size=7)


@settings(max_examples=150, deadline=None)
@given(spells=sickness_chains(), days=patterns, awe=amounts)
def test_ssp_month_by_month_adds_up_to_the_whole(
    spells: list[SicknessSpell], days: frozenset[int], awe: Decimal
) -> None:
    months = _months(spells[0].start, spells[-1].end)

    def due(first: dt.date, last: dt.date):
        return ssp_for_period(
            period_start=first, period_end=last, spells=spells, qualifying_days=days, awe=awe
        )

    whole = due(months[0][0], months[-1][1])
    parts = [due(first, last) for first, last in months]
    assert sum(part.days_paid for part in parts) == whole.days_paid
    assert sum(part.waiting_days for part in parts) == whole.waiting_days
    assert abs(sum(part.amount for part in parts) - whole.amount) <= D("0.01") * len(parts)
    assert parts[-1].days_paid_to_date == whole.days_paid_to_date
    assert whole.days_paid <= 28 * max(len(days), 1) * len(spells)
    for part in parts:
        assert part.amount == sum(line.amount for line in part.lines)
        assert (part.reason is None) == (part.amount > 0)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["smp", "sap", "spp", "shpp"]),
    start=st.dates(min_value=FIRST_DAY, max_value=d("2026-06-30")),
    weeks=st.integers(min_value=1, max_value=41),
    awe=amounts,
)
def test_family_pay_month_by_month_adds_up_to_the_whole(
    kind: str, start: dt.date, weeks: int, awe: Decimal
) -> None:
    end = start + dt.timedelta(days=7 * weeks - 1)
    months = _months(start, end)

    def due(first: dt.date, last: dt.date):
        return family_pay_for_period(
            kind=kind,
            leave_start=start,
            leave_end=end,
            period_start=first,
            period_end=last,
            awe=awe,
        )

    whole = due(months[0][0], months[-1][1])
    parts = [due(first, last) for first, last in months]
    assert sum(part.days_paid for part in parts) == whole.days_paid
    assert abs(sum(part.amount for part in parts) - whole.amount) <= D("0.01") * len(parts)
    limit = {"smp": 39, "sap": 39, "spp": 2, "shpp": 37}[kind]
    assert whole.days_paid in (0, 7 * min(weeks, limit))
