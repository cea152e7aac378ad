"""HR's problem types: each business rule HR enforces fails with its own type and status."""

from __future__ import annotations

from sop_shared.errors import Conflict, Forbidden, Problem, ValidationFailed


class DuplicateEmployeeNumber(Conflict):
    slug, title = "duplicate-employee-number", "Employee number already in use"


class DuplicateCode(Conflict):
    slug, title = "duplicate-code", "Code already in use"


class OrgUnitCycle(ValidationFailed):
    slug, title = "org-unit-cycle", "Org unit would become its own ancestor"


class TermsDateTaken(Conflict):
    slug, title = "terms-date-taken", "Terms already change on that date"


class AfterLeavingDate(ValidationFailed):
    slug, title = "after-leaving-date", "Date after the employee's leaving date"


class AlreadyLeaving(Conflict):
    slug, title = "already-leaving", "Leaving already recorded"


class BookedAfterLeaving(Conflict):
    slug, title = "booked-after-leaving", "Bookings exist after the leaving date"


class OverlappingAbsence(Conflict):
    slug, title = "overlapping-absence", "Absence overlaps another"


class LeaveBalanceExceeded(ValidationFailed):
    slug, title = "leave-balance-exceeded", "Not enough annual leave left"


class OwnAbsenceDecision(Forbidden):
    slug, title = "own-absence-decision", "Nobody decides their own absence"


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", "Not possible in the absence's current status"


class SensitiveFieldsNeedScope(Forbidden):
    slug, title = "sensitive-fields", "Sensitive fields need hr:sensitive"


class ImportRejected(ValidationFailed):
    slug, title = "import-rejected", "Import rejected: nothing was written"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"
