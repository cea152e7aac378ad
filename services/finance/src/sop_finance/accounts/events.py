"""What finance does with HR's org-unit events: every cost centre an org unit names exists in
finance within seconds, so a new department's first journal to it posts without anyone
creating it by hand."""

from __future__ import annotations

from typing import Final

from sop_finance.accounts import service
from sop_finance.context import FinanceContext
from sop_shared.events import Event, filter_subject

ORG_UNIT_CREATED: Final = "uk.gov.sop.hr.org_unit.created.v1"
ORG_UNIT_UPDATED: Final = "uk.gov.sop.hr.org_unit.updated.v1"

CONSUMER: Final = "finance-cost-centres"
SUBJECTS: Final = tuple(
    filter_subject("hr", type=event_type) for event_type in (ORG_UNIT_CREATED, ORG_UNIT_UPDATED)
)


async def on_org_unit(fin: FinanceContext, event: Event) -> None:
    await service.cost_centre_for_org_unit(
        fin, code=str(event.data["cost_centre"]), name=str(event.data["name"])
    )
