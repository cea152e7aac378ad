"""Finance problem types: each names a ledger rule a request broke, with its HTTP status."""

from __future__ import annotations

from sop_shared.errors import Conflict, Forbidden, ServiceUnavailable, ValidationFailed


class JournalUnbalanced(ValidationFailed):
    slug, title = "journal-unbalanced", "Journal does not balance"


class PeriodClosed(Conflict):
    slug, title = "period-closed", "Period is closed"


class PeriodSoftClosed(Forbidden):
    slug, title = "period-soft-closed", "Period is soft-closed"


class JournalPosted(Conflict):
    slug, title = "journal-posted", "Posted journals are immutable"


class ApprovalRequired(Conflict):
    slug, title = "approval-required", "Approval required"


class SelfApproval(Forbidden):
    slug, title = "self-approval", "Preparer cannot approve"


class InvalidState(Conflict):
    slug, title = "invalid-state", "Not allowed in the current state"


class DuplicateReference(Conflict):
    slug, title = "duplicate-reference", "Already recorded"


class ControlTotals(Conflict):
    """A payment batch's payments differ from the count and total its sender promised."""

    slug, title = "control-totals", "Control totals do not match"


class ProcessingDayPassed(Conflict):
    """A payment batch whose Bacs processing day has passed: its file is with the bank."""

    slug, title = "processing-day-passed", "Bacs processing day has passed"


class JournalOwned(Conflict):
    """A journal another finance process wrote (an invoice's posting, a payment run, the
    year-end close) is corrected through that process, never on its own."""

    slug, title = "journal-owned", "Journal belongs to a finance process"


class AdapterUnavailable(ServiceUnavailable):
    slug, title = "adapter-unavailable", "Finance backend unavailable"
