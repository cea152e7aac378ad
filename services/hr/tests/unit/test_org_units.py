"""Org units over fakes: unique codes per tenant, parents that exist, moves that would make a
cycle refused, subtrees, and corrections."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hr_builders import org_unit
from hr_fakes import OTHER_TENANT, actions, as_, context

from sop_hr.org_units import service
from sop_hr.org_units.schemas import OrgUnitCreate, OrgUnitUpdate
from sop_hr.ports import PageRequest, StaleRecord
from sop_hr.problems import DuplicateCode, OrgUnitCycle
from sop_shared.errors import NotFound, ValidationFailed


def move(**fields: Any) -> OrgUnitUpdate:
    return OrgUnitUpdate.model_validate(fields)


async def tree(hr):
    """root > (a > a1 > a2), (b)"""
    root = await org_unit(hr, "ROOT")
    a = await org_unit(hr, "A", parent=root)
    a1 = await org_unit(hr, "A1", parent=a)
    a2 = await org_unit(hr, "A2", parent=a1)
    b = await org_unit(hr, "B", parent=root)
    return root, a, a1, a2, b


async def test_create_stores_the_unit_and_records_it():
    hr = context()
    unit = await service.create(
        hr, data=OrgUnitCreate(code="DIG", name="Digital", cost_centre="CC-100")
    )
    assert await service.get(hr, org_unit_id=unit.id) == unit
    assert (unit.code, unit.parent_id, unit.version) == ("DIG", None, 1)
    assert actions(hr, unit.id) == ["org_unit.created"]


async def test_a_code_in_use_is_refused_but_another_tenant_may_use_it():
    hr = context()
    await org_unit(hr, "DIG")
    with pytest.raises(DuplicateCode):
        await org_unit(hr, "DIG")
    theirs = await org_unit(as_(hr, tenant=OTHER_TENANT), "DIG")
    assert theirs.code == "DIG"


async def test_the_parent_must_exist_in_the_tenant():
    hr = context()
    elsewhere = await org_unit(as_(hr, tenant=OTHER_TENANT), "THEIRS")
    for parent_id in (uuid.uuid4(), elsewhere.id):
        with pytest.raises(ValidationFailed):
            await service.create(
                hr,
                data=OrgUnitCreate(code="X", name="X", cost_centre="CC", parent_id=parent_id),
            )


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
async def test_a_move_under_itself_or_its_own_descendant_is_refused(target):
    hr = context()
    root, a, a1, a2, _ = await tree(hr)
    new_parent = {"itself": a, "child": a1, "grandchild": a2}[target]
    with pytest.raises(OrgUnitCycle):
        await service.update(hr, current=a, changes=move(parent_id=new_parent.id))
    assert (await service.get(hr, org_unit_id=a.id)).parent_id == root.id


async def test_a_move_to_another_branch_takes_the_subtree_along():
    hr = context()
    _, a, _, _, b = await tree(hr)
    moved = await service.update(hr, current=a, changes=move(parent_id=b.id))
    assert moved.parent_id == b.id and moved.version == a.version + 1
    under_b = await service.list_units(hr, page=PageRequest(), under=b.id)
    assert [u.code for u in under_b.items] == ["A", "A1", "A2", "B"]
    assert actions(hr, a.id) == ["org_unit.created", "org_unit.updated"]


async def test_a_unit_can_become_top_level():
    hr = context()
    _, a, *_ = await tree(hr)
    moved = await service.update(hr, current=a, changes=move(parent_id=None))
    assert moved.parent_id is None


async def test_the_subtree_is_the_unit_and_everything_below_it():
    hr = context()
    root, a, a1, a2, _ = await tree(hr)
    await org_unit(as_(hr, tenant=OTHER_TENANT), "A")
    under_a = await service.list_units(hr, page=PageRequest(), under=a.id)
    assert [u.id for u in under_a.items] == [a.id, a1.id, a2.id]
    everything = await service.list_units(hr, page=PageRequest(), under=root.id)
    assert len(everything.items) == 5
    with pytest.raises(NotFound):
        await service.list_units(hr, page=PageRequest(), under=uuid.uuid4())


async def test_list_filters_by_parent_and_code():
    hr = context()
    root, a, _, _, b = await tree(hr)
    children = await service.list_units(hr, page=PageRequest(), parent_id=root.id)
    assert [u.id for u in children.items] == [a.id, b.id]
    coded = await service.list_units(hr, page=PageRequest(), code="A1")
    assert [u.code for u in coded.items] == ["A1"]


async def test_renaming_to_a_code_in_use_is_refused_and_an_unchanged_update_writes_nothing():
    hr = context()
    first = await org_unit(hr, "ONE")
    second = await org_unit(hr, "TWO")
    with pytest.raises(DuplicateCode):
        await service.update(hr, current=second, changes=move(code="ONE"))
    same = await service.update(hr, current=first, changes=move(code="ONE", name=first.name))
    assert same == first
    assert actions(hr, first.id) == ["org_unit.created"]


async def test_an_update_from_a_stale_read_is_refused():
    hr = context()
    unit = await org_unit(hr)
    await service.update(hr, current=unit, changes=move(name="Renamed"))
    with pytest.raises(StaleRecord):
        await service.update(hr, current=unit, changes=move(cost_centre="CC-2"))
