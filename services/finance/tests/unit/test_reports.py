"""Reports: the trial balance, account balances and cost-centre income and expenditure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from finance_builders import (
    BANK,
    EXPENDITURE_HEADER,
    FEES,
    GENERAL_FUND,
    GRANT_INCOME,
    IT,
    NET_PAY,
    SALARIES,
    STAFF_HEADER,
    SUPPLIES,
    books,
    cr,
    dr,
    posted,
    tb_lines,
)
from finance_fakes import ZERO, context, provisioned

from sop_finance.periods.ports import PeriodRef
from sop_finance.reports import service
from sop_shared.clock import FixedClock
from sop_shared.errors import ValidationFailed


async def tb(fin, period: str | None = None, as_of: date | None = None):
    return await service.trial_balance(fin, service.report_period(fin, period, as_of))


async def balances(fin, period: str, **kw):
    options = {"cost_centre_code": None, "account_code": None, "include_headers": False, **kw}
    report = await service.account_balances(fin, PeriodRef.parse(period), **options)
    return {a.account_code: a for a in report.accounts}


async def test_the_trial_balance_always_balances_whatever_posts():
    fin = await books()
    amounts = ["0.01", "19.99", "250.00", "999.99", "3.33", "71.10", "400.05"]
    accounts = [(IT, "CC01"), (SUPPLIES, "CC02"), (SALARIES, "CC01"), (FEES, "CC02")]
    for i, amount in enumerate(amounts):
        debit_account, cc = accounts[i % len(accounts)]
        other, other_cc = accounts[(i + 1) % len(accounts)]
        day = date(2026, 4 + i, 10)
        await posted(fin, dr(debit_account, amount, cc), cr(BANK, amount), posting_date=day)
        await posted(fin, dr(BANK, amount), cr(other, amount, other_cc), posting_date=day)
        await posted(fin, dr(SALARIES, amount, cc), cr(NET_PAY, amount), posting_date=day)
    for period in ("2026-04", "2026-07", "2026-10", "2027-03", "2026-27-ADJ"):
        report = await tb(fin, period)
        assert report.total_debit == report.total_credit, period
        assert all((ln.debit == 0) != (ln.credit == 0) for ln in report.lines)
    codes = [ln.account_code for ln in (await tb(fin, "2026-10")).lines]
    assert codes == sorted(codes)


async def test_the_trial_balance_is_cumulative_and_as_of_reports_the_dates_period():
    fin = await books()
    await posted(fin, dr(IT, "100.00", "CC01"), cr(BANK, "100.00"), posting_date=date(2026, 4, 15))
    await posted(
        fin, dr(SUPPLIES, "40.00", "CC02"), cr(BANK, "40.00"), posting_date=date(2026, 6, 15)
    )
    april, june = await tb(fin, "2026-04"), await tb(fin, as_of=date(2026, 6, 1))
    assert (april.total_debit, june.total_debit) == (Decimal("100.00"), Decimal("140.00"))
    assert (june.period, june.financial_year, june.period_start, june.period_end) == (
        "2026-06",
        "2026-27",
        date(2026, 6, 1),
        date(2026, 6, 30),
    )
    assert tb_lines(await tb(fin, "2026-05")) == tb_lines(april)


async def test_a_report_names_its_period_or_a_date_not_both():
    fin = await books()
    with pytest.raises(ValidationFailed) as both:
        service.report_period(fin, "2026-06", date(2026, 6, 1))
    assert [e.field for e in both.value.errors or []] == ["period"]
    with pytest.raises(ValidationFailed):
        service.report_period(fin, "2026-13", None)


async def test_reports_default_to_the_period_of_todays_uk_date():
    # 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April: period 1 of 2026-27.
    fin = await provisioned(context(clock=FixedClock(datetime(2026, 3, 31, 23, 30, tzinfo=UTC))))
    j = await posted(
        fin, dr(BANK, "25.00"), cr(GENERAL_FUND, "25.00"), posting_date=date(2026, 4, 1)
    )
    assert j.posted_at == datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    report = await tb(fin)
    assert (report.period, report.financial_year, report.total_debit) == (
        "2026-04",
        "2026-27",
        Decimal("25.00"),
    )


async def test_account_balances_give_the_period_the_year_to_date_and_the_balance():
    fin = await books()
    await posted(fin, dr(IT, "100.00", "CC01"), cr(BANK, "100.00"), posting_date=date(2026, 4, 15))
    await posted(fin, dr(IT, "30.00", "CC02"), cr(BANK, "30.00"), posting_date=date(2026, 5, 15))
    await posted(
        fin, dr(SALARIES, "500.00", "CC01"), cr(NET_PAY, "500.00"), posting_date=date(2026, 5, 20)
    )
    await posted(fin, dr(IT, "7.00", "CC01"), cr(BANK, "7.00"), posting_date=date(2027, 4, 2))
    rows = await balances(fin, "2026-05")
    it, bank = rows[IT], rows[BANK]
    assert (it.period_debit, it.period_net, it.ytd_debit, it.balance) == (
        Decimal("30.00"),
        Decimal("30.00"),
        Decimal("130.00"),
        Decimal("130.00"),
    )
    assert (bank.period_credit, bank.balance) == (Decimal("30.00"), Decimal("-130.00"))
    assert STAFF_HEADER not in rows and FEES not in rows  # no headers, no idle accounts
    [next_year] = (await balances(fin, "2027-04", account_code=IT)).values()
    assert (next_year.ytd_debit, next_year.balance) == (Decimal("7.00"), Decimal("137.00"))


async def test_header_accounts_roll_up_their_children_and_a_cost_centre_filters():
    fin = await books()
    await posted(fin, dr(IT, "130.00", "CC01"), cr(BANK, "130.00"), posting_date=date(2026, 5, 15))
    await posted(
        fin, dr(SALARIES, "500.00", "CC01"), cr(NET_PAY, "500.00"), posting_date=date(2026, 5, 20)
    )
    await posted(fin, dr(IT, "30.00", "CC02"), cr(BANK, "30.00"), posting_date=date(2026, 5, 16))
    rolled = await balances(fin, "2026-05", include_headers=True)
    assert rolled[STAFF_HEADER].ytd_net == Decimal("500.00")
    assert rolled[EXPENDITURE_HEADER].ytd_net == Decimal("660.00")
    assert rolled["40000000"].balance == Decimal("-160.00")  # current assets: the bank
    assert not rolled[EXPENDITURE_HEADER].postable
    cc02 = await balances(fin, "2026-05", cost_centre_code="CC02")
    assert [(code, a.ytd_net) for code, a in cc02.items()] == [(IT, Decimal("30.00"))]


async def test_cost_centre_income_and_expenditure_per_centre_with_period_and_year_to_date():
    fin = await books()
    await posted(fin, dr(IT, "100.00", "CC01"), cr(BANK, "100.00"), posting_date=date(2026, 4, 15))
    await posted(
        fin, dr(SALARIES, "300.00", "CC01"), cr(NET_PAY, "300.00"), posting_date=date(2026, 5, 15)
    )
    await posted(fin, dr(BANK, "50.00"), cr(FEES, "50.00", "CC01"), posting_date=date(2026, 5, 16))
    await posted(
        fin, dr(BANK, "20.00"), cr(GRANT_INCOME, "20.00", "CC01"), posting_date=date(2026, 4, 16)
    )
    await posted(fin, dr(IT, "9.00", "CC02"), cr(BANK, "9.00"), posting_date=date(2026, 5, 16))
    report = await service.cost_centre_income_expenditure(
        fin, PeriodRef.parse("2026-05"), cost_centre_code=None
    )
    by_cc = {s.cost_centre_code: s for s in report.cost_centres}
    assert list(by_cc) == ["CC01", "CC02"]
    cc1 = by_cc["CC01"]
    assert cc1.cost_centre_name == "Cost centre CC01"
    assert [(x.account_code, x.period, x.year_to_date) for x in cc1.expenditure] == [
        (SALARIES, Decimal("300.00"), Decimal("300.00")),
        (IT, ZERO, Decimal("100.00")),
    ]
    assert [(x.account_code, x.period, x.year_to_date) for x in cc1.income] == [
        (FEES, Decimal("50.00"), Decimal("50.00")),  # income shown positive
        (GRANT_INCOME, ZERO, Decimal("20.00")),
    ]
    assert (cc1.total_income, cc1.total_expenditure, cc1.net_expenditure) == (
        Decimal("70.00"),
        Decimal("400.00"),
        Decimal("330.00"),
    )
    assert (cc1.period_total_income, cc1.period_net_expenditure) == (
        Decimal("50.00"),
        Decimal("250.00"),
    )
    only = await service.cost_centre_income_expenditure(
        fin, PeriodRef.parse("2026-05"), cost_centre_code="CC02"
    )
    assert [(s.cost_centre_code, s.net_expenditure) for s in only.cost_centres] == [
        ("CC02", Decimal("9.00"))
    ]


async def test_income_and_expenditure_starts_afresh_each_year():
    fin = await books()
    await posted(fin, dr(IT, "100.00", "CC01"), cr(BANK, "100.00"), posting_date=date(2026, 6, 1))
    await posted(fin, dr(IT, "5.00", "CC01"), cr(BANK, "5.00"), posting_date=date(2027, 4, 1))
    report = await service.cost_centre_income_expenditure(
        fin, PeriodRef.parse("2027-04"), cost_centre_code=None
    )
    [cc1] = report.cost_centres
    assert (cc1.total_expenditure, report.financial_year) == (Decimal("5.00"), "2027-28")
