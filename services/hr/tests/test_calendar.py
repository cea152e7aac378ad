"""The bank holiday data shipped with HR and working-day counting (no database)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from sop_shared.calendar import Division, HomeRegion, OutsideCalendar, WorkingCalendar

CAL = WorkingCalendar.load()


def holidays(region: HomeRegion, year: int) -> dict[date, tuple[str, bool]]:
    found = CAL.bank_holidays(region, date(year, 1, 1), date(year, 12, 31))
    return {h.date: (h.title, h.substitute) for h in found}


def test_the_shipped_data_covers_2024_to_2027_at_least():
    assert CAL.first_year <= 2024 and CAL.last_year >= 2027


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
@pytest.mark.parametrize(
    ("region", "count"),
    [
        (HomeRegion.ENGLAND, 8),
        (HomeRegion.WALES, 8),
        (HomeRegion.SCOTLAND, 9),
        (HomeRegion.NORTHERN_IRELAND, 10),
    ],
)
def test_each_region_has_its_number_of_bank_holidays_on_weekdays(region, count, year):
    days = holidays(region, year)
    assert len(days) == count
    assert all(d.weekday() < 5 for d in days)


@pytest.mark.parametrize(
    ("region", "day", "title"),
    [
        (HomeRegion.ENGLAND, date(2026, 12, 28), "Boxing Day"),
        (HomeRegion.ENGLAND, date(2027, 12, 27), "Christmas Day"),
        (HomeRegion.ENGLAND, date(2027, 12, 28), "Boxing Day"),
        (HomeRegion.SCOTLAND, date(2027, 1, 4), "2nd January"),
        (HomeRegion.SCOTLAND, date(2024, 12, 2), "St Andrew’s Day"),
        (HomeRegion.SCOTLAND, date(2025, 12, 1), "St Andrew’s Day"),
        (HomeRegion.NORTHERN_IRELAND, date(2024, 3, 18), "St Patrick’s Day"),
        (HomeRegion.NORTHERN_IRELAND, date(2025, 7, 14), "Battle of the Boyne (Orangemen’s Day)"),
        (HomeRegion.NORTHERN_IRELAND, date(2026, 7, 13), "Battle of the Boyne (Orangemen’s Day)"),
    ],
)
def test_substitute_days_are_in_the_data(region, day, title):
    assert holidays(region, day.year)[day] == (title, True)


def test_regions_share_only_what_they_share():
    england, scotland = holidays(HomeRegion.ENGLAND, 2026), holidays(HomeRegion.SCOTLAND, 2026)
    assert date(2026, 4, 6) in england and date(2026, 4, 6) not in scotland  # Easter Monday
    assert date(2026, 1, 2) in scotland and date(2026, 1, 2) not in england
    assert date(2026, 8, 3) in scotland and date(2026, 8, 31) in england
    assert holidays(HomeRegion.WALES, 2026) == england


def test_working_days_skip_weekends_and_the_regions_bank_holidays():
    assert CAL.working_days(HomeRegion.ENGLAND, date(2026, 3, 2), date(2026, 3, 13)) == 10
    assert CAL.working_days(HomeRegion.ENGLAND, date(2026, 4, 2), date(2026, 4, 7)) == 2
    assert CAL.working_days(HomeRegion.SCOTLAND, date(2026, 4, 2), date(2026, 4, 7)) == 3
    assert CAL.working_days(HomeRegion.ENGLAND, date(2026, 3, 7), date(2026, 3, 8)) == 0
    assert CAL.working_days(HomeRegion.ENGLAND, date(2026, 3, 9), date(2026, 3, 8)) == 0
    assert not CAL.is_working_day(HomeRegion.NORTHERN_IRELAND, date(2027, 3, 17))


def test_a_date_outside_the_data_is_refused_rather_than_guessed():
    with pytest.raises(OutsideCalendar):
        CAL.working_days(HomeRegion.ENGLAND, date(2027, 12, 20), date(2028, 1, 7))


def test_an_operator_can_point_at_a_newer_gov_uk_file(tmp_path):
    data = {
        d.value: {
            "division": d.value,
            "events": [
                {"title": "New Year’s Day", "date": "2031-01-01", "notes": "", "bunting": True}
            ],
        }
        for d in Division
    }
    path = tmp_path / "bank-holidays.json"
    path.write_text(json.dumps(data))
    newer = WorkingCalendar.load(path)
    assert (newer.first_year, newer.last_year) == (2031, 2031)
    assert newer.working_days(HomeRegion.SCOTLAND, date(2031, 1, 1), date(2031, 1, 3)) == 2
