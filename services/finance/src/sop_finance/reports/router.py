"""HTTP routes for /finance/v1/reports/..."""

# No `from __future__ import annotations`: FastAPI resolves these annotations at import.

from typing import Annotated

from fastapi import APIRouter, Query

from sop_finance.context import Reader
from sop_finance.http import PREFIX, BusinessDate, Code
from sop_finance.reports import service
from sop_finance.reports.schemas import (
    AccountBalances,
    CostCentreIncomeExpenditure,
    TrialBalance,
)
from sop_shared.errors import problem_responses

router = APIRouter(prefix=f"{PREFIX}/reports", tags=["reports"])
Errors = problem_responses(401, 403, 422)
PeriodQuery = Annotated[
    str | None,
    Query(
        max_length=12,
        description="2026-08 (a month) or 2026-27-ADJ (the adjustment period). Default: the "
        "period containing as_of, or today.",
    ),
]
AsOfQuery = Annotated[
    BusinessDate | None,
    Query(description="Report at the end of the period containing this date."),
]


@router.get("/trial-balance", response_model=TrialBalance, responses=Errors)
async def trial_balance(
    fin: Reader, period: PeriodQuery = None, as_of: AsOfQuery = None
) -> TrialBalance:
    """Every account's cumulative balance at the end of the period; debits equal credits."""
    return await service.trial_balance(fin, service.report_period(fin, period, as_of))


@router.get("/account-balances", response_model=AccountBalances, responses=Errors)
async def account_balances(
    fin: Reader,
    period: PeriodQuery = None,
    as_of: AsOfQuery = None,
    account: Annotated[Code | None, Query(description="One account's figures.")] = None,
    cost_centre: Annotated[Code | None, Query(description="Only this cost centre.")] = None,
    include_headers: Annotated[
        bool, Query(description="Add header accounts with their descendants rolled up.")
    ] = False,
) -> AccountBalances:
    """Per account: the period's movement, year to date, and the balance to date."""
    return await service.account_balances(
        fin,
        service.report_period(fin, period, as_of),
        cost_centre_code=cost_centre,
        account_code=account,
        include_headers=include_headers,
    )


@router.get(
    "/cost-centre-income-expenditure", response_model=CostCentreIncomeExpenditure, responses=Errors
)
async def cost_centre_income_expenditure(
    fin: Reader,
    period: PeriodQuery = None,
    as_of: AsOfQuery = None,
    cost_centre: Annotated[Code | None, Query(description="Default: every cost centre.")] = None,
) -> CostCentreIncomeExpenditure:
    """Income and expenditure by cost centre for the period and year to date."""
    return await service.cost_centre_income_expenditure(
        fin, service.report_period(fin, period, as_of), cost_centre_code=cost_centre
    )
