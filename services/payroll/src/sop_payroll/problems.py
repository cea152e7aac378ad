"""Payroll's problem types. The calculator's bad inputs are the kernel's 422 (each engine error
names its field); a tax year without rules is a 404."""

from __future__ import annotations

from sop_shared.errors import NotFound


class TaxYearNotFound(NotFound):
    slug, title = "tax-year-not-found", "No rules for that tax year"
