"""The native adapter: HR's records in HR's own database, in the request's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sop_hr.adapters.native.absences import NativeAbsences, NativeLeaveTypes
from sop_hr.adapters.native.employees import NativeEmployees
from sop_hr.adapters.native.org_units import NativeOrgUnits
from sop_hr.adapters.native.positions import NativePositions
from sop_hr.adapters.native.terms import NativeTerms
from sop_hr.ports import HRBackend

if TYPE_CHECKING:
    from sop_hr.adapters.registry import AdapterContext


def native_records(context: AdapterContext) -> HRBackend:
    """Every port over the request's own session, so records commit with its audit events.
    The binding carries no settings: the backend is HR's own database."""
    session = context.session
    return HRBackend(
        employees=NativeEmployees(session),
        terms=NativeTerms(session),
        org_units=NativeOrgUnits(session),
        positions=NativePositions(session),
        leave_types=NativeLeaveTypes(session),
        absences=NativeAbsences(session),
    )
