"""The vocabulary every HR port shares: page requests and pages (the kernel's), the errors an
adapter may raise, and `HRBackend`, the bundle of ports one adapter provides for a request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sop_shared.errors import PreconditionFailed, ServiceUnavailable, ValidationFailed
from sop_shared.pagination import PageRequest, RecordPage

if TYPE_CHECKING:
    from sop_hr.absences.ports import AbsenceRecords, LeaveTypeRecords
    from sop_hr.employees.ports import EmployeeRecords
    from sop_hr.org_units.ports import OrgUnitRecords
    from sop_hr.positions.ports import PositionRecords
    from sop_hr.terms.ports import TermsRecords

__all__ = [
    "BackendUnavailable",
    "HRBackend",
    "InvalidCursor",
    "PageRequest",
    "RecordGone",
    "RecordPage",
    "StaleRecord",
]


class StaleRecord(PreconditionFailed):
    """An update named a version the system of record no longer holds."""


class RecordGone(PreconditionFailed):
    """An update named a record the system of record no longer holds."""


class InvalidCursor(ValidationFailed):
    """A cursor the adapter did not issue."""

    def __init__(self) -> None:
        super().__init__("cursor is not one this API issued", errors=[("cursor", "invalid cursor")])


class BackendUnavailable(ServiceUnavailable):
    """The system of record cannot be reached or is not configured (an adapter's timeouts,
    retries and circuit breaker end here)."""


@dataclass(frozen=True, slots=True)
class HRBackend:
    """The ports of one system of record, as the composition root hands them to a request."""

    employees: EmployeeRecords
    terms: TermsRecords
    org_units: OrgUnitRecords
    positions: PositionRecords
    leave_types: LeaveTypeRecords
    absences: AbsenceRecords
