"""Absences and leave over fakes: working days by region's bank holidays, booking rules,
overlaps, entitlement pro rata and per leave year, balances, decisions and who may make them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hr_builders import book, change_terms, employee, org_unit
from hr_fakes import OTHER_TENANT, actions, as_, audit_log, context, provisioned, settings

from sop_hr.absences import service
from sop_hr.absences.ports import AbsenceStatus, LeaveType
from sop_hr.absences.schemas import LeaveTypeUpdate
from sop_hr.employees import service as employees
from sop_hr.employees.ports import LeavingReason
from sop_hr.employees.schemas import LeavingIn
from sop_hr.ports import PageRequest
from sop_hr.problems import (
    InvalidTransition,
    LeaveBalanceExceeded,
    OverlappingAbsence,
    OwnAbsenceDecision,
)
from sop_shared.calendar import OutsideCalendar
from sop_shared.clock import FixedClock
from sop_shared.errors import NotFound, PreconditionFailed, ValidationFailed


async def hr_of(**kw):
    return await provisioned(context(**kw))


def if_match(expected: int):
    """What a route's If-Match check does with the version it is handed."""

    def check(version: int) -> None:
        if version != expected:
            raise PreconditionFailed(f"at version {version}, not {expected}")

    return check


async def balance(hr, who, year=2026):
    return await service.leave_balance(hr, employee_id=who.id, year=year)


# Working days: weekends and the bank holidays of the employee's home region.


@pytest.mark.parametrize(
    ("region", "start", "end", "days"),
    [
        # New Year 2026: 1 January everywhere, 2 January in Scotland too.
        ("england", date(2025, 12, 29), date(2026, 1, 2), 4),
        ("scotland", date(2025, 12, 29), date(2026, 1, 2), 3),
        # St Andrew's Day, Monday 30 November 2026: Scotland only.
        ("scotland", date(2026, 11, 30), date(2026, 12, 4), 4),
        ("england", date(2026, 11, 30), date(2026, 12, 4), 5),
        # Summer bank holiday: first Monday of August in Scotland, last elsewhere.
        ("scotland", date(2026, 8, 3), date(2026, 8, 7), 4),
        ("wales", date(2026, 8, 3), date(2026, 8, 7), 5),
        ("wales", date(2026, 8, 31), date(2026, 9, 4), 4),
        ("scotland", date(2026, 8, 31), date(2026, 9, 4), 5),
        # Easter Monday is not a Scottish bank holiday.
        ("england", date(2026, 4, 6), date(2026, 4, 10), 4),
        ("scotland", date(2026, 4, 6), date(2026, 4, 10), 5),
        # St Patrick's Day and the Battle of the Boyne (substitute Monday 13 July).
        ("northern-ireland", date(2026, 3, 16), date(2026, 3, 20), 4),
        ("northern-ireland", date(2026, 7, 13), date(2026, 7, 17), 4),
        ("england", date(2026, 7, 13), date(2026, 7, 17), 5),
    ],
)
async def test_working_days_follow_the_home_regions_bank_holidays(region, start, end, days):
    hr = await hr_of()
    who = await employee(hr, home_region=region)
    absence = await book(hr, who, start, end, leave_type="unpaid")
    assert absence.working_days == days


async def test_a_request_is_stored_as_requested_by_the_caller():
    hr = await hr_of()
    who = await employee(hr, user_subject="emp-1")
    mine = as_(hr, subject="emp-1", scopes={"hr:read", "hr:write"})
    absence = await book(mine, who, date(2026, 3, 2), date(2026, 3, 6), reason="Half term")
    assert await service.get(hr, absence_id=absence.id) == absence
    assert (absence.status, absence.working_days) == (AbsenceStatus.REQUESTED, 5)
    assert (absence.requested_by, absence.reason) == ("emp-1", "Half term")
    assert actions(hr, absence.id) == ["absence.requested"]
    assert audit_log(hr).events[-1].actor == "emp-1"


async def test_a_span_of_only_weekends_and_bank_holidays_is_refused():
    hr = await hr_of()
    who = await employee(hr)
    with pytest.raises(ValidationFailed):  # Fri 25 Dec, the weekend, Mon 28 Dec substitute
        await book(hr, who, date(2026, 12, 25), date(2026, 12, 28))


async def test_an_absence_before_the_start_date_is_refused():
    hr = await hr_of()
    who = await employee(hr, start_date=date(2026, 1, 5))
    with pytest.raises(ValidationFailed) as refused:
        await book(hr, who, date(2026, 1, 2), date(2026, 1, 6), leave_type="unpaid")
    assert refused.value.errors is not None and refused.value.errors[0].field == "start_date"


async def test_an_unknown_leave_type_is_refused_naming_the_field():
    hr = await hr_of()
    who = await employee(hr)
    with pytest.raises(ValidationFailed) as refused:
        await book(hr, who, date(2026, 3, 9), date(2026, 3, 10), leave_type="sabbatical")
    assert refused.value.errors is not None and refused.value.errors[0].field == "leave_type"


async def test_a_date_outside_the_bank_holiday_calendar_is_refused():
    hr = await hr_of()
    who = await employee(hr)
    with pytest.raises(OutsideCalendar):
        await book(hr, who, date(2031, 3, 3), date(2031, 3, 4), leave_type="unpaid")


async def test_an_unknown_employee_cannot_book():
    hr = await hr_of()
    theirs = await employee(await hr_of(tenant=OTHER_TENANT))
    with pytest.raises(NotFound):
        await book(hr, theirs, date(2026, 3, 2), date(2026, 3, 3))


# Overlaps.


async def test_an_overlapping_absence_is_refused_naming_the_clash():
    hr = await hr_of()
    who = await employee(hr)
    first = await book(hr, who, date(2026, 3, 2), date(2026, 3, 6))
    with pytest.raises(OverlappingAbsence) as refused:
        await book(hr, who, date(2026, 3, 6), date(2026, 3, 10), leave_type="sick")
    assert refused.value.extensions["clashes"] == [
        {
            "id": str(first.id),
            "leave_type": "annual",
            "start_date": "2026-03-02",
            "end_date": "2026-03-06",
            "status": "requested",
        }
    ]
    assert str(first.id) in str(refused.value.detail)


@pytest.mark.parametrize("end_it", ["cancel", "reject"])
async def test_cancelled_and_rejected_absences_no_longer_hold_the_days(end_it):
    hr = await hr_of()
    who = await employee(hr)
    first = await book(hr, who, date(2026, 3, 2), date(2026, 3, 6))
    if end_it == "cancel":
        await service.cancel(hr, absence_id=first.id, note=None)
    else:
        await service.decide(hr, absence_id=first.id, approve=False, note=None)
    second = await book(hr, who, date(2026, 3, 5), date(2026, 3, 10), leave_type="sick")
    assert second.status is AbsenceStatus.REQUESTED


async def test_adjacent_absences_and_other_employees_absences_do_not_clash():
    hr = await hr_of()
    a, b = await employee(hr), await employee(hr)
    await book(hr, a, date(2026, 3, 2), date(2026, 3, 6))
    await book(hr, a, date(2026, 3, 9), date(2026, 3, 10))
    await book(hr, b, date(2026, 3, 2), date(2026, 3, 6))
    found = await service.list_absences(hr, page=PageRequest())
    assert len(found.items) == 3


# Entitlement and balance.


async def test_entitlement_is_pro_rata_to_fte_and_counts_approved_and_requested_days():
    hr = await hr_of()
    who = await employee(hr, fte="0.5")
    approved = await book(hr, who, date(2026, 3, 2), date(2026, 3, 4))
    await service.decide(hr, absence_id=approved.id, approve=True, note=None)
    await book(hr, who, date(2026, 4, 13), date(2026, 4, 14))
    await book(hr, who, date(2026, 4, 20), date(2026, 4, 21), leave_type="sick")  # not annual

    b = await balance(hr, who)
    assert (b.year.starts, b.year.ends) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (b.entitlement_days, b.approved_days, b.requested_days) == (Decimal("12.5"), 3, 2)
    assert b.remaining_days == Decimal("7.5")


async def test_the_balance_moves_from_requested_to_approved_and_back_when_cancelled():
    hr = await hr_of()
    who = await employee(hr)
    absence = await book(hr, who, date(2026, 6, 1), date(2026, 6, 5))
    requested = await balance(hr, who)
    assert (requested.requested_days, requested.remaining_days) == (5, 20)

    await service.decide(hr, absence_id=absence.id, approve=True, note=None)
    approved = await balance(hr, who)
    assert (approved.approved_days, approved.requested_days, approved.remaining_days) == (5, 0, 20)

    await service.cancel(hr, absence_id=absence.id, note="Plans changed")
    assert (await balance(hr, who)).remaining_days == 25


async def test_entitlement_follows_fte_changes_within_the_year():
    hr = await hr_of()
    unit = await org_unit(hr)
    who = await employee(hr, unit=unit)
    await change_terms(hr, who, date(2026, 7, 1), unit, fte="0.5")
    # 25 x (181 days at 1.0 + 184 days at 0.5) / 365 = 18.70: up to the half day, 19.
    assert (await balance(hr, who)).entitlement_days == 19


async def test_a_starter_and_a_leaver_get_the_part_of_the_year_they_are_employed():
    hr = await hr_of()
    starter = await employee(hr, start_date=date(2026, 7, 1))
    assert (await balance(hr, starter)).entitlement_days == 13  # 25 x 184 / 365 = 12.60
    leaver = await employee(hr, start_date=date(2024, 1, 1))
    leaving = LeavingIn(leaving_date=date(2026, 3, 31), reason=LeavingReason.RESIGNATION)
    await employees.end_employment(hr, employee_id=leaver.id, leaving=leaving)
    assert (await balance(hr, leaver)).entitlement_days == Decimal("6.5")  # 25 x 90 / 365 = 6.16


async def test_entitlement_just_above_a_half_day_is_rounded_up_to_the_next():
    hr = await hr_of()
    # 26 of 37.5 hours is FTE 0.6933; 6 July to 31 December is 179 days:
    # 25 x 0.6933 x 179 / 365 = 8.500048 days, which rounds up to the half day as 9.
    starter = await employee(hr, start_date=date(2026, 7, 6), fte="0.6933")
    assert (await balance(hr, starter)).entitlement_days == 9


async def test_an_employee_without_terms_has_no_annual_leave_but_may_take_unpaid_leave():
    hr = await hr_of()
    who = await employee(hr, with_terms=False)
    assert (await balance(hr, who)).entitlement_days == 0
    with pytest.raises(LeaveBalanceExceeded):
        await book(hr, who, date(2026, 3, 2), date(2026, 3, 2))
    assert (await book(hr, who, date(2026, 3, 2), date(2026, 3, 2), "unpaid")).working_days == 1


async def test_annual_leave_beyond_the_balance_is_refused_but_sick_leave_is_not_limited():
    hr = await hr_of()
    who = await employee(hr, fte="0.2")  # 5 days a year
    with pytest.raises(LeaveBalanceExceeded):
        await book(hr, who, date(2026, 6, 1), date(2026, 6, 8))  # 6 working days
    await book(hr, who, date(2026, 6, 1), date(2026, 6, 5))
    with pytest.raises(LeaveBalanceExceeded):
        await book(hr, who, date(2026, 6, 8), date(2026, 6, 8))
    sick = await book(hr, who, date(2026, 6, 8), date(2026, 6, 12), leave_type="sick")
    assert sick.working_days == 5
    assert len((await service.list_absences(hr, page=PageRequest())).items) == 2


async def test_an_absence_across_the_new_year_counts_against_each_leave_year():
    hr = await hr_of()
    who = await employee(hr)
    absence = await book(hr, who, date(2026, 12, 21), date(2027, 1, 8))
    # 2026: 21-24, 29-31 Dec (25 and 28 are bank holidays) = 7; 2027: 4-8 Jan = 5.
    assert absence.working_days == 12
    assert ((await balance(hr, who, 2026)).requested_days) == 7
    assert ((await balance(hr, who, 2027)).requested_days) == 5


async def test_each_leave_year_spanned_must_have_the_days_left():
    hr = await hr_of()
    who = await employee(hr, fte="0.2")  # 5 days a year
    await book(hr, who, date(2027, 2, 1), date(2027, 2, 5))  # 2027 used up
    with pytest.raises(LeaveBalanceExceeded, match="2027"):  # 2 days in 2026, 1 in 2027
        await book(hr, who, date(2026, 12, 30), date(2027, 1, 4))
    assert (await balance(hr, who, 2026)).requested_days == 0


async def test_leave_years_can_start_in_april():
    hr = await hr_of(today=date(2026, 1, 15), hr_settings=settings(leave_year_start_month=4))
    who = await employee(hr, start_date=date(2024, 1, 1))
    await book(hr, who, date(2026, 3, 30), date(2026, 4, 2))
    current = await service.leave_balance(hr, employee_id=who.id, year=None)
    assert (current.year.year, current.year.starts, current.year.ends) == (
        2025,
        date(2025, 4, 1),
        date(2026, 3, 31),
    )
    assert current.requested_days == 2
    assert (await balance(hr, who, 2026)).requested_days == 2  # 1 and 2 April 2026


async def test_the_balance_needs_an_annual_leave_type_with_an_entitlement():
    hr = context()  # not provisioned: no leave types at all
    who = await employee(hr)
    with pytest.raises(NotFound):
        await balance(hr, who)


# Decisions.


async def test_an_approver_approves_with_a_note_and_cannot_approve_twice():
    hr = await hr_of()
    who = await employee(hr, user_subject="emp-1")
    absence = await book(as_(hr, subject="emp-1"), who, date(2026, 3, 2), date(2026, 3, 6))
    approved = await service.decide(hr, absence_id=absence.id, approve=True, note="Enjoy")
    assert approved.status is AbsenceStatus.APPROVED
    assert (approved.decided_by, approved.decision_note) == ("hr-officer", "Enjoy")
    assert approved.decided_at is not None and approved.version == absence.version + 1
    for approve in (True, False):
        with pytest.raises(InvalidTransition):
            await service.decide(hr, absence_id=absence.id, approve=approve, note=None)
    assert actions(hr, absence.id) == ["absence.requested", "absence.approved"]


@pytest.mark.parametrize("approve", [True, False])
async def test_nobody_decides_their_own_absence(approve):
    hr = await hr_of()
    who = await employee(hr, user_subject="emp-7")
    absence = await book(hr, who, date(2026, 5, 11), date(2026, 5, 12))
    with pytest.raises(OwnAbsenceDecision):
        await service.decide(
            as_(hr, subject="emp-7"), absence_id=absence.id, approve=approve, note=None
        )
    assert (await service.get(hr, absence_id=absence.id)).status is AbsenceStatus.REQUESTED
    decided = await service.decide(
        as_(hr, subject="manager"), absence_id=absence.id, approve=approve, note=None
    )
    assert decided.decided_by == "manager"


async def test_an_employee_without_a_login_can_have_absences_approved_by_anyone():
    hr = await hr_of()
    who = await employee(hr)
    absence = await book(hr, who, date(2026, 5, 11), date(2026, 5, 12))
    approved = await service.decide(hr, absence_id=absence.id, approve=True, note=None)
    assert approved.status is AbsenceStatus.APPROVED


async def test_a_stale_version_refuses_the_decision_and_leaves_the_absence_as_it_was():
    hr = await hr_of()
    who = await employee(hr)
    absence = await book(hr, who, date(2026, 5, 11), date(2026, 5, 12))
    with pytest.raises(PreconditionFailed):
        await service.decide(
            hr, absence_id=absence.id, approve=True, note=None, check_version=if_match(7)
        )
    assert await service.get(hr, absence_id=absence.id) == absence
    approved = await service.decide(
        hr, absence_id=absence.id, approve=True, note=None, check_version=if_match(1)
    )
    assert approved.status is AbsenceStatus.APPROVED


async def test_the_employee_may_cancel_their_own_requested_or_approved_absence_once():
    hr = await hr_of()
    who = await employee(hr, user_subject="emp-1")
    mine = as_(hr, subject="emp-1")
    requested = await book(mine, who, date(2026, 3, 2), date(2026, 3, 3))
    approved = await book(mine, who, date(2026, 3, 9), date(2026, 3, 10))
    await service.decide(hr, absence_id=approved.id, approve=True, note=None)
    for absence in (requested, approved):
        cancelled = await service.cancel(mine, absence_id=absence.id, note=None)
        assert (cancelled.status, cancelled.decided_by) == (AbsenceStatus.CANCELLED, "emp-1")
        with pytest.raises(InvalidTransition):
            await service.cancel(mine, absence_id=absence.id, note=None)


async def test_a_rejected_absence_cannot_be_cancelled_and_an_unknown_one_is_not_found():
    hr = await hr_of()
    who = await employee(hr)
    absence = await book(hr, who, date(2026, 3, 2), date(2026, 3, 3))
    await service.decide(hr, absence_id=absence.id, approve=False, note="Busy week")
    with pytest.raises(InvalidTransition):
        await service.cancel(hr, absence_id=absence.id, note=None)
    with pytest.raises(NotFound):
        await service.cancel(hr, absence_id=uuid.uuid4(), note=None)
    with pytest.raises(NotFound):
        await service.get(as_(hr, tenant=OTHER_TENANT), absence_id=absence.id)


async def test_a_decision_is_timed_by_the_contexts_clock():
    clock = FixedClock(datetime(2026, 3, 2, 10, 30, 15, 123456, tzinfo=UTC))
    hr = await hr_of(clock=clock)
    who = await employee(hr)
    absence = await book(hr, who, date(2026, 3, 9), date(2026, 3, 10))
    clock.advance(timedelta(minutes=5))
    approved = await service.decide(hr, absence_id=absence.id, approve=True, note=None)
    assert approved.decided_at == datetime(2026, 3, 2, 10, 35, 15, 123000, tzinfo=UTC)


# Listing.


async def test_approvers_list_absences_across_employees_by_status_type_employee_and_span():
    hr = await hr_of()
    a, b = await employee(hr), await employee(hr)
    first = await book(hr, a, date(2026, 2, 2), date(2026, 2, 3))
    second = await book(hr, b, date(2026, 2, 9), date(2026, 2, 10), leave_type="sick")
    await service.decide(hr, absence_id=second.id, approve=True, note=None)

    async def ids(**where):
        return [x.id for x in (await service.list_absences(hr, page=PageRequest(), **where)).items]

    assert await ids(status=AbsenceStatus.REQUESTED) == [first.id]
    assert await ids(leave_type="sick") == [second.id]
    assert await ids(employee_id=a.id) == [first.id]
    assert await ids(from_=date(2026, 2, 4), to=date(2026, 2, 28)) == [second.id]
    assert await ids(from_=date(2026, 2, 3), to=date(2026, 2, 9)) == [first.id, second.id]
    assert await ids() == [first.id, second.id]


async def test_an_employees_absences_need_the_employee_to_exist():
    hr = await hr_of()
    who = await employee(hr)
    mine = await book(hr, who, date(2026, 2, 2), date(2026, 2, 3))
    found = await service.list_for_employee(hr, employee_id=who.id, page=PageRequest())
    assert [a.id for a in found.items] == [mine.id]
    with pytest.raises(NotFound):
        await service.list_for_employee(hr, employee_id=uuid.uuid4(), page=PageRequest())


# Leave types.


async def test_provisioning_gives_the_default_leave_types_once():
    hr = await hr_of()
    await service.ensure_leave_types(hr.backend, hr.tenant, hr.settings)
    types = await service.leave_types(hr)
    assert [t.code for t in types] == sorted(
        [
            "adoption",
            "annual",
            "maternity",
            "paternity",
            "shared_parental",
            "sick",
            "special",
            "unpaid",
        ]
    )
    annual = next(t for t in types if t.code == "annual")
    assert (annual.annual_entitlement_days, annual.paid) == (Decimal(25), True)
    assert all(t.annual_entitlement_days is None for t in types if t.code != "annual")
    assert next(t for t in types if t.code == "unpaid").paid is False
    assert await service.leave_types(as_(hr, tenant=OTHER_TENANT)) == []


async def test_a_tuned_entitlement_changes_the_balance():
    hr = await hr_of()
    who = await employee(hr)
    annual: LeaveType = next(t for t in await service.leave_types(hr) if t.code == "annual")
    with pytest.raises(PreconditionFailed):
        await service.update_leave_type(
            hr,
            code="annual",
            changes=LeaveTypeUpdate(annual_entitlement_days=Decimal(30)),
            check_version=if_match(annual.version + 1),
        )
    tuned = await service.update_leave_type(
        hr,
        code="annual",
        changes=LeaveTypeUpdate(annual_entitlement_days=Decimal(30)),
        check_version=if_match(annual.version),
    )
    assert (tuned.annual_entitlement_days, tuned.version) == (Decimal(30), annual.version + 1)
    assert (await balance(hr, who)).entitlement_days == 30
    assert actions(hr, annual.id) == ["leave_type.updated"]


async def test_an_unchanged_leave_type_is_not_rewritten_and_an_unknown_one_is_not_found():
    hr = await hr_of()
    sick: LeaveType = next(t for t in await service.leave_types(hr) if t.code == "sick")
    same = await service.update_leave_type(
        hr, code="sick", changes=LeaveTypeUpdate(paid=True), check_version=if_match(1)
    )
    assert same == sick
    with pytest.raises(NotFound):
        await service.update_leave_type(
            hr, code="sabbatical", changes=LeaveTypeUpdate(paid=False), check_version=if_match(1)
        )
