"""Rules for the chart of accounts, cost centres and analysis codes."""

from __future__ import annotations

import uuid
from dataclasses import replace

from pydantic import ValidationError

from sop_finance.accounts.ports import (
    OPERATING,
    Account,
    AccountFilter,
    AccountType,
    AnalysisCode,
    CodeFilter,
    ControlRole,
    CostCentre,
)
from sop_finance.accounts.schemas import (
    AccountCreate,
    AccountUpdate,
    AnalysisCodeCreate,
    AnalysisCodeUpdate,
    CostCentreCreate,
    CostCentreUpdate,
)
from sop_finance.context import FinanceContext
from sop_finance.periods.ports import ADJUSTMENT_PERIOD, PeriodRef
from sop_finance.ports import PageRequest, RecordPage
from sop_finance.problems import DuplicateReference, InvalidState
from sop_shared.errors import NotFound, ValidationFailed

CLEARABLE = frozenset({"parent_code", "control_role"})
# The account type each control role must have, so closing and payables post sensibly.
ROLE_TYPES: dict[str, str] = {
    "retained_earnings": "equity",
    "payables_control": "liability",
    "vat_recoverable": "asset",
}


# --- the default chart --------------------------------------------------------------------------

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


async def ensure_default_chart(fin: FinanceContext) -> int:
    """Give the tenant every account of `DEFAULT_CHART` it does not have yet (provisioning:
    idempotent); returns how many were added."""
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
            "chart.provisioned", "chart_of_accounts", fin.tenant, after={"accounts_added": added}
        )
    return added


# --- accounts -----------------------------------------------------------------------------------


async def list_accounts(
    fin: FinanceContext, *, flt: AccountFilter, page: PageRequest
) -> RecordPage[Account]:
    return await fin.backend.accounts.list_accounts(flt, page)


async def get_account(fin: FinanceContext, account_id: uuid.UUID) -> Account:
    account = await fin.backend.accounts.get_account(account_id)
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account


async def create_account(fin: FinanceContext, *, data: AccountCreate) -> Account:
    accounts = fin.backend.accounts
    if await accounts.accounts_by_code([data.code]):
        raise DuplicateReference(f"account {data.code} already exists")
    account = Account(**data.values())
    await _check_account(fin, account)
    account = await accounts.add_account(account)
    await fin.audit.record("account.created", "account", account.id, after=account)
    return account


async def update_account(fin: FinanceContext, account: Account, *, data: AccountUpdate) -> Account:
    # parent_code and control_role may be cleared with null; the other fields may not.
    values = data.values(only_set=True)
    changed = replace(
        account, **{k: v for k, v in values.items() if v is not None or k in CLEARABLE}
    )
    await _check_account(fin, changed)
    if account.postable and not changed.postable:
        await _refuse_header_holding_a_balance(fin, changed)
    saved = await fin.backend.accounts.update_account(changed)
    await fin.audit.record("account.updated", "account", saved.id, before=account, after=saved)
    return saved


# Balances "to date" run to the end of the last year there could be.
TO_DATE = PeriodRef(9999, ADJUSTMENT_PERIOD).key


async def _refuse_header_holding_a_balance(fin: FinanceContext, account: Account) -> None:
    """An account holding a balance stays postable. A header takes no postings, so the
    year-end close could not post the line that moves an income or expense balance to reserves
    (the year could never close), and a balance-sheet balance could never be cleared. "Holding"
    is per cost centre (the close posts per cost centre, so balances that net to nothing across
    centres still count): for income and expense, in any financial year still open (a closed
    year's are in reserves); for the balance sheet, to date."""
    ranges: list[tuple[int | None, int, str]]  # from, to (period keys), and how to name it
    if account.type in OPERATING:
        years = [y for y in await fin.backend.periods.list_years() if y.status == "open"]
        ranges = [
            (
                PeriodRef(y.start_year, 1).key,
                PeriodRef(y.start_year, ADJUSTMENT_PERIOD).key,
                y.label,
            )
            for y in years
        ]
        why = "the year-end close must post to it to move the balance to reserves"
    else:
        ranges = [(None, TO_DATE, "to date")]
        why = "nothing could ever clear the balance"
    for start, end, label in ranges:
        totals = await fin.backend.balances.totals(
            from_key=start, to_key=end, by_cost_centre=True, account_codes=[account.code]
        )
        held = sorted((t.cost_centre_code or "", t.net) for t in totals if t.net != 0)
        if held:
            shown = ", ".join(
                f"{centre or 'no cost centre'} {abs(net)} {'debit' if net > 0 else 'credit'}"
                for centre, net in held[:5]
            ) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
            raise ValidationFailed(
                f"account {account.code} holds a balance ({label}: {shown}) and cannot become a "
                f"header (postable: false): headers take no postings, and {why}. Move the "
                "balance to another account with a journal first.",
                errors=[("postable", f"account {account.code} holds a balance ({label})")],
            )


async def _check_account(fin: FinanceContext, account: Account) -> None:
    errors: list[tuple[str, str]] = []
    if account.parent_code is not None:
        errors += await _check_parent(fin, account)
    if account.control_role is not None:
        errors += await _check_role(fin, account, account.control_role)
    if errors:
        raise ValidationFailed("; ".join(m for _, m in errors), errors=errors)


async def _check_parent(fin: FinanceContext, account: Account) -> list[tuple[str, str]]:
    chart = {a.code: a for a in await fin.backend.accounts.all_accounts()}
    parent = chart.get(account.parent_code or "")
    if parent is None:
        return [("parent_code", f"no account {account.parent_code}")]
    if parent.type != account.type:
        return [("parent_code", f"parent {parent.code} is {parent.type}, not {account.type}")]
    seen: set[str] = set()
    node: Account | None = parent
    while node is not None and node.code not in seen:  # walk up: a parent may not descend from us
        if node.code == account.code:
            return [("parent_code", "an account cannot roll up into itself")]
        seen.add(node.code)
        node = chart.get(node.parent_code or "")
    return []


async def _check_role(
    fin: FinanceContext, account: Account, role: ControlRole
) -> list[tuple[str, str]]:
    if ROLE_TYPES[role] != account.type:
        return [("control_role", f"the {role} account must be of type {ROLE_TYPES[role]}")]
    holders = await fin.backend.accounts.list_accounts(
        AccountFilter(control_role=role), PageRequest(limit=2)
    )
    if any(a.code != account.code for a in holders.items):
        return [("control_role", f"{holders.items[0].code} is already the {role} account")]
    return []


async def control_account(fin: FinanceContext, role: ControlRole) -> Account:
    """The account holding a control role; 409-style problem when the tenant has none."""
    found = await fin.backend.accounts.list_accounts(
        AccountFilter(control_role=role, active=True), PageRequest(limit=1)
    )
    if not found.items:
        raise InvalidState(f"no active account holds the {role} role; set control_role on one")
    return found.items[0]


# --- cost centres -------------------------------------------------------------------------------


async def list_cost_centres(
    fin: FinanceContext, *, flt: CodeFilter, page: PageRequest
) -> RecordPage[CostCentre]:
    return await fin.backend.accounts.list_cost_centres(flt, page)


async def get_cost_centre(fin: FinanceContext, cost_centre_id: uuid.UUID) -> CostCentre:
    found = await fin.backend.accounts.get_cost_centre(cost_centre_id)
    if found is None:
        raise NotFound(f"no cost centre {cost_centre_id}")
    return found


async def create_cost_centre(fin: FinanceContext, *, data: CostCentreCreate) -> CostCentre:
    store = fin.backend.accounts
    if await store.cost_centres_by_code([data.code]):
        raise DuplicateReference(f"cost centre {data.code} already exists")
    created = await store.add_cost_centre(CostCentre(**data.values()))
    await fin.audit.record("cost_centre.created", "cost_centre", created.id, after=created)
    return created


async def cost_centre_for_org_unit(fin: FinanceContext, *, code: str, name: str) -> CostCentre:
    """HR's org unit posts its costs to cost centre `code`: make sure finance has it, named as
    the unit that first named it. Idempotent; an existing cost centre is left as it is (units
    may share one, and its name is finance's). A code finance cannot hold is a 422."""
    try:
        wanted = CostCentreCreate(code=code, name=name)
    except ValidationError as exc:
        raise ValidationFailed(
            f"org unit cost centre {code!r} is not a finance cost centre code",
            errors=[("cost_centre", str(error["msg"])) for error in exc.errors()],
        ) from None
    found = (await fin.backend.accounts.cost_centres_by_code([wanted.code])).get(wanted.code)
    if found is not None:
        return found
    created = await fin.backend.accounts.add_cost_centre(CostCentre(**wanted.values()))
    await fin.audit.record("cost_centre.created", "cost_centre", created.id, after=created)
    return created


async def update_cost_centre(
    fin: FinanceContext, cost_centre: CostCentre, *, data: CostCentreUpdate
) -> CostCentre:
    saved = await fin.backend.accounts.update_cost_centre(
        replace(cost_centre, **data.values(only_set=True, drop_none=True))
    )
    await fin.audit.record(
        "cost_centre.updated", "cost_centre", saved.id, before=cost_centre, after=saved
    )
    return saved


# --- analysis codes -----------------------------------------------------------------------------


async def list_analysis_codes(
    fin: FinanceContext, *, flt: CodeFilter, page: PageRequest
) -> RecordPage[AnalysisCode]:
    return await fin.backend.accounts.list_analysis_codes(flt, page)


async def get_analysis_code(fin: FinanceContext, code_id: uuid.UUID) -> AnalysisCode:
    found = await fin.backend.accounts.get_analysis_code(code_id)
    if found is None:
        raise NotFound(f"no analysis code {code_id}")
    return found


async def create_analysis_code(fin: FinanceContext, *, data: AnalysisCodeCreate) -> AnalysisCode:
    store = fin.backend.accounts
    if await store.analysis_codes_by_key([(data.dimension, data.code)]):
        raise DuplicateReference(f"{data.dimension} {data.code} already exists")
    created = await store.add_analysis_code(AnalysisCode(**data.values()))
    await fin.audit.record("analysis_code.created", "analysis_code", created.id, after=created)
    return created


async def update_analysis_code(
    fin: FinanceContext, code: AnalysisCode, *, data: AnalysisCodeUpdate
) -> AnalysisCode:
    saved = await fin.backend.accounts.update_analysis_code(
        replace(code, **data.values(only_set=True, drop_none=True))
    )
    await fin.audit.record(
        "analysis_code.updated", "analysis_code", saved.id, before=code, after=saved
    )
    return saved
