"""The fakes keep the native adapter's port semantics the rules rely on: versions, stale and
vanished records, unique codes, keyset pages in creation order, updated_since, tenants apart."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hr_fakes import OTHER_TENANT, TENANT, fake_backend

from sop_hr.org_units.ports import OrgUnit, OrgUnitFilter
from sop_hr.ports import InvalidCursor, PageRequest, RecordGone, StaleRecord
from sop_hr.terms.ports import ContractType, EmploymentTerms, Grade, PayFrequency
from sop_shared.clock import FixedClock
from sop_shared.errors import Conflict
from sop_shared.ids import uuid7


def unit(code: str, parent: OrgUnit | None = None) -> OrgUnit:
    return OrgUnit(
        id=uuid7(),
        code=code,
        name=code,
        cost_centre="CC",
        parent_id=parent.id if parent else None,
        version=9,  # ignored: a new record starts at 1
    )


async def test_a_new_record_starts_at_version_1_and_each_update_bumps_it():
    clock = FixedClock(datetime(2026, 1, 15, 9, tzinfo=UTC))
    units = fake_backend(clock).org_units
    added = await units.add(TENANT, unit("A"))
    assert (added.version, added.created_at, added.updated_at) == (1, clock.now(), clock.now())
    clock.advance(timedelta(minutes=1))
    touched = await units.update(TENANT, added)  # even with nothing changed
    assert (touched.version, touched.created_at, touched.updated_at) == (
        2,
        added.created_at,
        clock.now(),
    )


async def test_an_update_from_an_old_version_is_stale_and_one_of_a_missing_record_is_gone():
    units = fake_backend().org_units
    added = await units.add(TENANT, unit("A"))
    await units.update(TENANT, dataclasses.replace(added, name="B"))
    with pytest.raises(StaleRecord):
        await units.update(TENANT, dataclasses.replace(added, name="C"))
    assert (await units.get(TENANT, added.id)) is not None
    with pytest.raises(RecordGone):
        await units.update(TENANT, unit("NEW"))
    with pytest.raises(RecordGone):  # nothing crosses tenants
        await units.update(OTHER_TENANT, added)


async def test_unique_columns_and_references_are_enforced_as_the_tables_do():
    backend = fake_backend()
    a = await backend.org_units.add(TENANT, unit("A"))
    with pytest.raises(Conflict):
        await backend.org_units.add(TENANT, unit("A"))
    await backend.org_units.add(OTHER_TENANT, unit("A"))
    with pytest.raises(Conflict):  # a parent in another tenant does not exist here
        await backend.org_units.add(OTHER_TENANT, unit("B", parent=a))
    row = EmploymentTerms(
        id=uuid7(),
        employee_id=uuid.uuid4(),
        effective_from=date(2026, 1, 1),
        org_unit_id=a.id,
        grade=Grade.HEO,
        fte=Decimal(1),
        annual_salary=Decimal(30000),
        pay_frequency=PayFrequency.MONTHLY,
        contract_type=ContractType.PERMANENT,
    )
    with pytest.raises(Conflict):  # no such employee
        await backend.terms.add(TENANT, row)


async def test_pages_run_in_creation_order_and_updated_since_filters():
    clock = FixedClock(datetime(2026, 1, 15, 9, tzinfo=UTC))
    units = fake_backend(clock).org_units
    made = []
    for code in "ABCDE":
        made.append(await units.add(TENANT, unit(code)))
        clock.advance(timedelta(seconds=1))
    await units.add(OTHER_TENANT, unit("X"))

    seen, cursor = [], None
    while True:
        page = await units.list(TENANT, OrgUnitFilter(), PageRequest(limit=2, cursor=cursor))
        seen += [u.code for u in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert seen == list("ABCDE")
    recent = await units.list(
        TENANT, OrgUnitFilter(updated_since=made[3].updated_at), PageRequest()
    )
    assert [u.code for u in recent.items] == ["D", "E"]
    with pytest.raises(InvalidCursor):
        await units.list(TENANT, OrgUnitFilter(), PageRequest(cursor="bogus"))


async def test_a_record_is_invisible_from_another_tenant():
    units = fake_backend().org_units
    added = await units.add(TENANT, unit("A"))
    assert await units.get(OTHER_TENANT, added.id) is None
    assert await units.find_by_codes(OTHER_TENANT, ["A"]) == {}
    assert await units.hierarchy(OTHER_TENANT) == {}
    with pytest.raises(PermissionError):
        await units.get("", added.id)
