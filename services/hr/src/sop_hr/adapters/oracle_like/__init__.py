"""The oracle_like adapter: HR's records in an Oracle-Fusion-like HCM suite over its REST API,
with HR's ids, versions and timestamps cross-referenced in HR's own database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sop_hr.adapters.oracle_like.absences import OracleAbsences, OracleLeaveTypes
from sop_hr.adapters.oracle_like.client import OracleHcm
from sop_hr.adapters.oracle_like.employees import OracleEmployees
from sop_hr.adapters.oracle_like.organisation import OracleOrgUnits, OraclePositions
from sop_hr.adapters.oracle_like.terms import OracleTerms
from sop_hr.ports import HRBackend

if TYPE_CHECKING:
    from sop_hr.adapters.registry import AdapterContext


def oracle_like_records(context: AdapterContext) -> HRBackend:
    """Every port over one client of the binding's suite (from `context.backends`, with
    its circuit breaker) and the request's session for cross-references."""
    hcm = OracleHcm.from_context(context)
    employees = OracleEmployees(hcm)
    return HRBackend(
        employees=employees,
        terms=OracleTerms(hcm, employees),
        org_units=OracleOrgUnits(hcm),
        positions=OraclePositions(hcm),
        leave_types=OracleLeaveTypes(hcm),
        absences=OracleAbsences(hcm),
    )
