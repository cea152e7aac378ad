"""Org units: a hierarchy without cycles, unique codes, and subtrees."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import datetime

from sop_hr.context import HRContext
from sop_hr.org_units import events
from sop_hr.org_units.ports import OrgUnit, OrgUnitFilter
from sop_hr.org_units.schemas import OrgUnitCreate, OrgUnitUpdate, snapshot
from sop_hr.ports import PageRequest, RecordPage
from sop_hr.problems import DuplicateCode, OrgUnitCycle
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.ids import uuid7

Hierarchy = Mapping[uuid.UUID, uuid.UUID | None]


def descendants(hierarchy: Hierarchy, root: uuid.UUID) -> set[uuid.UUID]:
    """`root` and every unit below it."""
    children: dict[uuid.UUID, list[uuid.UUID]] = {}
    for unit, parent in hierarchy.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    found, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def would_cycle(hierarchy: Hierarchy, unit: uuid.UUID, new_parent: uuid.UUID | None) -> bool:
    """Whether putting `unit` under `new_parent` makes it its own ancestor."""
    seen: set[uuid.UUID] = set()
    current = new_parent
    while current is not None and current not in seen:
        if current == unit:
            return True
        seen.add(current)
        current = hierarchy.get(current)
    return False


async def _code_is_free(hr: HRContext, code: str) -> None:
    if await hr.backend.org_units.find_by_codes(hr.tenant, [code]):
        raise DuplicateCode(f"org unit code {code} is already in use", errors=[("code", "in use")])


async def _parent_exists(hr: HRContext, parent_id: uuid.UUID) -> None:
    if await hr.backend.org_units.get(hr.tenant, parent_id) is None:
        raise ValidationFailed(
            "no such parent org unit", errors=[("parent_id", "no such org unit")]
        )


async def create(hr: HRContext, *, data: OrgUnitCreate) -> OrgUnit:
    await _code_is_free(hr, data.code)
    if data.parent_id is not None:
        await _parent_exists(hr, data.parent_id)
    unit = await hr.backend.org_units.add(
        hr.tenant,
        OrgUnit(
            id=uuid7(),
            code=data.code,
            name=data.name,
            cost_centre=data.cost_centre,
            parent_id=data.parent_id,
        ),
    )
    await hr.audit.record("org_unit.created", "org_unit", unit.id, after=snapshot(unit))
    await events.publish(hr, events.CREATED, unit)
    return unit


async def get(hr: HRContext, *, org_unit_id: uuid.UUID) -> OrgUnit:
    unit = await hr.backend.org_units.get(hr.tenant, org_unit_id)
    if unit is None:
        raise NotFound(f"no org unit {org_unit_id}")
    return unit


async def update(hr: HRContext, *, current: OrgUnit, changes: OrgUnitUpdate) -> OrgUnit:
    values = {name: getattr(changes, name) for name in changes.model_fields_set}
    updated = dataclasses.replace(current, **values)
    if updated.code != current.code:
        await _code_is_free(hr, updated.code)
    if updated.parent_id != current.parent_id and updated.parent_id is not None:
        await _parent_exists(hr, updated.parent_id)
        hierarchy = await hr.backend.org_units.hierarchy(hr.tenant)
        if would_cycle(hierarchy, current.id, updated.parent_id):
            raise OrgUnitCycle(
                f"{current.code} cannot move under one of its own descendants (or itself)",
                errors=[("parent_id", "is the unit itself or below it")],
            )
    if updated == current:
        return current
    stored = await hr.backend.org_units.update(hr.tenant, updated)
    await hr.audit.record(
        "org_unit.updated", "org_unit", stored.id, before=snapshot(current), after=snapshot(stored)
    )
    await events.publish(hr, events.UPDATED, stored)
    return stored


async def list_units(
    hr: HRContext,
    *,
    page: PageRequest,
    code: str | None = None,
    parent_id: uuid.UUID | None = None,
    under: uuid.UUID | None = None,
    updated_since: datetime | None = None,
) -> RecordPage[OrgUnit]:
    ids = None
    if under is not None:
        await get(hr, org_unit_id=under)
        ids = descendants(await hr.backend.org_units.hierarchy(hr.tenant), under)
    where = OrgUnitFilter(code=code, parent_id=parent_id, ids=ids, updated_since=updated_since)
    return await hr.backend.org_units.list(hr.tenant, where, page)
