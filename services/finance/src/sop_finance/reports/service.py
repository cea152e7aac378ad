"""Reports from maintained balances: cost bounded by accounts x cost centres x periods."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sop_finance.accounts.ports import OPERATING, Account
from sop_finance.context import FinanceContext
from sop_finance.periods.ports import PeriodRef, year_label
from sop_finance.periods.service import period_param
from sop_finance.reports.ports import BalanceTotal
from sop_finance.reports.schemas import (
    AccountBalance,
    AccountBalances,
    CostCentreIncomeExpenditure,
    CostCentreStatement,
    IncomeExpenditureLine,
    TrialBalance,
    TrialBalanceLine,
)
from sop_shared.errors import ValidationFailed

ZERO = Decimal("0.00")


def report_period(fin: FinanceContext, period: str | None, as_of: date | None) -> PeriodRef:
    """`period` (2026-08, 2026-27-ADJ) or the period containing `as_of`; default: the period
    of today's UK date (00:30 BST on 1 April is already the new financial year)."""
    if period is not None and as_of is not None:
        raise ValidationFailed(
            "give period or as_of, not both", errors=[("period", "conflicts with as_of")]
        )
    if period is not None:
        return period_param(period)
    return PeriodRef.of_date(as_of or fin.clock.today())


def _header(ref: PeriodRef) -> dict[str, Any]:
    return {
        "period": ref.code,
        "financial_year": year_label(ref.fiscal_year),
        "period_start": ref.start,
        "period_end": ref.end,
    }


async def trial_balance(fin: FinanceContext, ref: PeriodRef) -> TrialBalance:
    accounts = {a.code: a for a in await fin.backend.accounts.all_accounts()}
    lines = []
    for total in sorted(await fin.backend.balances.totals(to_key=ref.key), key=_by_code):
        net = total.net
        if net == 0:
            continue
        account = accounts[total.account_code]
        lines.append(
            TrialBalanceLine(
                account_code=account.code,
                account_name=account.name,
                account_type=account.type,
                debit=max(net, ZERO),
                credit=max(-net, ZERO),
            )
        )
    return TrialBalance(
        **_header(ref),
        lines=lines,
        total_debit=sum((ln.debit for ln in lines), ZERO),
        total_credit=sum((ln.credit for ln in lines), ZERO),
    )


async def account_balances(
    fin: FinanceContext,
    ref: PeriodRef,
    *,
    cost_centre_code: str | None,
    account_code: str | None,
    include_headers: bool,
) -> AccountBalances:
    balances = fin.backend.balances
    centre = cost_centre_code
    in_period = _index(
        await balances.totals(from_key=ref.key, to_key=ref.key, cost_centre_code=centre)
    )
    ytd = _index(
        await balances.totals(from_key=ref.year_start_key, to_key=ref.key, cost_centre_code=centre)
    )
    to_date = _index(await balances.totals(to_key=ref.key, cost_centre_code=centre))
    accounts = sorted(await fin.backend.accounts.all_accounts(), key=lambda a: a.code)
    figures = {
        a.code: _figures(in_period.get(a.code), ytd.get(a.code), to_date.get(a.code))
        for a in accounts
    }
    if include_headers:
        _roll_up(accounts, figures)
    rows = [
        AccountBalance(
            account_code=a.code,
            account_name=a.name,
            account_type=a.type,
            parent_code=a.parent_code,
            postable=a.postable,
            **figures[a.code],
        )
        for a in accounts
        if (account_code is None or a.code == account_code)
        and (a.postable or include_headers)
        and any(v != 0 for v in figures[a.code].values())
    ]
    return AccountBalances(**_header(ref), cost_centre_code=cost_centre_code, accounts=rows)


async def cost_centre_income_expenditure(
    fin: FinanceContext, ref: PeriodRef, *, cost_centre_code: str | None
) -> CostCentreIncomeExpenditure:
    accounts = {a.code: a for a in await fin.backend.accounts.all_accounts()}
    operating = [code for code, a in accounts.items() if a.type in OPERATING]
    balances = fin.backend.balances

    async def by_centre_and_account(from_key: int) -> list[BalanceTotal]:
        return await balances.totals(
            from_key=from_key,
            to_key=ref.key,
            by_cost_centre=True,
            cost_centre_code=cost_centre_code,
            account_codes=operating,
        )

    ytd = await by_centre_and_account(ref.year_start_key)
    in_period = {
        (t.cost_centre_code, t.account_code): t for t in await by_centre_and_account(ref.key)
    }
    by_centre: dict[str, list[BalanceTotal]] = defaultdict(list)
    for total in ytd:
        by_centre[total.cost_centre_code or ""].append(total)
    centres = await fin.backend.accounts.cost_centres_by_code(by_centre)
    statements = []
    for code in sorted(by_centre):
        income: list[IncomeExpenditureLine] = []
        expenditure: list[IncomeExpenditureLine] = []
        for total in sorted(by_centre[code], key=_by_code):
            account = accounts[total.account_code]
            period_total = in_period.get((total.cost_centre_code, total.account_code))
            period_net = period_total.net if period_total else ZERO
            # Present both sides as positive figures: income is credit-natured.
            sign = -1 if account.type == "income" else 1
            line = IncomeExpenditureLine(
                account_code=account.code,
                account_name=account.name,
                period=sign * period_net,
                year_to_date=sign * total.net,
            )
            (income if account.type == "income" else expenditure).append(line)
        total_income = sum((ln.year_to_date for ln in income), ZERO)
        total_spend = sum((ln.year_to_date for ln in expenditure), ZERO)
        period_income = sum((ln.period for ln in income), ZERO)
        period_spend = sum((ln.period for ln in expenditure), ZERO)
        centre = centres.get(code)
        statements.append(
            CostCentreStatement(
                cost_centre_code=code,
                cost_centre_name=centre.name if centre else None,
                income=income,
                expenditure=expenditure,
                total_income=total_income,
                total_expenditure=total_spend,
                net_expenditure=total_spend - total_income,
                period_total_income=period_income,
                period_total_expenditure=period_spend,
                period_net_expenditure=period_spend - period_income,
            )
        )
    return CostCentreIncomeExpenditure(**_header(ref), cost_centres=statements)


def _by_code(total: BalanceTotal) -> str:
    return total.account_code


def _index(totals: list[BalanceTotal]) -> dict[str, BalanceTotal]:
    return {t.account_code: t for t in totals}


def _figures(
    in_period: BalanceTotal | None, ytd: BalanceTotal | None, to_date: BalanceTotal | None
) -> dict[str, Decimal]:
    p = in_period or BalanceTotal("", ZERO, ZERO)
    y = ytd or BalanceTotal("", ZERO, ZERO)
    return {
        "period_debit": p.debit,
        "period_credit": p.credit,
        "period_net": p.net,
        "ytd_debit": y.debit,
        "ytd_credit": y.credit,
        "ytd_net": y.net,
        "balance": to_date.net if to_date else ZERO,
    }


def _roll_up(accounts: list[Account], figures: dict[str, dict[str, Decimal]]) -> None:
    """Add every account's figures into each of its ancestors (header accounts)."""
    parents = {a.code: a.parent_code for a in accounts}
    own = {code: dict(values) for code, values in figures.items()}
    for code, values in own.items():
        seen = {code}
        parent = parents.get(code)
        while parent and parent in figures and parent not in seen:
            for key, value in values.items():
                figures[parent][key] += value
            seen.add(parent)
            parent = parents.get(parent)
