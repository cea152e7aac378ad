"""Basic pay for a period from HR's salary terms: whole periods, starters, leavers, pay rises,
unpaid leave and part-time hours, on working or calendar days, each figure explained."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_payroll.engine.errors import InvalidAmount, InvalidInput, PayrollEngineError
from sop_payroll.engine.payslip import PayItemKind
from sop_payroll.pay_runs.earnings import (
    PeriodEarnings,
    TermsSlice,
    UnpaidAbsence,
    basic_pay,
    period_earnings,
)
from sop_shared.calendar import HomeRegion, WorkingCalendar

CALENDAR = WorkingCalendar.load()
LONG_AGO = date(2020, 1, 1)
JUNE = {"period_start": date(2026, 6, 1), "period_end": date(2026, 6, 30)}  # 22 working days


def terms(salary: str, fte: str = "1", since: date = LONG_AGO, to: date | None = None):
    return TermsSlice(since, to, Decimal(salary), Decimal(fte))


def earnings(
    history,
    *,
    start: date = LONG_AGO,
    leaving: date | None = None,
    basis: str = "working_days",
    frequency: str = "monthly",
    period: dict | None = None,
    **more,
) -> PeriodEarnings:
    return period_earnings(
        history,
        start_date=start,
        leaving_date=leaving,
        frequency=frequency,
        basis=basis,
        calendar=CALENDAR,
        **(period or JUNE),
        **more,
    )


def amounts(result: PeriodEarnings) -> list[Decimal]:
    return [item.amount for item in result.pay_items]


# --- whole periods ------------------------------------------------------------------------


def test_a_whole_month_is_a_twelfth_of_the_salary_times_fte_rounded_half_up():
    result = earnings([terms("38000.00", "0.8")])
    assert amounts(result) == [Decimal("2533.33")]  # 30,400 / 12 = 2,533.333...
    (line,) = result.lines
    assert line.item.kind is PayItemKind.BASIC
    assert line.item.description == "Basic pay"
    assert line.explanation == "£38,000.00 × 0.8 ÷ 12 = £2,533.33"
    assert result.notes == ()


def test_half_a_penny_rounds_up():
    # 12,345.66 / 12 = 1,028.805
    assert amounts(earnings([terms("12345.66")])) == [Decimal("1028.81")]


def test_part_time_pay_is_the_full_time_salary_times_fte():
    result = earnings([terms("30000.00", "0.6")])
    assert amounts(result) == [Decimal("1500.00")]
    assert result.explanations == ("£30,000.00 × 0.6 ÷ 12 = £1,500.00",)


@pytest.mark.parametrize(
    ("frequency", "period_end", "expected"),
    [
        ("weekly", date(2026, 6, 5), "750.00"),  # 39,000 / 52
        ("fortnightly", date(2026, 6, 12), "1500.00"),  # / 26
        ("four_weekly", date(2026, 6, 26), "3000.00"),  # / 13
    ],
)
def test_weekly_cycles_divide_by_their_periods_a_year(frequency, period_end, expected):
    result = earnings(
        [terms("39000.00")],
        frequency=frequency,
        period={"period_start": date(2026, 5, 30), "period_end": period_end},
    )
    assert amounts(result) == [Decimal(expected)]


# --- starters and leavers ---------------------------------------------------------------


def test_a_starter_on_the_10th_is_paid_for_the_working_days_from_then():
    result = earnings([terms("38000.00", "0.8", since=date(2026, 6, 10))], start=date(2026, 6, 10))
    # 10-30 June 2026: 15 of June's 22 working days.
    assert amounts(result) == [Decimal("1727.27")]
    assert result.explanations == (
        "£38,000.00 × 0.8 ÷ 12 × 15/22 working days (from 10 Jun 2026) = £1,727.27",
    )
    assert result.pay_items[0].description == "Basic pay (from 10 Jun 2026)"


def test_a_starter_on_the_10th_on_calendar_days():
    result = earnings(
        [terms("38000.00", "0.8", since=date(2026, 6, 10))],
        start=date(2026, 6, 10),
        basis="calendar_days",
    )
    assert amounts(result) == [Decimal("1773.33")]  # 30,400 / 12 x 21/30
    assert result.explanations == (
        "£38,000.00 × 0.8 ÷ 12 × 21/30 calendar days (from 10 Jun 2026) = £1,773.33",
    )


def test_a_leaver_is_paid_to_the_leaving_date():
    history = [terms("38000.00", "0.8")]
    working = earnings(history, leaving=date(2026, 6, 12))
    assert amounts(working) == [Decimal("1151.52")]  # 10 of 22 working days
    assert working.explanations == (
        "£38,000.00 × 0.8 ÷ 12 × 10/22 working days (to 12 Jun 2026) = £1,151.52",
    )
    calendar = earnings(history, leaving=date(2026, 6, 12), basis="calendar_days")
    assert amounts(calendar) == [Decimal("1013.33")]  # 2,533.33... x 12/30


def test_a_starter_who_leaves_in_the_same_month():
    result = earnings([terms("36000.00")], start=date(2026, 6, 8), leaving=date(2026, 6, 19))
    assert amounts(result) == [Decimal("1363.64")]  # 3,000 x 10/22
    assert "(8 to 19 Jun 2026)" in result.explanations[0]


@pytest.mark.parametrize(
    ("start", "leaving"),
    [(date(2026, 7, 1), None), (LONG_AGO, date(2026, 5, 31)), (date(2026, 7, 1), date(2026, 8, 1))],
)
def test_no_pay_for_a_period_wholly_before_starting_or_after_leaving(start, leaving):
    result = earnings([terms("38000.00")], start=start, leaving=leaving)
    assert result.lines == ()
    assert result.total == Decimal("0.00")


def test_a_starter_over_christmas_counts_the_bank_holidays_out():
    # December 2026: 23 weekdays less Christmas Day and the substitute Boxing Day (28th).
    result = earnings(
        [terms("36000.00")],
        start=date(2026, 12, 21),
        period={"period_start": date(2026, 12, 1), "period_end": date(2026, 12, 31)},
    )
    # 21-31 December: 9 weekdays, 7 working days.
    assert amounts(result) == [Decimal("1000.00")]  # 3,000 x 7/21
    assert "7/21 working days" in result.explanations[0]


def test_bank_holidays_are_the_home_regions():
    # November 2026: St Andrew's Day (Monday 30th) is a holiday in Scotland only.
    november = {"period_start": date(2026, 11, 1), "period_end": date(2026, 11, 30)}
    history = [terms("36000.00")]
    england = earnings(history, start=date(2026, 11, 16), period=november)
    scotland = earnings(
        history, start=date(2026, 11, 16), period=november, region=HomeRegion.SCOTLAND
    )
    assert amounts(england) == [Decimal("1571.43")]  # 3,000 x 11/21
    assert amounts(scotland) == [Decimal("1500.00")]  # 3,000 x 10/20
    assert amounts(
        earnings(history, start=date(2026, 11, 16), period=november, region="wales")
    ) == [Decimal("1571.43")]


def test_a_weekly_starter_in_easter_week():
    # Saturday 4 to Friday 10 April 2026: Easter Monday leaves 4 working days.
    week = {"period_start": date(2026, 4, 4), "period_end": date(2026, 4, 10)}
    history = [terms("52000.00")]
    working = earnings(history, start=date(2026, 4, 8), frequency="weekly", period=week)
    calendar = earnings(
        history, start=date(2026, 4, 8), frequency="weekly", period=week, basis="calendar_days"
    )
    assert amounts(working) == [Decimal("750.00")]  # 1,000 x 3/4
    assert amounts(calendar) == [Decimal("428.57")]  # 1,000 x 3/7


# --- changes of terms -------------------------------------------------------------------


def test_a_pay_rise_mid_month_splits_the_month_at_the_change():
    history = [
        terms("38000.00", to=date(2026, 6, 14)),
        terms("41000.00", since=date(2026, 6, 15)),
    ]
    result = earnings(history)
    # 1-14 June: 10 working days; 15-30 June: 12.
    assert amounts(result) == [Decimal("1439.39"), Decimal("1863.64")]
    assert result.explanations == (
        "£38,000.00 ÷ 12 × 10/22 working days (to 14 Jun 2026) = £1,439.39",
        "£41,000.00 ÷ 12 × 12/22 working days (from 15 Jun 2026) = £1,863.64",
    )
    assert result.total == Decimal("3303.03")


def test_terms_are_taken_in_date_order_whatever_order_they_come_in():
    history = [
        terms("41000.00", since=date(2026, 6, 15)),
        terms("38000.00", to=date(2026, 6, 14)),
    ]
    assert amounts(earnings(history)) == [Decimal("1439.39"), Decimal("1863.64")]


def test_a_change_of_hours_mid_month():
    history = [
        terms("36000.00", "1", to=date(2026, 6, 14)),
        terms("36000.00", "0.5", since=date(2026, 6, 15)),
    ]
    result = earnings(history, basis="calendar_days")
    assert amounts(result) == [
        Decimal("1400.00"),
        Decimal("800.00"),
    ]  # 3,000 x 14/30; 1,500 x 16/30


def test_a_new_row_on_the_same_pay_is_one_item_for_the_whole_month():
    history = [
        terms("38000.00", "0.8", to=date(2026, 6, 9)),
        terms("38000.00", "0.80", since=date(2026, 6, 10)),
    ]
    result = earnings(history)
    assert amounts(result) == [Decimal("2533.33")]
    assert result.explanations == ("£38,000.00 × 0.8 ÷ 12 = £2,533.33",)


def test_days_without_terms_are_not_paid_here_and_say_so():
    # Moved to this pay group's frequency on the 10th: the days before belong to another.
    result = earnings([terms("38000.00", since=date(2026, 6, 10))])
    assert amounts(result) == [Decimal("2159.09")]  # 38,000 / 12 x 15/22
    assert result.notes == (
        "No salary terms in force 1 to 9 Jun 2026: not paid for those days here",
    )


def test_terms_ending_mid_month_leave_the_rest_unpaid_and_noted():
    result = earnings([terms("38000.00", to=date(2026, 6, 19))])
    assert amounts(result) == [Decimal("2159.09")]  # 15 of 22 working days
    assert result.notes == (
        "No salary terms in force 20 to 30 Jun 2026: not paid for those days here",
    )


# --- unpaid leave -------------------------------------------------------------------------


def test_three_days_unpaid_leave_deduct_three_days_pay():
    result = earnings(
        [terms("38000.00", "0.8")],
        unpaid_absences=[UnpaidAbsence(date(2026, 6, 3), date(2026, 6, 5))],
    )
    assert amounts(result) == [Decimal("2533.33"), Decimal("-345.45")]  # 30,400/12/22 x 3
    deduction = result.lines[1]
    assert deduction.item.kind is PayItemKind.BASIC
    assert deduction.item.description == "Unpaid leave 3 to 5 Jun 2026"
    assert deduction.explanation == (
        "Unpaid leave 3 to 5 Jun 2026: £38,000.00 × 0.8 ÷ 12 ÷ 22 working days × 3 "
        "= £345.45 deducted"
    )
    assert result.total == Decimal("2187.88")


def test_unpaid_leave_over_a_weekend_counts_working_or_calendar_days():
    absence = [UnpaidAbsence(date(2026, 6, 5), date(2026, 6, 8))]  # Friday to Monday
    working = earnings([terms("36000.00")], unpaid_absences=absence)
    calendar = earnings([terms("36000.00")], unpaid_absences=absence, basis="calendar_days")
    assert amounts(working)[1] == Decimal("-272.73")  # 3,000 / 22 x 2
    assert amounts(calendar)[1] == Decimal("-400.00")  # 3,000 / 30 x 4


def test_unpaid_leave_across_a_pay_rise_is_deducted_at_each_days_salary():
    history = [
        terms("38000.00", to=date(2026, 6, 14)),
        terms("41000.00", since=date(2026, 6, 15)),
    ]
    result = earnings(
        history, unpaid_absences=[UnpaidAbsence(date(2026, 6, 10), date(2026, 6, 16))]
    )
    # 10-12 June at 38,000 (3 working days), 15-16 June at 41,000 (2).
    assert amounts(result)[2:] == [Decimal("-431.82"), Decimal("-310.61")]
    assert [item.description for item in result.pay_items[2:]] == [
        "Unpaid leave 10 to 14 Jun 2026",
        "Unpaid leave 15 to 16 Jun 2026",
    ]


def test_unpaid_leave_outside_the_period_or_employment_is_not_deducted():
    result = earnings(
        [terms("36000.00", since=date(2026, 6, 15))],
        start=date(2026, 6, 15),
        unpaid_absences=[
            UnpaidAbsence(date(2026, 5, 20), date(2026, 6, 2)),  # before starting
            UnpaidAbsence(date(2026, 6, 13), date(2026, 6, 14)),  # a weekend
        ],
    )
    assert [line.item.amount > 0 for line in result.lines] == [True]


def test_overlapping_absences_count_each_day_once():
    result = earnings(
        [terms("36000.00")],
        unpaid_absences=[
            UnpaidAbsence(date(2026, 6, 3), date(2026, 6, 4)),
            UnpaidAbsence(date(2026, 6, 4), date(2026, 6, 5)),
        ],
    )
    assert amounts(result) == [Decimal("3000.00"), Decimal("-409.09")]  # 3 days, not 4


def test_a_whole_month_unpaid_leaves_nothing_and_never_less():
    history = [
        terms("38000.00", "0.8", to=date(2026, 6, 14)),
        terms("41000.00", "0.8", since=date(2026, 6, 15)),
    ]
    result = earnings(history, unpaid_absences=[UnpaidAbsence(date(2026, 5, 1), date(2026, 7, 31))])
    assert result.total == Decimal("0.00")
    assert len(result.lines) == 4


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "field"),
    [
        ([terms("38000.00", "0")], "terms[0].fte"),
        ([terms("38000.00", "1.2")], "terms[0].fte"),
        ([TermsSlice(LONG_AGO, None, Decimal("38000.00"), 0.8)], "terms[0].fte"),
        ([terms("38000.00", to=date(2019, 1, 1))], "terms[0].effective_to"),
        (
            [terms("38000.00", to=date(2026, 6, 20)), terms("39000.00", since=date(2026, 6, 15))],
            "terms",
        ),
        ([terms("38000.00"), terms("39000.00", since=date(2026, 6, 15))], "terms"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(history, field):
    with pytest.raises(InvalidInput) as refused:
        earnings(history)
    assert refused.value.field == field


def test_a_salary_with_fractions_of_a_penny_is_refused():
    with pytest.raises(InvalidAmount) as refused:
        earnings([terms("38000.001")])
    assert refused.value.field == "terms[0].annual_salary"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"basis": "hours"}, "basis"),
        ({"region": "mars"}, "region"),
        ({"frequency": "daily"}, "frequency"),
        (
            {"period": {"period_start": date(2026, 6, 30), "period_end": date(2026, 6, 1)}},
            "period_end",
        ),
        ({"start": date(2026, 6, 10), "leaving": date(2026, 6, 9)}, "leaving_date"),
        (
            {"unpaid_absences": [UnpaidAbsence(date(2026, 6, 5), date(2026, 6, 3))]},
            "unpaid_absences[0].end_date",
        ),
        (
            {
                "period": {"period_start": date(2030, 6, 1), "period_end": date(2030, 6, 30)},
                "start": date(2030, 6, 1),
            },
            "period_start",
        ),
    ],
)
def test_bad_arguments_are_refused_naming_them(arguments, field):
    with pytest.raises(PayrollEngineError) as refused:
        earnings([terms("38000.00")], **arguments)
    assert refused.value.field == field


# --- as the pay run calls it ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HrTerms:
    """Terms as HR's API hands them over, with fields earnings does not need."""

    effective_from: date
    effective_to: date | None
    annual_salary: Decimal
    fte: Decimal
    org_unit_id: uuid.UUID
    pay_frequency: str


def test_basic_pay_takes_hr_terms_and_gives_items_and_every_explanation():
    items, explanation = basic_pay(
        slices=[
            HrTerms(
                date(2026, 6, 10),
                None,
                Decimal("38000.00"),
                Decimal("0.8"),
                uuid.uuid4(),
                "monthly",
            )
        ],
        start_date=date(2026, 6, 1),
        leaving_date=None,
        period_start=date(2026, 6, 1),
        period_end=date(2026, 6, 30),
        frequency="monthly",
        proration="working_days",
        region="england",
    )
    assert [item.amount for item in items] == [Decimal("1727.27")]
    assert explanation == [
        "£38,000.00 × 0.8 ÷ 12 × 15/22 working days (from 10 Jun 2026) = £1,727.27",
        "No salary terms in force 1 to 9 Jun 2026: not paid for those days here",
    ]


# --- properties -------------------------------------------------------------------------

PENNY = Decimal("0.01")
salaries = st.decimals(min_value=1, max_value=250_000, places=2, allow_nan=False)
ftes = st.sampled_from(
    [Decimal("1"), Decimal("0.8"), Decimal("0.6"), Decimal("0.33"), Decimal("0.1234")]
)
bases = st.sampled_from(["working_days", "calendar_days"])


@st.composite
def periods(draw):
    """A pay period of 2026 and a day within it after its first."""
    frequency = draw(st.sampled_from(["monthly", "weekly", "fortnightly", "four_weekly"]))
    if frequency == "monthly":
        month = draw(st.integers(min_value=1, max_value=12))
        start = date(2026, month, 1)
        end = (date(2026, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    else:
        length = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}[frequency]
        end = date(2026, 1, 2) + timedelta(days=draw(st.integers(min_value=0, max_value=330)))
        start = end - timedelta(days=length - 1)
    split = start + timedelta(days=draw(st.integers(min_value=1, max_value=(end - start).days)))
    return frequency, {"period_start": start, "period_end": end}, split


@settings(max_examples=200, deadline=None)
@given(periods(), salaries, ftes, bases)
def test_two_slices_on_the_same_salary_pay_the_whole_period(case, salary, fte, basis):
    frequency, period, split = case
    whole = earnings(
        [TermsSlice(LONG_AGO, None, salary, fte)], frequency=frequency, period=period, basis=basis
    )
    split_terms = earnings(
        [
            TermsSlice(LONG_AGO, split - timedelta(days=1), salary, fte),
            TermsSlice(split, None, salary, fte),
        ],
        frequency=frequency,
        period=period,
        basis=basis,
    )
    assert abs(split_terms.total - whole.total) <= PENNY
    # A leaver the day before the split and a starter on it share the period out between them.
    leaver = earnings(
        [TermsSlice(LONG_AGO, None, salary, fte)],
        leaving=split - timedelta(days=1),
        frequency=frequency,
        period=period,
        basis=basis,
    )
    starter = earnings(
        [TermsSlice(split, None, salary, fte)],
        start=split,
        frequency=frequency,
        period=period,
        basis=basis,
    )
    assert abs(leaver.total + starter.total - whole.total) <= PENNY


@settings(max_examples=200, deadline=None)
@given(
    periods(),
    salaries,
    salaries,
    bases,
    st.lists(
        st.tuples(st.integers(min_value=-5, max_value=35), st.integers(min_value=0, max_value=10)),
        max_size=4,
    ),
)
def test_pay_with_unpaid_leave_stays_between_nothing_and_the_unbroken_pay(
    case, first_salary, second_salary, basis, leave
):
    frequency, period, split = case
    history = [
        TermsSlice(LONG_AGO, split - timedelta(days=1), first_salary, Decimal("1")),
        TermsSlice(split, None, second_salary, Decimal("0.5")),
    ]
    absences = [
        UnpaidAbsence(
            period["period_start"] + timedelta(days=offset),
            period["period_start"] + timedelta(days=offset + length),
        )
        for offset, length in leave
    ]
    unbroken = earnings(history, frequency=frequency, period=period, basis=basis)
    with_leave = earnings(
        history, frequency=frequency, period=period, basis=basis, unpaid_absences=absences
    )
    assert Decimal("0.00") <= with_leave.total <= unbroken.total
    assert all(item.amount < 0 for item in with_leave.pay_items[len(unbroken.lines) :])
