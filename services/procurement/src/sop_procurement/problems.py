"""Procurement problem types: each names a rule a request broke, with its HTTP status."""

from __future__ import annotations

from sop_shared.errors import Conflict, Forbidden, ServiceUnavailable


class InvalidState(Conflict):
    slug, title = "invalid-state", "Not allowed in the current state"


class OverBudget(Conflict):
    slug, title = "over-budget", "Not enough budget"


class BudgetOverrideRequired(Conflict):
    slug, title = "budget-override-required", "Over budget: approval needs an override reason"


class SelfApproval(Forbidden):
    slug, title = "self-approval", "Requester cannot approve"


class AboveAuthority(Forbidden):
    slug, title = "above-authority", "Above the approver's delegated authority"


class SupplierNotActive(Conflict):
    slug, title = "supplier-not-active", "Supplier is suspended or archived"


class OverReceipt(Conflict):
    slug, title = "over-receipt", "More received than ordered"


class OverReturn(Conflict):
    slug, title = "over-return", "More returned than received"


class DuplicateSupplier(Conflict):
    slug, title = "duplicate-supplier", "A supplier with this identifier exists"


class FinanceUnavailable(ServiceUnavailable):
    slug, title = "finance-unavailable", "Finance could not be reached"


class FinanceRefused(Conflict):
    slug, title = "finance-refused", "Finance refused the request"


class AdapterUnavailable(ServiceUnavailable):
    slug, title = "adapter-unavailable", "Procurement backend unavailable"
