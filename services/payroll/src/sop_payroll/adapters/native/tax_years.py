"""The engine's packaged rule files as the tax-year catalogue."""

from __future__ import annotations

from sop_payroll.engine import TaxYearRules, available_tax_years, tax_year_rules


class PackagedTaxYears:
    def years(self) -> tuple[str, ...]:
        return available_tax_years()

    def rules(self, tax_year: str) -> TaxYearRules:
        return tax_year_rules(tax_year)
