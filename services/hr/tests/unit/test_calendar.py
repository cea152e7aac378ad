"""Bank holidays by region and year from the kernel's calendar, within the years it covers."""

from __future__ import annotations

from datetime import date

import pytest
from hr_fakes import context

from sop_hr.calendar.service import bank_holidays_in
from sop_shared.calendar import HomeRegion
from sop_shared.errors import ValidationFailed


def test_each_region_has_its_own_bank_holidays():
    calendar = context().calendar
    scotland = {h.date for h in bank_holidays_in(calendar, HomeRegion.SCOTLAND, 2026)}
    england = {h.date for h in bank_holidays_in(calendar, HomeRegion.ENGLAND, 2026)}
    assert scotland - england == {date(2026, 1, 2), date(2026, 8, 3), date(2026, 11, 30)}
    assert england - scotland == {date(2026, 4, 6), date(2026, 8, 31)}
    substitute = next(
        h
        for h in bank_holidays_in(calendar, HomeRegion.SCOTLAND, 2027)
        if h.date == date(2027, 1, 4)
    )
    assert substitute.substitute is True


@pytest.mark.parametrize("year", [2022, 2040])
def test_a_year_outside_the_calendar_is_refused(year):
    with pytest.raises(ValidationFailed):
        bank_holidays_in(context().calendar, HomeRegion.WALES, year)
