"""Budgets and commitments: one budget per key, releases, budget - commitments - actuals."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from finance_builders import (
    BANK,
    EXPENDITURE_HEADER,
    FEES,
    FY,
    IT,
    books,
    budget,
    commitment,
    cr,
    dr,
    posted,
)
from finance_fakes import ZERO, actions, context, provisioned

from sop_finance.accounts import service as accounts
from sop_finance.accounts.schemas import CostCentreCreate
from sop_finance.budgets import service
from sop_finance.budgets.ports import BudgetFilter, CommitmentFilter
from sop_finance.budgets.schemas import BudgetUpdate, CommitmentCreate
from sop_finance.periods import service as periods
from sop_finance.ports import PageRequest
from sop_finance.problems import DuplicateReference, InvalidState
from sop_shared.clock import FixedClock
from sop_shared.errors import NotFound, ValidationFailed

YEAR = f"{FY}-27"


async def available(fin, *, period: str | None = None, year: str | None = YEAR, **kw):
    where = {"cost_centre_code": "CC01", "account_code": IT, **kw}
    return await service.availability(fin, financial_year=year, period=period, **where)


def figures(a) -> tuple[Decimal, ...]:
    return (a.budget, a.commitments, a.actuals, a.available)


async def test_a_budget_is_one_per_cost_centre_account_and_period():
    fin = await books()
    may = await budget(fin, "2026-05", "1000.00")
    assert (may.period_code, may.amount, may.version) == ("2026-05", Decimal("1000.00"), 1)
    with pytest.raises(DuplicateReference) as dup:
        await budget(fin, "2026-05", "1.00")
    assert dup.value.extensions == {"budget_id": str(may.id)}
    await budget(fin, "2026-05", "1.00", cc="CC02")  # another cost centre
    await budget(fin, "2026-27-ADJ", "1.00")  # another period
    listed = await service.list_budgets(
        fin, flt=BudgetFilter(cost_centre_code="CC01", fiscal_year=FY), page=PageRequest()
    )
    assert [b.period_code for b in listed.items] == ["2026-05", "2026-27-ADJ"]
    assert actions(fin, may.id) == ["budget.created"]


async def test_a_budget_names_a_known_cost_centre_a_postable_account_and_a_period():
    fin = await books()
    with pytest.raises(ValidationFailed) as unknown:
        await budget(fin, "2026-05", "1.00", cc="NOPE", account="99999999")
    assert [e.field for e in unknown.value.errors or []] == ["cost_centre_code", "account_code"]
    with pytest.raises(ValidationFailed, match="header"):
        await budget(fin, "2026-05", "1.00", account=EXPENDITURE_HEADER)
    with pytest.raises(ValidationFailed) as bad_period:
        await budget(fin, "2026-13", "1.00")
    assert [e.field for e in bad_period.value.errors or []] == ["period"]
    assert (await service.list_budgets(fin, flt=BudgetFilter(), page=PageRequest())).items == []


async def test_a_budgets_amount_changes_and_the_change_is_audited():
    fin = await books()
    june = await budget(fin, "2026-06", "500.00")
    changed = await service.update_budget(fin, june, data=BudgetUpdate(amount=Decimal("600.00")))
    assert (changed.amount, changed.version) == (Decimal("600.00"), 2)
    assert (await service.get_budget(fin, june.id)).amount == Decimal("600.00")
    assert actions(fin, june.id) == ["budget.created", "budget.updated"]
    with pytest.raises(NotFound):
        await service.get_budget(fin, uuid.uuid4())


async def test_availability_is_budget_less_commitments_less_actuals():
    fin = await books()
    await budget(fin, "2026-05", "1000.00")
    await budget(fin, "2026-06", "500.00")
    await budget(fin, "2026-06", "999.00", cc="CC02")  # not CC01's
    await commitment(fin, "300.00", on=date(2026, 5, 10))
    await posted(fin, dr(IT, "120.00", "CC01"), cr(BANK, "120.00"), posting_date=date(2026, 5, 20))
    await posted(fin, dr(IT, "80.00", "CC02"), cr(BANK, "80.00"), posting_date=date(2026, 5, 20))
    year = await available(fin)
    assert figures(year) == (
        Decimal("1500.00"),
        Decimal("300.00"),
        Decimal("120.00"),
        Decimal("1080.00"),
    )
    assert (year.financial_year, year.period) == (YEAR, None)
    june = await available(fin, period="2026-06", year=None)
    assert (june.period, june.available) == ("2026-06", Decimal("500.00"))
    assert (await available(fin, year="2027-28")).available == 0


async def test_availability_may_go_below_nothing():
    fin = await books()
    await budget(fin, "2026-05", "100.00")
    await commitment(fin, "90.00")
    await posted(fin, dr(IT, "60.00", "CC01"), cr(BANK, "60.00"), posting_date=date(2026, 5, 2))
    assert (await available(fin)).available == Decimal("-50.00")


async def test_income_actuals_count_credits_as_positive():
    fin = await books()
    await budget(fin, "2026-08", "500.00", account=FEES)
    await posted(fin, dr(BANK, "200.00"), cr(FEES, "200.00", "CC01"))
    fees = await available(fin, account_code=FEES)
    assert (fees.actuals, fees.available) == (Decimal("200.00"), Decimal("300.00"))


async def test_availability_defaults_to_the_financial_year_of_todays_uk_date():
    # 23:30 UTC on 31 March 2026 is already 1 April in London: the year is 2026-27.
    fin = await provisioned(context(clock=FixedClock(datetime(2026, 3, 31, 23, 30, tzinfo=UTC))))
    await accounts.create_cost_centre(fin, data=CostCentreCreate(code="CC01", name="One"))
    await budget(fin, "2026-04", "10.00")
    await budget(fin, "2026-03", "99.00")  # period 12 of 2025-26
    now = await available(fin, year=None)
    assert (now.financial_year, now.budget) == ("2026-27", Decimal("10.00"))
    with pytest.raises(ValidationFailed):
        await available(fin, cost_centre_code="NOPE", year=None)


async def test_a_commitment_counts_in_the_period_of_its_date():
    fin = await books()
    c = await commitment(fin, "300.00", on=date(2026, 5, 10), reference="PO-1")
    assert (c.period_code, c.number, c.outstanding, c.status, c.created_by) == (
        "2026-05",
        "CMT-000001",
        Decimal("300.00"),
        "open",
        "preparer",
    )
    assert (await available(fin, period="2026-05", year=None)).commitments == Decimal("300.00")
    assert (await available(fin, period="2026-06", year=None)).commitments == 0
    found = await service.list_commitments(
        fin, flt=CommitmentFilter(source_reference="PO-1"), page=PageRequest()
    )
    assert [x.id for x in found.items] == [c.id]


async def test_a_commitment_from_another_system_names_its_document():
    fin = await books()
    body = {
        "cost_centre_code": "CC01",
        "account_code": IT,
        "commitment_date": date(2026, 5, 1),
        "amount": Decimal("1.00"),
    }
    with pytest.raises(ValidationFailed) as unnamed:
        await service.create_commitment(fin, data=CommitmentCreate(**body, source="procurement"))
    assert [e.field for e in unnamed.value.errors or []] == ["source_reference"]
    manual = await service.create_commitment(fin, data=CommitmentCreate(**body))
    assert (manual.source, manual.source_reference) == ("manual", None)
    with pytest.raises(ValidationFailed):
        await service.create_commitment(
            fin, data=CommitmentCreate(**{**body, "account_code": EXPENDITURE_HEADER})
        )


async def test_a_release_takes_part_or_all_of_what_is_outstanding():
    fin = await books()
    await budget(fin, "2026-05", "1000.00")
    c = await commitment(fin, "300.00")
    part = await service.release_commitment(fin, c.id, Decimal("100.00"))
    assert (part.released, part.outstanding, part.status) == (
        Decimal("100.00"),
        Decimal("200.00"),
        "open",
    )
    assert (await available(fin)).available == Decimal("800.00")
    with pytest.raises(ValidationFailed) as too_much:
        await service.release_commitment(fin, c.id, Decimal("250.00"))
    assert [e.field for e in too_much.value.errors or []] == ["amount"]
    rest = await service.release_commitment(fin, c.id, None)
    assert (rest.released, rest.outstanding, rest.status) == (Decimal("300.00"), ZERO, "closed")
    assert (await available(fin)).available == Decimal("1000.00")
    with pytest.raises(InvalidState):
        await service.release_commitment(fin, c.id, None)
    assert actions(fin, c.id) == [
        "commitment.created",
        "commitment.released",
        "commitment.released",
    ]
    with pytest.raises(NotFound):
        await service.release_commitment(fin, uuid.uuid4(), None)


async def test_a_closed_years_actuals_still_count_against_its_budget():
    fin = await books()
    await budget(fin, "2026-05", "1000.00")
    await posted(fin, dr(IT, "120.00", "CC01"), cr(BANK, "120.00"), posting_date=date(2026, 5, 20))
    assert (await available(fin)).actuals == Decimal("120.00")
    await posted(  # the other cost centre's spending is closed too, but is not CC01's
        fin, dr(IT, "40.00", "CC02"), cr(BANK, "40.00"), posting_date=date(2026, 6, 2)
    )
    await posted(  # an adjustment in period 13 is spending: it counts
        fin,
        dr(IT, "5.00", "CC01"),
        cr(BANK, "5.00"),
        posting_date=date(2027, 3, 31),
        adjustment=True,
    )
    closed = await periods.close_year(fin, YEAR)
    assert closed.closing_journal_id is not None  # it moved IT's 125.00 and 40.00 to reserves
    after = await available(fin)
    assert (after.actuals, after.available) == (Decimal("125.00"), Decimal("875.00"))
    # Period 13 keeps its adjustment; only the closing journal is left out.
    assert (await available(fin, period="2026-27-ADJ", year=None)).actuals == Decimal("5.00")
    assert (await available(fin, cost_centre_code="CC02")).actuals == Decimal("40.00")
    assert (await available(fin, period="2026-05", year=None)).actuals == Decimal("120.00")
