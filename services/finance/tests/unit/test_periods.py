"""Financial years and periods: April-March, UK dates, period states, year-end close."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from finance_builders import (
    BANK,
    FEES,
    FY,
    GENERAL_FUND,
    IT,
    NET_PAY,
    SALARIES,
    books,
    cr,
    dr,
    posted,
    tb_lines,
)
from finance_fakes import ZERO, actions, context, ledger_of, provisioned

from sop_finance.accounts import service as accounts
from sop_finance.accounts.schemas import AccountUpdate
from sop_finance.journals import service as journals
from sop_finance.journals.schemas import ReversalCreate
from sop_finance.periods import service
from sop_finance.periods.ports import PeriodRef
from sop_finance.ports import StaleRecord
from sop_finance.problems import DuplicateReference, InvalidState, JournalOwned, PeriodClosed
from sop_finance.reports import service as reports
from sop_finance.reports.schemas import TrialBalance
from sop_shared.clock import FixedClock
from sop_shared.errors import NotFound, ValidationFailed

YEAR = f"{FY}-{(FY + 1) % 100}"  # "2026-27"


async def tb(fin, period: str) -> TrialBalance:
    return await reports.trial_balance(fin, service.period_param(period))


async def year_of_activity(fin) -> None:
    """Salaries 700 and IT 200 spent, fees 1000 earned: a surplus of 100."""
    await posted(
        fin, dr(SALARIES, "700.00", "CC01"), cr(NET_PAY, "700.00"), posting_date=date(2026, 5, 31)
    )
    await posted(fin, dr(IT, "200.00", "CC02"), cr(BANK, "200.00"), posting_date=date(2026, 11, 30))
    await posted(
        fin, dr(BANK, "1000.00"), cr(FEES, "1000.00", "CC01"), posting_date=date(2027, 2, 1)
    )


async def test_a_financial_year_is_april_to_march_with_an_adjustment_period():
    fin = context()
    year = await service.open_year(fin, 2030)
    assert (year.label, year.start_date, year.end_date, year.status) == (
        "2030-31",
        date(2030, 4, 1),
        date(2031, 3, 31),
        "open",
    )
    periods = await service.list_periods(fin, financial_year="2030-31", status=None)
    assert [p.code for p in periods] == [
        *(f"2030-{m:02d}" for m in range(4, 13)),
        *(f"2031-{m:02d}" for m in range(1, 4)),
        "2030-31-ADJ",
    ]
    assert [p.number for p in periods] == list(range(1, 14))
    assert (periods[0].start_date, periods[0].end_date) == (date(2030, 4, 1), date(2030, 4, 30))
    assert periods[10].end_date == date(2031, 2, 28)
    assert (periods[12].start_date, periods[12].end_date) == (date(2031, 3, 31), date(2031, 3, 31))
    assert {p.status for p in periods} == {"open"}
    assert actions(fin, year.id) == ["financial_year.opened"]


async def test_a_year_opens_once():
    fin = context()
    opened = await service.open_year(fin, 2030)
    with pytest.raises(DuplicateReference):
        await service.open_year(fin, 2030)
    assert await service.ensure_year(fin, 2030) == opened  # idempotent
    assert len(await service.list_periods(fin, financial_year="2030-31", status=None)) == 13


@pytest.mark.parametrize(
    ("moment", "labels"),
    [
        # 00:30 BST on 1 April 2026 is still 31 March in UTC: the new year has begun.
        (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), ["2026-27", "2027-28"]),
        (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), ["2025-26", "2026-27"]),
        (datetime(2027, 1, 10, 12, tzinfo=UTC), ["2026-27", "2027-28"]),
    ],
)
async def test_provisioning_opens_this_and_next_year_by_the_uk_date(moment, labels):
    fin = await provisioned(context(clock=FixedClock(moment)))
    assert [y.label for y in await service.list_years(fin)] == labels


async def test_a_year_or_period_not_opened_or_misnamed_is_not_found():
    fin = await books()
    assert (await service.get_year(fin, YEAR)).start_year == FY
    assert (await service.get_period(fin, "2026-08")).number == 5
    for label in ("2030-31", "2030-32", "2030"):
        with pytest.raises(NotFound):
            await service.get_year(fin, label)
    for code in ("2099-01", "2026-13", "not-a-period"):
        with pytest.raises(NotFound):
            await service.get_period(fin, code)


async def test_a_period_or_year_named_in_a_query_is_checked_naming_the_field():
    fin = await books()
    with pytest.raises(ValidationFailed) as bad_year:
        await service.list_periods(fin, financial_year="2026-28", status=None)
    assert [e.field for e in bad_year.value.errors or []] == ["financial_year"]
    with pytest.raises(ValidationFailed) as bad_period:
        service.period_param("2026-13")
    assert [e.field for e in bad_period.value.errors or []] == ["period"]
    assert service.period_param("2026-27-ADJ") == PeriodRef(2026, 13)


async def test_period_states_change_and_each_change_is_audited():
    fin = await books()
    august = await service.get_period(fin, "2026-08")
    soft = await service.set_period_status(fin, august, "soft_closed")
    closed = await service.set_period_status(fin, soft, "closed")
    reopened = await service.set_period_status(fin, closed, "open")
    assert [p.version for p in (august, soft, closed, reopened)] == [1, 2, 3, 4]
    assert await service.set_period_status(fin, reopened, "open") == reopened  # nothing to do
    assert actions(fin, august.id) == ["period.soft_closed", "period.closed", "period.open"]
    still_open = await service.list_periods(fin, financial_year=YEAR, status="open")
    assert len(still_open) == 13


async def test_a_period_change_from_an_old_version_is_stale():
    fin = await books()
    august = await service.get_period(fin, "2026-08")
    await service.set_period_status(fin, august, "closed")
    with pytest.raises(StaleRecord):
        await service.set_period_status(fin, august, "soft_closed")
    assert (await service.get_period(fin, "2026-08")).status == "closed"


async def test_year_end_close_moves_income_and_expense_to_retained_earnings():
    fin = await books()
    await year_of_activity(fin)
    closed = await service.close_year(fin, YEAR)
    assert closed.status == "closed" and closed.closing_journal_id is not None
    closing = await journals.get_journal(fin, closed.closing_journal_id)
    assert (closing.period_code, closing.source, closing.source_reference, closing.status) == (
        "2026-27-ADJ",
        "year_end",
        YEAR,
        "posted",
    )
    assert closing.posting_date == date(2027, 3, 31)
    assert {
        (ln.account_code, ln.cost_centre_code, ln.debit, ln.credit) for ln in closing.lines
    } == {
        (FEES, "CC01", Decimal("1000.00"), ZERO),
        (SALARIES, "CC01", ZERO, Decimal("700.00")),
        (IT, "CC02", ZERO, Decimal("200.00")),
        (GENERAL_FUND, None, ZERO, Decimal("100.00")),  # the surplus
    }
    # Period 12 still shows the year's trading; the adjustment period the balance sheet only.
    assert {FEES, SALARIES, IT} <= set(tb_lines(await tb(fin, "2027-03")))
    after = await tb(fin, "2026-27-ADJ")
    assert tb_lines(after) == {
        BANK: (Decimal("800.00"), ZERO),
        NET_PAY: (ZERO, Decimal("700.00")),
        GENERAL_FUND: (ZERO, Decimal("100.00")),
    }
    assert after.total_debit == after.total_credit == Decimal("800.00")
    periods = await service.list_periods(fin, financial_year=YEAR, status=None)
    assert {p.status for p in periods} == {"closed"}
    assert "financial_year.closed" in actions(fin, closed.id)


async def test_a_deficit_is_debited_to_retained_earnings_per_cost_centre_lines():
    fin = await books()
    await posted(fin, dr(IT, "60.00", "CC01"), cr(BANK, "60.00"))
    await posted(fin, dr(IT, "40.00", "CC02"), cr(BANK, "40.00"))
    closed = await service.close_year(fin, YEAR)
    assert closed.closing_journal_id is not None
    closing = await journals.get_journal(fin, closed.closing_journal_id)
    assert [
        (ln.account_code, ln.cost_centre_code, ln.debit, ln.credit) for ln in closing.lines
    ] == [
        (IT, "CC01", ZERO, Decimal("60.00")),
        (IT, "CC02", ZERO, Decimal("40.00")),
        (GENERAL_FUND, None, Decimal("100.00"), ZERO),  # the deficit
    ]


async def test_a_closed_year_stays_closed():
    fin = await books()
    await year_of_activity(fin)
    await service.close_year(fin, YEAR)
    with pytest.raises(PeriodClosed):
        await posted(fin, dr(IT, "1.00", "CC01"), cr(BANK, "1.00"), posting_date=date(2027, 1, 15))
    april = await service.get_period(fin, "2026-04")
    with pytest.raises(InvalidState):
        await service.set_period_status(fin, april, "open")
    with pytest.raises(InvalidState):
        await service.close_year(fin, YEAR)


async def test_the_closing_journal_is_not_reversed():
    fin = await books()
    await year_of_activity(fin)
    closed = await service.close_year(fin, YEAR)
    assert closed.closing_journal_id is not None
    with pytest.raises(JournalOwned) as owned:
        await journals.reverse_journal(
            fin, closed.closing_journal_id, data=ReversalCreate(posting_date=date(2027, 4, 1))
        )
    assert owned.value.extensions == {
        "financial_year": YEAR,
        "source": "year_end",
        "source_reference": YEAR,
    }
    closing = await journals.get_journal(fin, closed.closing_journal_id)
    assert closing.reversed_by_journal_id is None
    assert tb_lines(await tb(fin, "2027-04")) == tb_lines(await tb(fin, "2026-27-ADJ"))


async def test_the_balance_sheet_rolls_forward_into_the_next_year():
    fin = await books()
    await year_of_activity(fin)
    await service.close_year(fin, YEAR)
    await posted(fin, dr(IT, "5.00", "CC01"), cr(BANK, "5.00"), posting_date=date(2027, 4, 10))
    lines = tb_lines(await tb(fin, "2027-04"))
    assert lines[BANK] == (Decimal("795.00"), ZERO) and lines[IT] == (Decimal("5.00"), ZERO)
    assert FEES not in lines and SALARIES not in lines


async def test_a_year_without_trading_closes_without_a_journal_and_opens_the_next():
    fin = await books()
    closed = await service.close_year(fin, "2027-28")
    assert closed.closing_journal_id is None
    assert [y.label for y in await service.list_years(fin)] == ["2026-27", "2027-28", "2028-29"]
    assert (await service.get_year(fin, YEAR)).status == "open"


async def test_a_close_without_a_retained_earnings_account_changes_nothing():
    fin = await books()
    await year_of_activity(fin)
    general_fund = (await fin.backend.accounts.accounts_by_code([GENERAL_FUND]))[GENERAL_FUND]
    await accounts.update_account(fin, general_fund, data=AccountUpdate(control_role=None))
    journals_before = len(ledger_of(fin).journals.rows(fin.tenant))
    with pytest.raises(InvalidState, match="retained_earnings"):
        await service.close_year(fin, YEAR)
    assert (await service.get_year(fin, YEAR)).status == "open"
    assert len(ledger_of(fin).journals.rows(fin.tenant)) == journals_before
    with pytest.raises(NotFound):
        await service.close_year(fin, "2031-32")


async def test_an_account_holding_a_balance_stays_postable_so_the_year_still_closes():
    fin = await books()
    await posted(fin, dr(IT, "60.00", "CC01"), cr(BANK, "60.00"))
    chart = fin.backend.accounts
    it, bank = (await chart.accounts_by_code([IT, BANK])).values()
    for account, held in (
        (it, "2026-27: CC01 60.00 debit"),
        (bank, "to date: no cost centre 60.00 credit"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await accounts.update_account(fin, account, data=AccountUpdate(postable=False))
        assert [e.field for e in refused.value.errors or []] == ["postable"]
        assert held in (refused.value.detail or "")
        assert (await accounts.get_account(fin, account.id)) == account  # nothing changed
        assert actions(fin, account.id) == []
    closed = await service.close_year(fin, YEAR)
    assert closed.status == "closed"
    # The close moved IT's balance to reserves and no open year holds one: it may become a
    # header now. The bank still holds its balance.
    header = await accounts.update_account(
        fin, await accounts.get_account(fin, it.id), data=AccountUpdate(postable=False)
    )
    assert header.postable is False and actions(fin, it.id) == ["account.updated"]
    with pytest.raises(ValidationFailed):
        await accounts.update_account(fin, bank, data=AccountUpdate(postable=False))
