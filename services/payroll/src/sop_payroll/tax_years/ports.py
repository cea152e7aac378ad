"""What the tax-year routes need: the years that have rules, and one year's rules (the
engine's `TaxYearRules` record, rates and thresholds as data)."""

from __future__ import annotations

from typing import Protocol

from sop_payroll.engine import TaxYearRules

__all__ = ["TaxYearCatalogue", "TaxYearRules"]


class TaxYearCatalogue(Protocol):
    def years(self) -> tuple[str, ...]:
        """Every tax year with rules ("2025-26"), oldest first."""
        ...

    def rules(self, tax_year: str) -> TaxYearRules:
        """One year's rules; `UnknownTaxYear` (an engine error) when it has none."""
        ...
