"""The sap_like adapter: HR's records in a SuccessFactors-like suite over its OData v2 API,
with HR's ids, versions and timestamps cross-referenced in HR's own database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sop_hr.adapters.sap_like.absences import SapAbsences, SapLeaveTypes
from sop_hr.adapters.sap_like.client import SuccessFactors
from sop_hr.adapters.sap_like.employees import SapEmployees
from sop_hr.adapters.sap_like.organisation import SapOrgUnits, SapPositions
from sop_hr.adapters.sap_like.terms import SapTerms
from sop_hr.ports import HRBackend

if TYPE_CHECKING:
    from sop_hr.adapters.registry import AdapterContext


def sap_like_records(context: AdapterContext) -> HRBackend:
    """Every port over one client of the binding's suite (from `context.backends`, with
    its circuit breaker) and the request's session for cross-references."""
    sf = SuccessFactors.from_context(context)
    return HRBackend(
        employees=SapEmployees(sf),
        terms=SapTerms(sf),
        org_units=SapOrgUnits(sf),
        positions=SapPositions(sf),
        leave_types=SapLeaveTypes(sf),
        absences=SapAbsences(sf),
    )
