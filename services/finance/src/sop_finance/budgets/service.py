"""Rules for budgets, commitments and budget availability."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from sop_finance.accounts.ports import DEBIT_NATURED, Account
from sop_finance.budgets.ports import Budget, BudgetFilter, Commitment, CommitmentFilter
from sop_finance.budgets.schemas import (
    BudgetAvailability,
    BudgetCreate,
    BudgetUpdate,
    CommitmentCreate,
)
from sop_finance.context import FinanceContext
from sop_finance.periods.ports import ADJUSTMENT_PERIOD, PeriodRef, fiscal_year_of, year_label
from sop_finance.periods.service import period_param, year_param
from sop_finance.ports import PageRequest, RecordPage
from sop_finance.problems import DuplicateReference, InvalidState
from sop_shared.errors import NotFound, ValidationFailed

ZERO = Decimal("0.00")


async def _check_codes(fin: FinanceContext, cost_centre_code: str, account_code: str) -> Account:
    """Both codes exist and the account is postable; returns the account."""
    errors = []
    if not await fin.backend.accounts.cost_centres_by_code([cost_centre_code]):
        errors.append(("cost_centre_code", f"no cost centre {cost_centre_code}"))
    accounts = await fin.backend.accounts.accounts_by_code([account_code])
    if not accounts:
        errors.append(("account_code", f"no account {account_code}"))
    elif not accounts[account_code].postable:
        errors.append(("account_code", f"{account_code} is a header account"))
    if errors:
        raise ValidationFailed("; ".join(m for _, m in errors), errors=errors)
    return accounts[account_code]


# --- budgets ------------------------------------------------------------------------------------


async def list_budgets(
    fin: FinanceContext, *, flt: BudgetFilter, page: PageRequest
) -> RecordPage[Budget]:
    return await fin.backend.budgets.list_budgets(flt, page)


async def get_budget(fin: FinanceContext, budget_id: uuid.UUID) -> Budget:
    found = await fin.backend.budgets.get_budget(budget_id)
    if found is None:
        raise NotFound(f"no budget {budget_id}")
    return found


async def create_budget(fin: FinanceContext, *, data: BudgetCreate) -> Budget:
    ref = period_param(data.period)
    await _check_codes(fin, data.cost_centre_code, data.account_code)
    existing = await fin.backend.budgets.find_budget(
        data.cost_centre_code, data.account_code, ref.key
    )
    if existing is not None:
        raise DuplicateReference(
            f"a budget for {data.cost_centre_code}/{data.account_code} in {ref.code} exists; "
            "change its amount instead",
            budget_id=str(existing.id),
        )
    budget = await fin.backend.budgets.add_budget(
        Budget(
            cost_centre_code=data.cost_centre_code,
            account_code=data.account_code,
            period_code=ref.code,
            amount=data.amount,
        )
    )
    await fin.audit.record("budget.created", "budget", budget.id, after=budget)
    return budget


async def update_budget(fin: FinanceContext, budget: Budget, *, data: BudgetUpdate) -> Budget:
    saved = await fin.backend.budgets.update_budget(replace(budget, amount=data.amount))
    await fin.audit.record("budget.updated", "budget", saved.id, before=budget, after=saved)
    return saved


# --- commitments --------------------------------------------------------------------------------


async def list_commitments(
    fin: FinanceContext, *, flt: CommitmentFilter, page: PageRequest
) -> RecordPage[Commitment]:
    return await fin.backend.budgets.list_commitments(flt, page)


async def get_commitment(
    fin: FinanceContext, commitment_id: uuid.UUID, *, lock: bool = False
) -> Commitment:
    found = await fin.backend.budgets.get_commitment(commitment_id, lock=lock)
    if found is None:
        raise NotFound(f"no commitment {commitment_id}")
    return found


async def create_commitment(fin: FinanceContext, *, data: CommitmentCreate) -> Commitment:
    await _check_codes(fin, data.cost_centre_code, data.account_code)
    if data.source != "manual" and not data.source_reference:
        raise ValidationFailed(
            "a commitment from another system must name its document",
            errors=[("source_reference", "required unless source is manual")],
        )
    commitment = await fin.backend.budgets.add_commitment(
        Commitment(
            **data.values(),
            period_code=PeriodRef.of_date(data.commitment_date).code,
            created_by=fin.actor,
        )
    )
    await fin.audit.record("commitment.created", "commitment", commitment.id, after=commitment)
    return commitment


async def release_commitment(
    fin: FinanceContext, commitment_id: uuid.UUID, amount: Decimal | None
) -> Commitment:
    """Release some or all of what is outstanding (invoicing does this as invoices post)."""
    return await release(fin, await get_commitment(fin, commitment_id, lock=True), amount)


async def release(
    fin: FinanceContext, commitment: Commitment, amount: Decimal | None
) -> Commitment:
    """`release_commitment` for a commitment the caller has already read with `lock=True`."""
    if commitment.status == "closed":
        raise InvalidState(f"commitment {commitment.number} is fully released")
    amount = commitment.outstanding if amount is None else amount
    if amount > commitment.outstanding:
        raise ValidationFailed(
            f"only {commitment.outstanding} of commitment {commitment.number} is outstanding",
            errors=[("amount", f"exceeds the outstanding {commitment.outstanding}")],
        )
    released = commitment.released + amount
    changed = replace(
        commitment,
        released=released,
        status="closed" if released == commitment.amount else "open",
    )
    saved = await fin.backend.budgets.update_commitment(changed)
    await fin.audit.record(
        "commitment.released", "commitment", saved.id, before=commitment, after=saved
    )
    return saved


# --- availability -------------------------------------------------------------------------------


async def availability(
    fin: FinanceContext,
    *,
    cost_centre_code: str,
    account_code: str,
    financial_year: str | None,
    period: str | None,
) -> BudgetAvailability:
    """Budget less outstanding commitments less actuals, for a period or a whole year. Actuals
    are what posted to the account in the cost centre, less the year-end closing journal: the
    close moves the year's income and expenditure to reserves, it is neither spending nor
    earning, so a closed year's budget still shows what was spent against it."""
    account = await _check_codes(fin, cost_centre_code, account_code)
    if period is not None:
        ref = period_param(period)
        start, end, fy = ref.key, ref.key, ref.fiscal_year
    else:
        fy = (
            fiscal_year_of(fin.clock.today())
            if financial_year is None
            else year_param(financial_year)
        )
        start, end = PeriodRef(fy, 1).key, PeriodRef(fy, ADJUSTMENT_PERIOD).key
    budgets = fin.backend.budgets
    budget = await budgets.budget_total(cost_centre_code, account_code, start, end)
    committed = await budgets.outstanding_commitments(cost_centre_code, account_code, start, end)
    totals = await fin.backend.balances.totals(
        from_key=start, to_key=end, cost_centre_code=cost_centre_code, account_codes=[account_code]
    )
    net = sum((t.net for t in totals), ZERO)
    net -= await _closing_net(fin, fy, end, cost_centre_code, account_code)
    actuals = net if account.type in DEBIT_NATURED else -net
    return BudgetAvailability(
        cost_centre_code=cost_centre_code,
        account_code=account_code,
        financial_year=year_label(fy),
        period=PeriodRef.from_key(start).code if period is not None else None,
        budget=budget,
        commitments=committed,
        actuals=actuals,
        available=budget - committed - actuals,
    )


async def _closing_net(
    fin: FinanceContext, fy: int, end: int, cost_centre_code: str, account_code: str
) -> Decimal:
    """Debit less credit the year's closing journal posted to the account in the cost centre:
    nothing while the year is open, or when the range stops before period 13, where the
    closing journal lands. Read from that journal's own lines, so the balances stay the one
    maintained set of figures every report reads."""
    if end != PeriodRef(fy, ADJUSTMENT_PERIOD).key:
        return ZERO
    year = await fin.backend.periods.get_year(fy)
    if year is None or year.closing_journal_id is None:
        return ZERO
    closing = await fin.backend.journals.line_totals(
        year.closing_journal_id, account_codes=[account_code], cost_centre_code=cost_centre_code
    )
    return sum((t.net for t in closing), ZERO)
