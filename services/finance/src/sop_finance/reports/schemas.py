"""Report bodies: trial balance, account balances, cost centre income and expenditure."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from sop_finance.accounts.ports import AccountType
from sop_shared.money import Money


class ReportPeriod(BaseModel):
    period: str = Field(examples=["2026-08"])
    financial_year: str = Field(examples=["2026-27"])
    period_start: date
    period_end: date


class TrialBalanceLine(BaseModel):
    account_code: str
    account_name: str
    account_type: AccountType
    debit: Money
    credit: Money


class TrialBalance(ReportPeriod):
    """Every account's balance at the end of the period, in the debit or the credit column.
    Debits always equal credits."""

    lines: list[TrialBalanceLine]
    total_debit: Money
    total_credit: Money


class AccountBalance(BaseModel):
    account_code: str
    account_name: str
    account_type: AccountType
    parent_code: str | None
    postable: bool
    period_debit: Money
    period_credit: Money
    period_net: Money = Field(description="Debit minus credit in the period.")
    ytd_debit: Money
    ytd_credit: Money
    ytd_net: Money = Field(description="Debit minus credit, year to date.")
    balance: Money = Field(description="Debit minus credit since the ledger began.")


class AccountBalances(ReportPeriod):
    cost_centre_code: str | None
    accounts: list[AccountBalance]


class IncomeExpenditureLine(BaseModel):
    account_code: str
    account_name: str
    period: Money
    year_to_date: Money


class CostCentreStatement(BaseModel):
    cost_centre_code: str
    cost_centre_name: str | None
    income: list[IncomeExpenditureLine]
    expenditure: list[IncomeExpenditureLine]
    total_income: Money = Field(description="Year to date.")
    total_expenditure: Money = Field(description="Year to date.")
    net_expenditure: Money = Field(description="Expenditure less income, year to date.")
    period_total_income: Money
    period_total_expenditure: Money
    period_net_expenditure: Money


class CostCentreIncomeExpenditure(ReportPeriod):
    cost_centres: list[CostCentreStatement]
