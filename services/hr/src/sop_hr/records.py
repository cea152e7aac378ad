"""The vocabulary every HR port shares: page requests and pages, the errors an adapter may
raise, and `HRRecords`, the bundle of ports one adapter provides for a request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from sop_shared.errors import PreconditionFailed, ServiceUnavailable, ValidationFailed

if TYPE_CHECKING:
    from sop_hr.absences.ports import AbsenceRecords, LeaveTypeRecords
    from sop_hr.employees.ports import EmployeeRecords
    from sop_hr.org_units.ports import OrgUnitRecords
    from sop_hr.positions.ports import PositionRecords
    from sop_hr.terms.ports import TermsRecords

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page of a list: at most `limit` items after `cursor` (an adapter's own opaque
    `next_cursor`, handed back unchanged)."""

    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class RecordPage(Generic[T]):
    """Items in a stable order (creation order where the backend allows) and the cursor of
    the next page, or None on the last."""

    items: Sequence[T]
    next_cursor: str | None = None


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
class HRRecords:
    """The ports of one system of record, as the composition root hands them to a request."""

    employees: EmployeeRecords
    terms: TermsRecords
    org_units: OrgUnitRecords
    positions: PositionRecords
    leave_types: LeaveTypeRecords
    absences: AbsenceRecords
