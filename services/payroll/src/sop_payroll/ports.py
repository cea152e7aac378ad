"""`PayrollBackend`: the ports one adapter provides for a request. Today the tax years' rules;
pay groups, pay runs and payslips join it as the pay-run work lands."""

from __future__ import annotations

from dataclasses import dataclass

from sop_payroll.tax_years.ports import TaxYearCatalogue


@dataclass(frozen=True, slots=True)
class PayrollBackend:
    tax_years: TaxYearCatalogue
