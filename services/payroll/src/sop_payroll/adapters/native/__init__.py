"""The native adapter: the tax years' rules as the engine packages them (one TOML file per
year under `engine/rates`), and pay groups and pay runs in payroll's own database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sop_payroll.adapters.native.pay_runs import (
    NativeAdjustments,
    NativePayGroups,
    NativePayRuns,
    NativeRtiDetails,
    NativeTaxCodes,
)
from sop_payroll.adapters.native.tax_years import PackagedTaxYears
from sop_payroll.ports import PayrollBackend

if TYPE_CHECKING:
    from sop_payroll.adapters.registry import AdapterContext

_TAX_YEARS = PackagedTaxYears()


def native_backend(context: AdapterContext) -> PayrollBackend:
    return PayrollBackend(
        tax_years=_TAX_YEARS,
        pay_groups=NativePayGroups(context.session, context.tenant),
        pay_runs=NativePayRuns(context.session, context.tenant),
        rti_details=NativeRtiDetails(context.session, context.tenant),
        adjustments=NativeAdjustments(context.session, context.tenant),
        tax_codes=NativeTaxCodes(context.session, context.tenant),
    )
