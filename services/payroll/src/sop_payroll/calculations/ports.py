"""The records a calculation speaks are the engine's (`sop_payroll.engine`): its inputs
(`PayslipInput`, `IncomeTaxInput`, ...) and results, frozen and explained. A calculation reads
and writes no system of record, so it has no port of its own: everything it needs, the rules
of the tax year included, is packaged with the engine."""

from __future__ import annotations

from sop_payroll.engine import PayrollEngineError, TaxYearRules

__all__ = ["PayrollEngineError", "TaxYearRules"]
