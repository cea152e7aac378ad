"""Payroll's problem types. The calculator's bad inputs are the kernel's 422 (each engine error
names its field); a tax year without rules is a 404; pay runs add the rules of their life."""

from __future__ import annotations

from sop_shared.errors import Conflict, Forbidden, NotFound, Problem


class TaxYearNotFound(NotFound):
    slug, title = "tax-year-not-found", "No rules for that tax year"


class PayGroupExists(Conflict):
    slug, title = "pay-group-exists", "A pay group with that code exists"


class PayRunExists(Conflict):
    slug, title = "pay-run-exists", "A pay run exists for that period"


class PayRunState(Conflict):
    slug, title = "invalid-state", "Not allowed in the pay run's current state"


class SelfApproval(Forbidden):
    slug, title = "self-approval", "The person who started a pay run cannot approve it"


class PeriodLocked(Conflict):
    slug, title = "period-locked", "The period's pay run is approved or finalised"


class PaymentsSent(Conflict):
    slug, title = "payments-sent", "The run's net pay is already on its way to the bank"


class ExceptionsOutstanding(Conflict):
    slug, title = "exceptions-outstanding", "Employees have unresolved exceptions"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"
