"""Positions: unique codes in an existing org unit; filled and vacant FTE from the terms in
force on a day."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sop_hr.context import HRContext
from sop_hr.ports import PageRequest, RecordPage
from sop_hr.positions.ports import Position, PositionFilter
from sop_hr.positions.schemas import PositionCreate, PositionUpdate, snapshot
from sop_hr.problems import DuplicateCode
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.ids import uuid7


async def _code_is_free(hr: HRContext, code: str) -> None:
    if await hr.backend.positions.find_by_codes(hr.tenant, [code]):
        raise DuplicateCode(f"position code {code} is already in use", errors=[("code", "in use")])


async def _org_unit_exists(hr: HRContext, org_unit_id: uuid.UUID) -> None:
    if await hr.backend.org_units.get(hr.tenant, org_unit_id) is None:
        raise ValidationFailed("no such org unit", errors=[("org_unit_id", "no such org unit")])


async def filled_fte(
    hr: HRContext, positions: Sequence[Position], day: date
) -> dict[uuid.UUID, Decimal]:
    """The FTE of the terms in force on `day` in each position."""
    filled = {p.id: Decimal(0) for p in positions}
    if positions:
        rows = await hr.backend.terms.in_force(hr.tenant, day, position_ids=list(filled))
        for t in rows:
            if t.position_id in filled:
                filled[t.position_id] += t.fte
    return filled


async def create(hr: HRContext, *, data: PositionCreate) -> Position:
    await _code_is_free(hr, data.code)
    await _org_unit_exists(hr, data.org_unit_id)
    position = await hr.backend.positions.add(
        hr.tenant,
        Position(
            id=uuid7(),
            code=data.code,
            title=data.title,
            grade=data.grade,
            org_unit_id=data.org_unit_id,
            budgeted_fte=data.budgeted_fte,
        ),
    )
    await hr.audit.record("position.created", "position", position.id, after=snapshot(position))
    return position


async def get(hr: HRContext, *, position_id: uuid.UUID) -> Position:
    position = await hr.backend.positions.get(hr.tenant, position_id)
    if position is None:
        raise NotFound(f"no position {position_id}")
    return position


async def update(hr: HRContext, *, current: Position, changes: PositionUpdate) -> Position:
    values = {name: getattr(changes, name) for name in changes.model_fields_set}
    updated = dataclasses.replace(current, **values)
    if updated.code != current.code:
        await _code_is_free(hr, updated.code)
    if updated.org_unit_id != current.org_unit_id:
        await _org_unit_exists(hr, updated.org_unit_id)
    if updated == current:
        return current
    stored = await hr.backend.positions.update(hr.tenant, updated)
    await hr.audit.record(
        "position.updated", "position", stored.id, before=snapshot(current), after=snapshot(stored)
    )
    return stored


async def list_positions(
    hr: HRContext,
    *,
    page: PageRequest,
    code: str | None = None,
    org_unit_id: uuid.UUID | None = None,
    updated_since: datetime | None = None,
) -> RecordPage[Position]:
    where = PositionFilter(code=code, org_unit_id=org_unit_id, updated_since=updated_since)
    return await hr.backend.positions.list(hr.tenant, where, page)
