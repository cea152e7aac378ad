"""Effective-dated employment terms over fakes: where a change lands in the history and how its
neighbours' end dates move, taken dates, start and leaving dates, references, as_of reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hr_builders import change_terms, employee, fresh, org_unit, position
from hr_fakes import OTHER_TENANT, actions, as_, context

from sop_hr.employees import service as employees
from sop_hr.employees.ports import LeavingReason
from sop_hr.employees.schemas import LeavingIn
from sop_hr.problems import AfterLeavingDate, TermsDateTaken
from sop_hr.terms import service
from sop_hr.terms.ports import Grade
from sop_shared.errors import NotFound, ValidationFailed


def spans(history):
    return [(t.effective_from, t.effective_to, t.grade) for t in history]


async def test_a_later_change_closes_the_current_row_the_day_before_and_runs_open_ended():
    hr = context()
    unit = await org_unit(hr)
    who = await employee(hr, unit=unit, start_date=date(2024, 1, 1))
    await change_terms(hr, who, date(2025, 4, 1), unit, grade="SEO")

    history = await service.history(hr, employee_id=who.id)
    assert spans(history) == [
        (date(2024, 1, 1), date(2025, 3, 31), Grade.HEO),
        (date(2025, 4, 1), None, Grade.SEO),
    ]


async def test_a_change_between_two_rows_ends_before_the_next_and_shortens_the_previous():
    hr = context()
    unit = await org_unit(hr)
    who = await employee(hr, unit=unit, start_date=date(2024, 1, 1))
    await change_terms(hr, who, date(2026, 1, 1), unit, grade="G7")
    inserted = await change_terms(hr, who, date(2025, 1, 1), unit, grade="SEO")

    assert (inserted.effective_from, inserted.effective_to) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert spans(await service.history(hr, employee_id=who.id)) == [
        (date(2024, 1, 1), date(2024, 12, 31), Grade.HEO),
        (date(2025, 1, 1), date(2025, 12, 31), Grade.SEO),
        (date(2026, 1, 1), None, Grade.G7),
    ]


async def test_a_change_before_the_first_row_ends_the_day_before_it_and_moves_nothing():
    hr = context()
    unit = await org_unit(hr)
    # Started without terms; terms booked from July, then a back-dated row from the start.
    who = await employee(hr, with_terms=False, start_date=date(2025, 1, 1))
    july = await change_terms(hr, who, date(2025, 7, 1), unit)
    earliest = await change_terms(hr, who, date(2025, 1, 1), unit, grade="EO")

    assert (earliest.effective_from, earliest.effective_to) == (date(2025, 1, 1), date(2025, 6, 30))
    history = await service.history(hr, employee_id=who.id)
    assert history[1] == july  # untouched: same version, still open-ended


async def test_a_date_that_already_has_a_change_is_refused_and_nothing_moves():
    hr = context()
    unit = await org_unit(hr)
    who = await employee(hr, unit=unit, start_date=date(2024, 1, 1))
    await change_terms(hr, who, date(2025, 4, 1), unit, grade="SEO")
    before = await service.history(hr, employee_id=who.id)

    for taken in (date(2024, 1, 1), date(2025, 4, 1)):
        with pytest.raises(TermsDateTaken):
            await change_terms(hr, who, taken, unit, grade="G7")
    assert await service.history(hr, employee_id=who.id) == before


async def test_terms_cannot_start_before_the_employee_does():
    hr = context()
    unit = await org_unit(hr)
    who = await employee(hr, unit=unit, start_date=date(2024, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        await change_terms(hr, who, date(2023, 12, 31), unit)
    assert refused.value.errors is not None
    assert refused.value.errors[0].field == "effective_from"


async def test_terms_cannot_start_after_the_leaving_date_but_may_on_it():
    hr = context()
    unit = await org_unit(hr)
    who = await employee(hr, unit=unit, start_date=date(2024, 1, 1))
    leaving = LeavingIn(leaving_date=date(2025, 6, 30), reason=LeavingReason.RETIREMENT)
    await employees.end_employment(hr, employee_id=who.id, leaving=leaving)

    with pytest.raises(AfterLeavingDate):
        await change_terms(hr, who, date(2025, 7, 1), unit)
    last = await change_terms(hr, who, date(2025, 6, 30), unit, grade="SEO")
    assert (last.effective_from, last.effective_to) == (date(2025, 6, 30), date(2025, 6, 30))
    mid = await change_terms(hr, who, date(2025, 3, 1), unit, grade="EO")
    assert mid.effective_to == date(2025, 6, 29)


async def test_a_change_gives_the_employee_a_new_version():
    hr = context()
    unit = await org_unit(hr)
    who = await employee(hr, unit=unit)
    await change_terms(hr, who, date(2025, 4, 1), unit, grade="SEO")
    assert (await fresh(hr, who)).version == who.version + 1


async def test_a_change_records_the_moved_row_and_the_new_one_in_the_audit_trail():
    hr = context()
    unit = await org_unit(hr)
    who = await employee(hr, unit=unit, start_date=date(2024, 1, 1))
    first = (await service.history(hr, employee_id=who.id))[0]
    added = await change_terms(hr, who, date(2025, 4, 1), unit, grade="SEO")
    assert actions(hr, first.id) == ["employment_terms.created", "employment_terms.updated"]
    assert actions(hr, added.id) == ["employment_terms.created"]


@pytest.mark.parametrize("problem", ["no-unit", "no-position", "position-elsewhere"])
async def test_a_change_must_name_an_existing_unit_and_a_position_in_that_unit(problem):
    hr = context()
    unit, elsewhere = await org_unit(hr), await org_unit(hr)
    post = await position(hr, elsewhere)
    who = await employee(hr, unit=unit)
    missing = "0190d0d0-0000-7000-8000-000000000000"
    cases: dict[str, dict[str, Any]] = {
        "no-unit": {"org_unit_id": missing},
        "no-position": {"position_id": missing},
        "position-elsewhere": {"position_id": post.id},
    }
    fields = cases[problem]
    before = await service.history(hr, employee_id=who.id)
    with pytest.raises(ValidationFailed):
        await change_terms(hr, who, date(2025, 4, 1), unit, **fields)
    assert await service.history(hr, employee_id=who.id) == before


async def test_a_position_in_the_terms_unit_is_accepted():
    hr = context()
    unit = await org_unit(hr)
    post = await position(hr, unit)
    who = await employee(hr, unit=unit)
    added = await change_terms(hr, who, date(2025, 4, 1), unit, position_id=post.id)
    assert added.position_id == post.id


async def test_in_force_answers_with_each_employees_row_on_the_day():
    hr = context()
    unit = await org_unit(hr)
    a = await employee(hr, unit=unit, start_date=date(2024, 1, 1))
    b = await employee(hr, unit=unit, start_date=date(2025, 1, 1))
    await change_terms(hr, a, date(2024, 7, 1), unit, grade="SEO")

    on = await service.in_force(hr, employee_ids=[a.id, b.id], day=date(2024, 6, 30))
    assert set(on) == {a.id} and on[a.id].grade is Grade.HEO
    later = await service.in_force(hr, employee_ids=[a.id, b.id], day=date(2025, 1, 1))
    assert {k: v.grade for k, v in later.items()} == {a.id: Grade.SEO, b.id: Grade.HEO}


async def test_a_row_is_only_found_under_its_own_employee_and_tenant():
    hr = context()
    unit = await org_unit(hr)
    a, b = await employee(hr, unit=unit), await employee(hr, unit=unit)
    row = (await service.history(hr, employee_id=a.id))[0]
    assert await service.get(hr, employee_id=a.id, terms_id=row.id) == row
    with pytest.raises(NotFound):
        await service.get(hr, employee_id=b.id, terms_id=row.id)
    with pytest.raises(NotFound):
        await service.get(as_(hr, tenant=OTHER_TENANT), employee_id=a.id, terms_id=row.id)


async def test_an_unknown_employee_has_no_history_and_takes_no_change():
    hr = context()
    unit = await org_unit(hr)
    ghost = await employee(as_(hr, tenant=OTHER_TENANT), with_terms=False)
    with pytest.raises(NotFound):
        await service.history(hr, employee_id=ghost.id)
    with pytest.raises(NotFound):
        await change_terms(hr, ghost, date(2025, 4, 1), unit)
