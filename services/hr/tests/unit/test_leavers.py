"""Leavers over fakes: the leaving date ends the terms, nothing may be booked after it, and
leaving is refused while terms changes or absences are booked beyond it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from hr_builders import book, change_terms, employee, fresh, org_unit
from hr_fakes import actions, context, provisioned

from sop_hr.absences import service as absences
from sop_hr.employees import service
from sop_hr.employees.ports import EmploymentStatus, LeavingReason
from sop_hr.employees.schemas import LeavingIn
from sop_hr.ports import PageRequest
from sop_hr.problems import AfterLeavingDate, AlreadyLeaving, BookedAfterLeaving
from sop_hr.terms import service as terms
from sop_shared.errors import NotFound, PreconditionFailed, ValidationFailed


def leaving(day: date, reason: LeavingReason = LeavingReason.RESIGNATION) -> LeavingIn:
    return LeavingIn(leaving_date=day, reason=reason)


async def hr_with_employee(**fields):
    hr = await provisioned(context(today=date(2026, 1, 15)))
    unit = await org_unit(hr)
    who = await employee(hr, unit=unit, start_date=date(2024, 1, 1), **fields)
    return hr, unit, who


async def test_leaving_records_the_date_and_reason_and_ends_the_open_terms_then():
    hr, _, who = await hr_with_employee()
    left = await service.end_employment(
        hr, employee_id=who.id, leaving=leaving(date(2026, 6, 30), LeavingReason.RETIREMENT)
    )
    assert (left.employee.leaving_date, left.employee.leaving_reason) == (
        date(2026, 6, 30),
        LeavingReason.RETIREMENT,
    )
    assert left.employee.version == who.version + 1
    history = await terms.history(hr, employee_id=who.id)
    assert history[-1].effective_to == date(2026, 6, 30)


async def test_after_the_leaving_date_they_have_left_and_have_no_terms():
    hr, _, who = await hr_with_employee()
    await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2025, 1, 31)))
    today = await service.view(hr, employee_id=who.id, as_of=None)
    assert today.employee.status_on(today.as_of) is EmploymentStatus.LEFT
    assert today.terms is None
    last_day = await service.view(hr, employee_id=who.id, as_of=date(2025, 1, 31))
    assert last_day.employee.status_on(last_day.as_of) is EmploymentStatus.ACTIVE
    assert last_day.terms is not None and last_day.terms.effective_to == date(2025, 1, 31)
    leavers = await service.list_employees(hr, page=PageRequest(), status=EmploymentStatus.LEFT)
    assert [v.employee.id for v in leavers.items] == [who.id]


async def test_rows_that_already_ended_before_the_leaving_date_are_left_alone():
    hr, unit, who = await hr_with_employee()
    await change_terms(hr, who, date(2025, 1, 1), unit, grade="SEO")
    first_before = (await terms.history(hr, employee_id=who.id))[0]
    await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2025, 6, 30)))
    first_after, second = await terms.history(hr, employee_id=who.id)
    assert first_after == first_before
    assert second.effective_to == date(2025, 6, 30)
    assert actions(hr)[-2:] == ["employee.left", "employment_terms.updated"]


async def test_leaving_is_refused_while_a_terms_change_is_booked_after_it():
    hr, unit, who = await hr_with_employee()
    await change_terms(hr, who, date(2026, 9, 1), unit, grade="SEO")
    with pytest.raises(BookedAfterLeaving, match="2026-09-01"):
        await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2026, 7, 31)))
    assert (await fresh(hr, who)).leaving_date is None
    left = await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2026, 9, 30)))
    assert left.employee.leaving_date == date(2026, 9, 30)


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 8, 3), date(2026, 8, 7)), (date(2026, 7, 30), date(2026, 8, 4))],
    ids=["after", "straddling"],
)
async def test_leaving_is_refused_while_an_absence_is_booked_after_it(start, end):
    hr, _, who = await hr_with_employee()
    booked = await book(hr, who, start, end)
    with pytest.raises(BookedAfterLeaving) as refused:
        await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2026, 7, 31)))
    assert str(booked.id) in str(refused.value.detail)
    assert (await fresh(hr, who)).leaving_date is None

    await absences.cancel(hr, absence_id=booked.id, note=None)
    left = await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2026, 7, 31)))
    assert left.employee.leaving_date == date(2026, 7, 31)


async def test_an_absence_ending_on_the_leaving_date_does_not_hold_it_up():
    hr, _, who = await hr_with_employee()
    await book(hr, who, date(2026, 7, 27), date(2026, 7, 31))
    left = await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2026, 7, 31)))
    assert left.employee.leaving_date == date(2026, 7, 31)


async def test_nothing_can_be_booked_after_the_leaving_date():
    hr, _, who = await hr_with_employee()
    await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2026, 6, 30)))
    for start, end in ((date(2026, 7, 1), date(2026, 7, 3)), (date(2026, 6, 29), date(2026, 7, 2))):
        with pytest.raises(AfterLeavingDate):
            await book(hr, who, start, end, leave_type="unpaid")
    last_days = await book(hr, who, date(2026, 6, 29), date(2026, 6, 30), leave_type="unpaid")
    assert last_days.working_days == 2


async def test_leaving_twice_is_refused():
    hr, _, who = await hr_with_employee()
    await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2025, 1, 31)))
    with pytest.raises(AlreadyLeaving):
        await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2025, 2, 28)))
    assert (await fresh(hr, who)).leaving_date == date(2025, 1, 31)


async def test_the_leaving_date_may_be_the_start_date_but_not_before_it():
    hr, _, who = await hr_with_employee()
    with pytest.raises(ValidationFailed):
        await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2023, 12, 31)))
    left = await service.end_employment(hr, employee_id=who.id, leaving=leaving(date(2024, 1, 1)))
    history = await terms.history(hr, employee_id=who.id)
    assert (history[0].effective_from, history[0].effective_to) == (left.employee.start_date,) * 2


async def test_a_stale_version_refuses_leaving():
    hr, _, who = await hr_with_employee()

    def if_match_5(version: int) -> None:
        if version != 5:
            raise PreconditionFailed("stale")

    with pytest.raises(PreconditionFailed):
        await service.end_employment(
            hr, employee_id=who.id, leaving=leaving(date(2025, 1, 31)), check_version=if_match_5
        )
    assert await fresh(hr, who) == who


async def test_an_unknown_employee_cannot_leave():
    hr = context()
    with pytest.raises(NotFound):
        await service.end_employment(
            hr, employee_id=uuid.uuid4(), leaving=leaving(date(2025, 1, 31))
        )
