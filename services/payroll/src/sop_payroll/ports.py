"""`PayrollBackend`: the ports one adapter provides for a request: the tax years' rules, pay
groups and pay runs (with their items, year-to-date figures and documents)."""

from __future__ import annotations

from dataclasses import dataclass

from sop_payroll.adjustments.ports import AdjustmentRecords
from sop_payroll.employees.ports import RtiDetailsRecords, TaxCodeNotices
from sop_payroll.pay_groups.ports import PayGroupRecords
from sop_payroll.pay_runs.ports import PayRunRecords
from sop_payroll.tax_years.ports import TaxYearCatalogue


@dataclass(frozen=True, slots=True)
class PayrollBackend:
    tax_years: TaxYearCatalogue
    pay_groups: PayGroupRecords
    pay_runs: PayRunRecords
    rti_details: RtiDetailsRecords
    adjustments: AdjustmentRecords
    tax_codes: TaxCodeNotices
