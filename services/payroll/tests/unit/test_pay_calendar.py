"""A pay group's calendar: pay dates moved over weekends and bank holidays, tax months and
weeks from the contractual pay date, weeks 53, 54 and 56, FPS numbers and frequencies."""

from __future__ import annotations

from datetime import date

import pytest

from sop_payroll.engine.errors import InvalidInput
from sop_payroll.engine.frequency import PayFrequency
from sop_payroll.pay_groups.calendar import (
    FpsFrequency,
    PayCalendarError,
    PayCalendarRule,
    PayDayRule,
    period_for,
    periods,
    tax_month,
    tax_week,
    tax_year_of,
)
from sop_shared.calendar import BankHoliday, Division, HomeRegion, WorkingCalendar

CALENDAR = WorkingCalendar.load()


def _holidays(*days: tuple[int, int, str]) -> list[BankHoliday]:
    return [BankHoliday(date(2028, month, day), title, False) for month, day, title in days]


# The shipped GOV.UK file ends with 2027. Tax year 2027-28 (the next with a week 53 in a leap
# year) needs 2028's holidays: these are the dates the bank holiday rules give for 2028.
_2028 = {
    Division.ENGLAND_AND_WALES: _holidays(
        (1, 3, "New Year's Day"),
        (4, 14, "Good Friday"),
        (4, 17, "Easter Monday"),
        (5, 1, "Early May bank holiday"),
        (5, 29, "Spring bank holiday"),
        (8, 28, "Summer bank holiday"),
        (12, 25, "Christmas Day"),
        (12, 26, "Boxing Day"),
    ),
    Division.SCOTLAND: _holidays(
        (1, 3, "New Year's Day"),
        (1, 4, "2nd January"),
        (4, 14, "Good Friday"),
        (5, 1, "Early May bank holiday"),
        (5, 29, "Spring bank holiday"),
        (8, 7, "Summer bank holiday"),
        (11, 30, "St Andrew's Day"),
        (12, 25, "Christmas Day"),
        (12, 26, "Boxing Day"),
    ),
    Division.NORTHERN_IRELAND: _holidays(
        (1, 3, "New Year's Day"),
        (3, 17, "St Patrick's Day"),
        (4, 14, "Good Friday"),
        (4, 17, "Easter Monday"),
        (5, 1, "Early May bank holiday"),
        (5, 29, "Spring bank holiday"),
        (7, 12, "Battle of the Boyne"),
        (8, 28, "Summer bank holiday"),
        (12, 25, "Christmas Day"),
        (12, 26, "Boxing Day"),
    ),
}
WITH_2028 = WorkingCalendar(
    {
        division: [
            *CALENDAR.bank_holidays(division, date(CALENDAR.first_year, 1, 1), date(2027, 12, 31)),
            *_2028[division],
        ]
        for division in Division
    }
)
MONTHLY_LAST = PayCalendarRule(PayFrequency.MONTHLY, PayDayRule.LAST_WORKING_DAY)


def monthly_fixed(day: int, region: HomeRegion = HomeRegion.ENGLAND) -> PayCalendarRule:
    return PayCalendarRule(PayFrequency.MONTHLY, PayDayRule.FIXED_DAY, fixed_day=day, region=region)


def cycle(frequency: PayFrequency, anchor: date, **settings) -> PayCalendarRule:
    return PayCalendarRule(frequency, anchor_date=anchor, **settings)


# --- monthly, last working day ------------------------------------------------------------


def test_last_working_day_pay_dates_of_2026_27():
    year = periods(MONTHLY_LAST, "2026-27", CALENDAR)
    assert [p.pay_date for p in year] == [
        date(2026, 4, 30),
        date(2026, 5, 29),  # 31 May 2026 is a Sunday
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 28),  # 31 August is the Summer bank holiday, 29-30 a weekend
        date(2026, 9, 30),
        date(2026, 10, 30),
        date(2026, 11, 30),
        date(2026, 12, 31),  # a Thursday
        date(2027, 1, 29),
        date(2027, 2, 26),
        date(2027, 3, 31),
    ]
    # The contract's pay day is the last working day itself: nothing is moved.
    assert all(p.payment_date == p.pay_date for p in year)
    assert [p.number for p in year] == list(range(1, 13))
    assert [p.tax_period for p in year] == list(range(1, 13))
    assert [p.week_or_month_number for p in year] == list(range(1, 13))
    assert {p.fps_frequency for p in year} == {FpsFrequency.M1}
    assert not any(p.week53_basis for p in year)


def test_may_2027_pays_on_friday_28th_before_the_spring_bank_holiday():
    year = periods(MONTHLY_LAST, "2027-28", WITH_2028)
    may = year[1]
    assert may.pay_date == may.payment_date == date(2027, 5, 28)  # 31 May 2027 a holiday
    assert may.tax_period == 2
    assert year[0].pay_date == date(2027, 4, 30)
    assert year[-1].pay_date == date(2028, 3, 31)


def test_a_year_past_the_known_bank_holidays_is_refused_naming_the_tax_year():
    with pytest.raises(PayCalendarError) as refused:
        periods(MONTHLY_LAST, "2027-28", CALENDAR)
    assert refused.value.field == "tax_year"
    assert "2028-01-31" in refused.value.message


def test_a_monthly_period_covers_the_calendar_month_of_its_pay_date():
    december = period_for(MONTHLY_LAST, "2026-27", 9, CALENDAR)
    assert (december.start, december.end) == (date(2026, 12, 1), date(2026, 12, 31))
    february = period_for(MONTHLY_LAST, "2026-27", 11, CALENDAR)
    assert (february.start, february.end) == (date(2027, 2, 1), date(2027, 2, 28))


def test_pay_in_arrears_moves_the_month_covered_not_the_tax_month():
    rule = PayCalendarRule(
        PayFrequency.MONTHLY, PayDayRule.FIXED_DAY, fixed_day=7, pay_in_arrears_days=10
    )
    june = period_for(rule, "2026-27", 3, CALENDAR)
    assert june.pay_date == date(2026, 6, 7)
    assert (june.start, june.end) == (date(2026, 5, 1), date(2026, 5, 31))
    assert june.tax_period == 3


# --- monthly, fixed day ------------------------------------------------------------------


def test_a_25th_on_a_saturday_is_paid_on_friday_24th():
    year = periods(monthly_fixed(25), "2026-27", CALENDAR)
    july = next(p for p in year if p.pay_date == date(2026, 7, 25))  # a Saturday
    assert july.payment_date == date(2026, 7, 24)
    assert july.tax_period == 4


def test_a_fixed_day_keeps_the_contractual_date_for_the_fps():
    year = periods(monthly_fixed(25), "2026-27", CALENDAR)
    moved = {p.pay_date: p.payment_date for p in year if p.pay_date != p.payment_date}
    assert moved == {
        date(2026, 4, 25): date(2026, 4, 24),  # Saturday
        date(2026, 5, 25): date(2026, 5, 22),  # Spring bank holiday
        date(2026, 7, 25): date(2026, 7, 24),  # Saturday
        date(2026, 10, 25): date(2026, 10, 23),  # Sunday
        date(2026, 12, 25): date(2026, 12, 24),  # Christmas Day
    }


def test_christmas_and_boxing_day_move_pay_back_to_christmas_eve():
    # 28 December 2026 is the substitute Boxing Day; 26-27 the weekend; 25th Christmas Day.
    year = periods(monthly_fixed(28), "2026-27", CALENDAR)
    december = next(p for p in year if p.pay_date.month == 12)
    assert december.pay_date == date(2026, 12, 28)
    assert december.payment_date == date(2026, 12, 24)


def test_easter_moves_pay_back_over_good_friday():
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    year = periods(monthly_fixed(29), "2026-27", CALENDAR)
    march = year[-1]
    assert march.pay_date == date(2027, 3, 29)
    assert march.payment_date == date(2027, 3, 25)


def test_a_day_past_the_end_of_a_short_month_is_its_last_day():
    year = periods(monthly_fixed(31), "2026-27", CALENDAR)
    assert [p.pay_date.day for p in year] == [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31]
    february = year[10]
    assert (february.pay_date, february.payment_date) == (date(2027, 2, 28), date(2027, 2, 26))


def test_tax_month_of_the_pay_date_5_may_is_month_1_and_6_may_month_2():
    assert tax_month(date(2026, 5, 5)) == 1
    assert tax_month(date(2026, 5, 6)) == 2
    assert tax_month(date(2026, 4, 6)) == 1
    assert tax_month(date(2027, 4, 5)) == 12
    assert tax_month(date(2027, 1, 5)) == 9


def test_pay_on_the_5th_belongs_to_the_month_before():
    on_5th = periods(monthly_fixed(5), "2026-27", CALENDAR)
    # 5 April 2026 is month 12 of 2025-26; 5 April 2027 month 12 of 2026-27.
    assert on_5th[0].pay_date == date(2026, 5, 5)
    assert on_5th[0].tax_period == 1
    assert on_5th[-1].pay_date == date(2027, 4, 5)
    assert on_5th[-1].week_or_month_number == 12
    on_6th = periods(monthly_fixed(6), "2026-27", CALENDAR)
    assert on_6th[0].pay_date == date(2026, 4, 6)
    assert on_6th[1].pay_date == date(2026, 5, 6)
    assert on_6th[1].tax_period == 2
    # 6 April 2026 is Easter Monday, 3 April Good Friday: paid on Thursday 2 April, in the
    # old tax year, yet taxed in month 1 of the new one (the contractual date decides).
    assert on_6th[0].payment_date == date(2026, 4, 2)
    assert on_6th[0].tax_period == 1


# --- regions ---------------------------------------------------------------------------


def test_scotland_pays_on_its_own_working_days():
    england = periods(MONTHLY_LAST, "2026-27", CALENDAR)
    scotland = periods(
        PayCalendarRule(
            PayFrequency.MONTHLY, PayDayRule.LAST_WORKING_DAY, region=HomeRegion.SCOTLAND
        ),
        "2026-27",
        CALENDAR,
    )
    # Scotland's summer holiday is 3 August, England's 31 August; St Andrew's Day (Monday 30
    # November) is Scottish only.
    assert england[4].pay_date == date(2026, 8, 28)
    assert scotland[4].pay_date == date(2026, 8, 31)
    assert england[7].pay_date == date(2026, 11, 30)
    assert scotland[7].pay_date == date(2026, 11, 27)


def test_scotland_moves_a_fixed_day_over_2nd_january():
    # 2 January 2027 is a Saturday; Scotland's substitute holiday is Monday 4 January.
    england = periods(monthly_fixed(4), "2026-27", CALENDAR)
    scotland = periods(monthly_fixed(4, HomeRegion.SCOTLAND), "2026-27", CALENDAR)
    assert england[8].pay_date == scotland[8].pay_date == date(2027, 1, 4)
    assert england[8].payment_date == date(2027, 1, 4)
    assert scotland[8].payment_date == date(2026, 12, 31)


def test_a_region_may_be_given_by_its_value():
    rule = PayCalendarRule(
        PayFrequency.MONTHLY,
        PayDayRule.LAST_WORKING_DAY,
        region="scotland",
    )
    assert rule.region is HomeRegion.SCOTLAND


# --- weekly cycles ------------------------------------------------------------------------


def test_weekly_pay_dates_and_tax_weeks():
    # Fridays from 10 April 2026: tax week 1 is 6-12 April.
    year = periods(cycle(PayFrequency.WEEKLY, date(2026, 4, 10)), "2026-27", CALENDAR)
    assert len(year) == 52
    assert [p.week_or_month_number for p in year] == list(range(1, 53))
    assert [p.tax_period for p in year] == list(range(1, 53))
    assert year[0].pay_date == date(2026, 4, 10)
    assert year[-1].pay_date == date(2027, 4, 2)
    assert {p.fps_frequency for p in year} == {FpsFrequency.W1}
    assert not any(p.week53_basis for p in year)
    christmas = next(p for p in year if p.pay_date == date(2026, 12, 25))
    assert christmas.payment_date == date(2026, 12, 24)
    assert christmas.week_or_month_number == 38
    good_friday = next(p for p in year if p.pay_date == date(2027, 3, 26))
    assert good_friday.payment_date == date(2027, 3, 25)
    assert good_friday.week_or_month_number == 51


def test_a_weekly_period_covers_the_seven_days_ending_on_the_pay_date():
    first = period_for(cycle(PayFrequency.WEEKLY, date(2026, 4, 10)), "2026-27", 1, CALENDAR)
    assert (first.start, first.end) == (date(2026, 4, 4), date(2026, 4, 10))
    in_arrears = period_for(
        cycle(PayFrequency.WEEKLY, date(2026, 4, 10), pay_in_arrears_days=7), "2026-27", 1, CALENDAR
    )
    assert (in_arrears.start, in_arrears.end) == (date(2026, 3, 28), date(2026, 4, 3))


def test_the_anchor_may_be_any_pay_date_of_the_cycle():
    from_anchor = periods(cycle(PayFrequency.FORTNIGHTLY, date(2026, 4, 17)), "2026-27", CALENDAR)
    from_later = periods(cycle(PayFrequency.FORTNIGHTLY, date(2026, 10, 30)), "2026-27", CALENDAR)
    from_earlier = periods(cycle(PayFrequency.FORTNIGHTLY, date(2025, 1, 10)), "2026-27", CALENDAR)
    assert from_anchor == from_later == from_earlier
    assert from_anchor[0].pay_date == date(2026, 4, 17)


def test_fortnightly_reports_the_week_of_the_pay_date_and_counts_periods_for_the_engine():
    # Fridays from 10 April 2026 (week 1): weeks 1, 3, 5 ... are the engine's periods 1, 2, 3.
    odd = periods(cycle(PayFrequency.FORTNIGHTLY, date(2026, 4, 10)), "2026-27", CALENDAR)
    assert len(odd) == 26
    assert [p.week_or_month_number for p in odd[:3]] == [1, 3, 5]
    assert [p.tax_period for p in odd] == list(range(1, 27))
    # From 17 April (week 2): weeks 2, 4, 6 ...
    even = periods(cycle(PayFrequency.FORTNIGHTLY, date(2026, 4, 17)), "2026-27", CALENDAR)
    assert [p.week_or_month_number for p in even[:3]] == [2, 4, 6]
    assert [p.tax_period for p in even[:3]] == [1, 2, 3]
    assert {p.fps_frequency for p in even} == {FpsFrequency.W2}
    assert (even[0].start, even[0].end) == (date(2026, 4, 4), date(2026, 4, 17))


def test_four_weekly_periods():
    year = periods(cycle(PayFrequency.FOUR_WEEKLY, date(2026, 4, 30)), "2026-27", CALENDAR)
    assert len(year) == 13
    assert year[0].pay_date == date(2026, 4, 30)
    assert [p.week_or_month_number for p in year[:3]] == [4, 8, 12]
    assert [p.tax_period for p in year] == list(range(1, 14))
    assert {p.fps_frequency for p in year} == {FpsFrequency.W4}
    assert (year[0].start, year[0].end) == (date(2026, 4, 3), date(2026, 4, 30))


# --- weeks 53, 54 and 56 -----------------------------------------------------------------


def test_a_weekly_pay_date_on_5_april_is_week_53_on_the_week_1_basis():
    # Mondays from 6 April 2026: the 53rd is Monday 5 April 2027.
    year = periods(cycle(PayFrequency.WEEKLY, date(2026, 4, 6)), "2026-27", CALENDAR)
    assert len(year) == 53
    last = year[-1]
    assert last.pay_date == last.payment_date == date(2027, 4, 5)
    assert (last.number, last.tax_period, last.week_or_month_number) == (53, 53, 53)
    assert last.week53_basis
    assert not any(p.week53_basis for p in year[:-1])
    # The first pay date, Easter Monday, is paid on Thursday 2 April (Good Friday before it),
    # in week 1 of the new year all the same.
    assert (year[0].payment_date, year[0].week_or_month_number) == (date(2026, 4, 2), 1)


def test_a_fortnightly_pay_date_in_week_53_is_week_54():
    year = periods(cycle(PayFrequency.FORTNIGHTLY, date(2026, 4, 6)), "2026-27", CALENDAR)
    assert len(year) == 27
    last = year[-1]
    assert last.pay_date == date(2027, 4, 5)
    assert (last.tax_period, last.week_or_month_number, last.week53_basis) == (27, 54, True)
    assert year[-2].week_or_month_number == 51


def test_a_four_weekly_pay_date_in_week_53_is_week_56():
    year = periods(cycle(PayFrequency.FOUR_WEEKLY, date(2026, 4, 6)), "2026-27", CALENDAR)
    assert len(year) == 14
    last = year[-1]
    assert last.pay_date == date(2027, 4, 5)
    assert (last.tax_period, last.week_or_month_number, last.week53_basis) == (14, 56, True)
    assert last.fps_frequency is FpsFrequency.W4


def test_a_pay_date_on_4_april_is_week_52_but_in_a_leap_year_week_53():
    assert tax_week(date(2027, 4, 4)) == 52
    assert tax_week(date(2027, 4, 5)) == 53
    assert tax_week(date(2028, 4, 3)) == 52
    assert tax_week(date(2028, 4, 4)) == 53  # 2027-28 holds 29 February 2028
    assert tax_week(date(2028, 4, 5)) == 53
    assert tax_week(date(2026, 4, 12)) == 1
    assert tax_week(date(2026, 4, 13)) == 2
    assert tax_year_of(date(2028, 4, 5)) == "2027-28"
    assert tax_year_of(date(2028, 4, 6)) == "2028-29"


def test_a_leap_year_weekly_pay_date_on_4_april_is_week_53():
    # Tuesdays from 6 April 2027: the 53rd is Tuesday 4 April 2028.
    year = periods(cycle(PayFrequency.WEEKLY, date(2027, 4, 6)), "2027-28", WITH_2028)
    assert len(year) == 53
    assert year[-1].pay_date == date(2028, 4, 4)
    assert year[-1].week53_basis
    # Wednesday 5 April 2028 is in week 53 too; Thursdays end on 30 March 2028, in week 52.
    wednesdays = periods(cycle(PayFrequency.WEEKLY, date(2027, 4, 7)), "2027-28", WITH_2028)
    assert (len(wednesdays), wednesdays[-1].pay_date) == (53, date(2028, 4, 5))
    assert wednesdays[-1].week_or_month_number == 53
    thursdays = periods(cycle(PayFrequency.WEEKLY, date(2027, 4, 8)), "2027-28", WITH_2028)
    assert (len(thursdays), thursdays[-1].pay_date) == (52, date(2028, 3, 30))
    assert not any(p.week53_basis for p in thursdays)
    # Mondays from 12 April 2027 end on 3 April 2028, in week 52.
    mondays = periods(cycle(PayFrequency.WEEKLY, date(2027, 4, 12)), "2027-28", WITH_2028)
    assert mondays[-1].pay_date == date(2028, 4, 3)
    assert mondays[-1].week_or_month_number == 52


# --- bad settings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"frequency": "daily", "anchor_date": date(2026, 4, 10)}, "frequency"),
        ({"frequency": PayFrequency.MONTHLY}, "pay_day"),
        (
            {
                "frequency": PayFrequency.MONTHLY,
                "pay_day": "last_working_day",
                "anchor_date": date(2026, 4, 10),
            },
            "anchor_date",
        ),
        ({"frequency": PayFrequency.MONTHLY, "pay_day": "fixed_day"}, "fixed_day"),
        ({"frequency": PayFrequency.MONTHLY, "pay_day": "fixed_day", "fixed_day": 32}, "fixed_day"),
        ({"frequency": PayFrequency.MONTHLY, "pay_day": "fixed_day", "fixed_day": 0}, "fixed_day"),
        (
            {"frequency": PayFrequency.MONTHLY, "pay_day": "last_working_day", "fixed_day": 25},
            "fixed_day",
        ),
        ({"frequency": PayFrequency.MONTHLY, "pay_day": "payday"}, "pay_day"),
        ({"frequency": PayFrequency.WEEKLY}, "anchor_date"),
        (
            {"frequency": PayFrequency.WEEKLY, "pay_day": "fixed_day", "fixed_day": 5},
            "pay_day",
        ),
        (
            {"frequency": PayFrequency.WEEKLY, "anchor_date": date(2026, 4, 10), "region": "mars"},
            "region",
        ),
        (
            {
                "frequency": PayFrequency.WEEKLY,
                "anchor_date": date(2026, 4, 10),
                "pay_in_arrears_days": -1,
            },
            "pay_in_arrears_days",
        ),
    ],
)
def test_a_bad_setting_is_refused_naming_it(settings, field):
    with pytest.raises(PayCalendarError) as refused:
        PayCalendarRule(**settings)
    assert refused.value.field == field
    assert isinstance(refused.value, InvalidInput)


@pytest.mark.parametrize("tax_year", ["2026", "2026-28", "26-27", "2026/27", ""])
def test_a_malformed_tax_year_is_refused(tax_year):
    with pytest.raises(PayCalendarError) as refused:
        periods(MONTHLY_LAST, tax_year, CALENDAR)
    assert refused.value.field == "tax_year"


@pytest.mark.parametrize("number", [0, 13, True])
def test_a_period_number_outside_the_year_is_refused(number):
    with pytest.raises(PayCalendarError) as refused:
        period_for(MONTHLY_LAST, "2026-27", number, CALENDAR)
    assert refused.value.field == "number"


def test_period_53_exists_only_in_a_year_with_a_week_53():
    rule = cycle(PayFrequency.WEEKLY, date(2026, 4, 10))
    assert period_for(rule, "2026-27", 52, CALENDAR).pay_date == date(2027, 4, 2)
    with pytest.raises(PayCalendarError):
        period_for(rule, "2026-27", 53, CALENDAR)
