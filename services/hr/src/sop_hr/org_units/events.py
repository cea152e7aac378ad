"""The events HR publishes about org units, and their data: the org unit's public
representation. Finance keeps its cost centres in step with them."""

from __future__ import annotations

from typing import Final

from sop_hr.context import HRContext
from sop_hr.org_units.ports import OrgUnit
from sop_hr.org_units.schemas import OrgUnitOut, org_unit_out

CREATED: Final = "uk.gov.sop.hr.org_unit.created.v1"
UPDATED: Final = "uk.gov.sop.hr.org_unit.updated.v1"

CATALOGUE = {
    CREATED: ("An org unit was created.", OrgUnitOut),
    UPDATED: ("An org unit changed: its code, name, cost centre or parent.", OrgUnitOut),
}


async def publish(hr: HRContext, type: str, unit: OrgUnit) -> None:
    await hr.events.publish(
        type,
        subject=f"org-units/{unit.id}",
        aggregate=f"org_unit:{unit.id}",
        data=org_unit_out(unit).model_dump(mode="json"),
        dataschema=f"urn:sop:events:{type}",  # its message in /events/asyncapi.json
    )
