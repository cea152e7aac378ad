"""Positions over fakes: unique codes in an existing org unit, and filled and vacant FTE from
the terms in force on a day."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from hr_builders import change_terms, employee, org_unit, position
from hr_fakes import OTHER_TENANT, as_, context

from sop_hr.employees import service as employees
from sop_hr.employees.ports import LeavingReason
from sop_hr.employees.schemas import LeavingIn
from sop_hr.ports import PageRequest
from sop_hr.positions import service
from sop_hr.positions.schemas import PositionCreate, PositionUpdate, position_out
from sop_hr.problems import DuplicateCode
from sop_hr.terms.ports import Grade
from sop_shared.errors import ValidationFailed


async def filled_on(hr, post, day):
    return (await service.filled_fte(hr, [post], day))[post.id]


async def test_create_needs_an_existing_org_unit_and_a_code_free_in_the_tenant():
    hr = context()
    unit = await org_unit(hr)
    post = await position(hr, unit, code="P-1")
    assert await service.get(hr, position_id=post.id) == post
    with pytest.raises(DuplicateCode):
        await position(hr, unit, code="P-1")
    with pytest.raises(ValidationFailed):
        await service.create(
            hr,
            data=PositionCreate(
                code="P-2",
                title="Analyst",
                grade=Grade.SEO,
                org_unit_id=uuid.uuid4(),
                budgeted_fte=Decimal(1),
            ),
        )
    theirs = as_(hr, tenant=OTHER_TENANT)
    assert (await position(theirs, await org_unit(theirs), code="P-1")).code == "P-1"


async def test_filled_fte_is_the_sum_of_the_terms_in_force_in_the_position():
    hr = context(today=date(2026, 1, 15))
    unit = await org_unit(hr)
    post = await position(hr, unit, budgeted_fte="2")
    for fte in ("0.6", "0.8"):
        who = await employee(hr, unit=unit, with_terms=False)
        await change_terms(hr, who, date(2025, 1, 1), unit, position_id=post.id, fte=fte)
    await employee(hr, unit=unit)  # in the unit but not the post

    filled = await filled_on(hr, post, hr.today())
    assert filled == Decimal("1.4")
    out = position_out(post, filled, hr.today())
    assert (out.filled_fte, out.vacant_fte) == (Decimal("1.4"), Decimal("0.6"))


async def test_an_overfilled_position_shows_no_vacancy():
    hr = context()
    unit = await org_unit(hr)
    post = await position(hr, unit, budgeted_fte="0.5")
    who = await employee(hr, unit=unit, with_terms=False)
    await change_terms(hr, who, date(2025, 1, 1), unit, position_id=post.id)
    filled = await filled_on(hr, post, hr.today())
    assert position_out(post, filled, hr.today()).vacant_fte == 0


async def test_filled_fte_follows_the_day_asked():
    hr = context(today=date(2026, 1, 15))
    unit = await org_unit(hr)
    post = await position(hr, unit)
    who = await employee(hr, unit=unit, with_terms=False, start_date=date(2025, 1, 1))
    await change_terms(hr, who, date(2025, 3, 1), unit, position_id=post.id, fte="0.5")
    await change_terms(hr, who, date(2025, 9, 1), unit)  # leaves the post
    assert await filled_on(hr, post, date(2025, 2, 28)) == 0
    assert await filled_on(hr, post, date(2025, 3, 1)) == Decimal("0.5")
    assert await filled_on(hr, post, date(2025, 8, 31)) == Decimal("0.5")
    assert await filled_on(hr, post, date(2025, 9, 1)) == 0


async def test_a_leaver_no_longer_fills_the_position_after_the_leaving_date():
    hr = context()
    unit = await org_unit(hr)
    post = await position(hr, unit)
    who = await employee(hr, unit=unit, with_terms=False, start_date=date(2025, 1, 1))
    await change_terms(hr, who, date(2025, 1, 1), unit, position_id=post.id)
    leaving = LeavingIn(leaving_date=date(2025, 12, 31), reason=LeavingReason.RESIGNATION)
    await employees.end_employment(hr, employee_id=who.id, leaving=leaving)
    assert await filled_on(hr, post, date(2025, 12, 31)) == 1
    assert await filled_on(hr, post, date(2026, 1, 1)) == 0


async def test_filled_fte_of_no_positions_is_empty():
    assert await service.filled_fte(context(), [], date(2026, 1, 1)) == {}


async def test_update_checks_the_new_code_and_unit_and_writes_nothing_when_unchanged():
    hr = context()
    unit, other = await org_unit(hr), await org_unit(hr)
    await position(hr, unit, code="TAKEN")
    post = await position(hr, unit, code="MINE")
    with pytest.raises(DuplicateCode):
        await service.update(hr, current=post, changes=PositionUpdate(code="TAKEN"))
    with pytest.raises(ValidationFailed):
        await service.update(hr, current=post, changes=PositionUpdate(org_unit_id=uuid.uuid4()))
    assert await service.update(hr, current=post, changes=PositionUpdate(code="MINE")) == post
    moved = await service.update(
        hr, current=post, changes=PositionUpdate(org_unit_id=other.id, budgeted_fte=Decimal(3))
    )
    assert (moved.org_unit_id, moved.budgeted_fte, moved.version) == (other.id, Decimal(3), 2)


async def test_list_by_org_unit_in_creation_order():
    hr = context()
    unit, other = await org_unit(hr), await org_unit(hr)
    first, _, third = (
        await position(hr, unit),
        await position(hr, other),
        await position(hr, unit),
    )
    found = await service.list_positions(hr, page=PageRequest(), org_unit_id=unit.id)
    assert [p.id for p in found.items] == [first.id, third.id]
