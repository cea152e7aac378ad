"""Tenant provisioning: the default chart of accounts and the current and next financial years."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sop_finance.accounts.models import Account, AccountType, ControlRole
from sop_finance.bootstrap import FINANCE_APPROVE, FINANCE_READ, FINANCE_WRITE, finance_context
from sop_finance.periods import service as periods
from sop_finance.periods.models import fiscal_year_of
from sop_finance.settings import FinanceSettings
from sop_shared.context import Principal
from sop_shared.db import utcnow

# (code, name, type, parent, postable, control role). SCOA-style: eight-digit codes whose first
# digit is the statement group and whose leading digits give the roll-up (X0000000 group,
# XY000000 sub-group, then posting accounts), after the shape of HM Treasury's standard chart.
# Tenants add their own accounts within the ranges.
DEFAULT_CHART: tuple[tuple[str, str, AccountType, str | None, bool, ControlRole | None], ...] = (
    ("10000000", "Income", "income", None, False, None),
    ("11000000", "Income from sales of goods and services", "income", "10000000", False, None),
    ("11100000", "Sales of goods and services", "income", "11000000", True, None),
    ("11200000", "Fees and charges", "income", "11000000", True, None),
    ("12000000", "Other operating income", "income", "10000000", False, None),
    ("12100000", "Grant income", "income", "12000000", True, None),
    ("12200000", "Recharges to other departments", "income", "12000000", True, None),
    ("12900000", "Miscellaneous income", "income", "12000000", True, None),
    ("20000000", "Expenditure", "expense", None, False, None),
    ("21000000", "Staff costs", "expense", "20000000", False, None),
    ("21100000", "Wages and salaries", "expense", "21000000", True, None),
    ("21200000", "Employer national insurance", "expense", "21000000", True, None),
    ("21300000", "Employer pension contributions", "expense", "21000000", True, None),
    ("21400000", "Agency and contract staff", "expense", "21000000", True, None),
    ("22000000", "Purchase of goods and services", "expense", "20000000", False, None),
    ("22100000", "Accommodation and estates", "expense", "22000000", True, None),
    ("22200000", "IT and telecommunications", "expense", "22000000", True, None),
    ("22300000", "Professional services and consultancy", "expense", "22000000", True, None),
    ("22400000", "Travel and subsistence", "expense", "22000000", True, None),
    ("22500000", "Supplies and services", "expense", "22000000", True, None),
    ("22600000", "Training", "expense", "22000000", True, None),
    ("23000000", "Depreciation and impairment", "expense", "20000000", False, None),
    ("23100000", "Depreciation", "expense", "23000000", True, None),
    ("23200000", "Amortisation", "expense", "23000000", True, None),
    ("24000000", "Grants and subsidies", "expense", "20000000", False, None),
    ("24100000", "Grants to local government", "expense", "24000000", True, None),
    ("24200000", "Grants to other bodies", "expense", "24000000", True, None),
    ("25000000", "Other expenditure", "expense", "20000000", False, None),
    ("25100000", "Bank charges", "expense", "25000000", True, None),
    ("25900000", "Miscellaneous expenditure", "expense", "25000000", True, None),
    ("30000000", "Non-current assets", "asset", None, False, None),
    ("31000000", "Property, plant and equipment", "asset", "30000000", False, None),
    ("31100000", "Land and buildings", "asset", "31000000", True, None),
    ("31200000", "IT equipment", "asset", "31000000", True, None),
    ("31900000", "Accumulated depreciation", "asset", "31000000", True, None),
    ("32000000", "Intangible assets", "asset", "30000000", False, None),
    ("32100000", "Software licences", "asset", "32000000", True, None),
    ("40000000", "Current assets", "asset", None, False, None),
    ("41000000", "Receivables", "asset", "40000000", False, None),
    ("41100000", "Trade receivables", "asset", "41000000", True, None),
    ("41200000", "Prepayments and accrued income", "asset", "41000000", True, None),
    ("42000000", "Tax receivable", "asset", "40000000", False, None),
    ("42300000", "VAT recoverable", "asset", "42000000", True, "vat_recoverable"),
    ("43000000", "Cash and cash equivalents", "asset", "40000000", False, None),
    ("43100000", "Cash at bank - Government Banking Service", "asset", "43000000", True, None),
    ("43200000", "Cash at commercial banks", "asset", "43000000", True, None),
    ("50000000", "Current liabilities", "liability", None, False, None),
    ("51000000", "Payables", "liability", "50000000", False, None),
    ("51100000", "Trade payables", "liability", "51000000", True, "payables_control"),
    ("51200000", "Accruals and deferred income", "liability", "51000000", True, None),
    ("52000000", "Payroll liabilities", "liability", "50000000", False, None),
    ("52100000", "Net pay payable", "liability", "52000000", True, None),
    ("52200000", "PAYE and NI payable to HMRC", "liability", "52000000", True, None),
    ("52300000", "Pension contributions payable", "liability", "52000000", True, None),
    ("52400000", "Other payroll deductions payable", "liability", "52000000", True, None),
    ("60000000", "Non-current liabilities", "liability", None, False, None),
    ("61000000", "Provisions", "liability", "60000000", False, None),
    ("61100000", "Provisions for liabilities and charges", "liability", "61000000", True, None),
    ("70000000", "Taxpayers' equity", "equity", None, False, None),
    ("71000000", "Reserves", "equity", "70000000", False, None),
    ("71100000", "General fund", "equity", "71000000", True, "retained_earnings"),
    ("71200000", "Revaluation reserve", "equity", "71000000", True, None),
)

SYSTEM = "system:provisioning"


def make_provisioner(settings: FinanceSettings):
    async def provision(session: AsyncSession, tenant: str, cluster: str) -> None:
        principal = Principal(
            subject=SYSTEM,
            client_id="sop-finance",
            tenant=tenant,
            cluster=cluster,
            scopes=frozenset({FINANCE_READ, FINANCE_WRITE, FINANCE_APPROVE}),
        )
        fin = finance_context(session, principal, settings)
        chart = fin.backend.accounts
        have = {a.code for a in await chart.all_accounts()}
        added = 0
        for code, name, kind, parent, postable, role in DEFAULT_CHART:
            if code in have:
                continue
            await chart.add_account(
                Account(
                    code=code,
                    name=name,
                    type=kind,
                    parent_code=parent,
                    postable=postable,
                    control_role=role,
                )
            )
            added += 1
        if added:
            await fin.audit.record(
                "chart.provisioned", "chart_of_accounts", tenant, after={"accounts_added": added}
            )
        this_year = fiscal_year_of(utcnow().date())
        await periods.ensure_year(fin, this_year)
        await periods.ensure_year(fin, this_year + 1)

    return provision
