"""Request and response bodies for org units."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from sop_hr.org_units.ports import OrgUnit

Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$"),
    Field(description="Short code, unique per tenant (e.g. DIG-PLAT)."),
]
UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
CostCentre = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$"),
    Field(description="The finance cost centre the unit's costs post to."),
]


class OrgUnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name: UnitName
    cost_centre: CostCentre
    parent_id: uuid.UUID | None = Field(None, description="None for a top-level unit.")


class OrgUnitUpdate(BaseModel):
    """Only the fields sent change. Setting `parent_id` moves the unit (and its subtree);
    `null` makes it top-level."""

    model_config = ConfigDict(extra="forbid")

    code: Code | None = None
    name: UnitName | None = None
    cost_centre: CostCentre | None = None
    parent_id: uuid.UUID | None = None

    @field_validator("code", "name", "cost_centre", mode="before")
    @classmethod
    def _required_fields_stay(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class OrgUnitOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    cost_centre: str
    parent_id: uuid.UUID | None
    version: int
    created_at: datetime | None
    updated_at: datetime | None


def org_unit_out(u: OrgUnit) -> OrgUnitOut:
    return OrgUnitOut(
        id=u.id,
        code=u.code,
        name=u.name,
        cost_centre=u.cost_centre,
        parent_id=u.parent_id,
        version=u.version,
        created_at=u.created_at,
        updated_at=u.updated_at,
    )


def snapshot(u: OrgUnit) -> dict[str, Any]:
    return org_unit_out(u).model_dump(mode="json", exclude={"created_at", "updated_at"})
