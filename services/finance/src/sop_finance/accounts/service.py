"""Rules for the chart of accounts, cost centres and analysis codes."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sop_finance.accounts.models import (
    Account,
    AccountFilter,
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
from sop_finance.bootstrap import Finance
from sop_finance.canonical import Slice
from sop_finance.errors import DuplicateReference, InvalidState
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.pagination import PageParams

CLEARABLE = frozenset({"parent_code", "control_role"})
# The account type each control role must have, so closing and payables post sensibly.
ROLE_TYPES: dict[str, str] = {
    "retained_earnings": "equity",
    "payables_control": "liability",
    "vat_recoverable": "asset",
}


# --- accounts -----------------------------------------------------------------------------------


async def list_accounts(fin: Finance, *, flt: AccountFilter, page: PageParams) -> Slice[Account]:
    return await fin.backend.accounts.list_accounts(flt, page)


async def get_account(fin: Finance, account_id: uuid.UUID) -> Account:
    account = await fin.backend.accounts.get_account(account_id)
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account


async def create_account(fin: Finance, *, data: AccountCreate) -> Account:
    accounts = fin.backend.accounts
    if await accounts.accounts_by_code([data.code]):
        raise DuplicateReference(f"account {data.code} already exists")
    account = Account(**data.values())
    await _check_account(fin, account)
    account = await accounts.add_account(account)
    await fin.audit.record("account.created", "account", account.id, after=account)
    return account


async def update_account(fin: Finance, account: Account, *, data: AccountUpdate) -> Account:
    # parent_code and control_role may be cleared with null; the other fields may not.
    values = data.values(only_set=True)
    changed = replace(
        account, **{k: v for k, v in values.items() if v is not None or k in CLEARABLE}
    )
    await _check_account(fin, changed)
    saved = await fin.backend.accounts.update_account(changed)
    await fin.audit.record("account.updated", "account", saved.id, before=account, after=saved)
    return saved


async def _check_account(fin: Finance, account: Account) -> None:
    errors: list[tuple[str, str]] = []
    if account.parent_code is not None:
        errors += await _check_parent(fin, account)
    if account.control_role is not None:
        errors += await _check_role(fin, account, account.control_role)
    if errors:
        raise ValidationFailed("; ".join(m for _, m in errors), errors=errors)


async def _check_parent(fin: Finance, account: Account) -> list[tuple[str, str]]:
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


async def _check_role(fin: Finance, account: Account, role: ControlRole) -> list[tuple[str, str]]:
    if ROLE_TYPES[role] != account.type:
        return [("control_role", f"the {role} account must be of type {ROLE_TYPES[role]}")]
    holders = await fin.backend.accounts.list_accounts(
        AccountFilter(control_role=role), PageParams(limit=2)
    )
    if any(a.code != account.code for a in holders.items):
        return [("control_role", f"{holders.items[0].code} is already the {role} account")]
    return []


async def control_account(fin: Finance, role: ControlRole) -> Account:
    """The account holding a control role; 409-style problem when the tenant has none."""
    found = await fin.backend.accounts.list_accounts(
        AccountFilter(control_role=role, active=True), PageParams(limit=1)
    )
    if not found.items:
        raise InvalidState(f"no active account holds the {role} role; set control_role on one")
    return found.items[0]


# --- cost centres -------------------------------------------------------------------------------


async def list_cost_centres(
    fin: Finance, *, flt: CodeFilter, page: PageParams
) -> Slice[CostCentre]:
    return await fin.backend.accounts.list_cost_centres(flt, page)


async def get_cost_centre(fin: Finance, cost_centre_id: uuid.UUID) -> CostCentre:
    found = await fin.backend.accounts.get_cost_centre(cost_centre_id)
    if found is None:
        raise NotFound(f"no cost centre {cost_centre_id}")
    return found


async def create_cost_centre(fin: Finance, *, data: CostCentreCreate) -> CostCentre:
    store = fin.backend.accounts
    if await store.cost_centres_by_code([data.code]):
        raise DuplicateReference(f"cost centre {data.code} already exists")
    created = await store.add_cost_centre(CostCentre(**data.values()))
    await fin.audit.record("cost_centre.created", "cost_centre", created.id, after=created)
    return created


async def update_cost_centre(
    fin: Finance, cost_centre: CostCentre, *, data: CostCentreUpdate
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
    fin: Finance, *, flt: CodeFilter, page: PageParams
) -> Slice[AnalysisCode]:
    return await fin.backend.accounts.list_analysis_codes(flt, page)


async def get_analysis_code(fin: Finance, code_id: uuid.UUID) -> AnalysisCode:
    found = await fin.backend.accounts.get_analysis_code(code_id)
    if found is None:
        raise NotFound(f"no analysis code {code_id}")
    return found


async def create_analysis_code(fin: Finance, *, data: AnalysisCodeCreate) -> AnalysisCode:
    store = fin.backend.accounts
    if await store.analysis_codes_by_key([(data.dimension, data.code)]):
        raise DuplicateReference(f"{data.dimension} {data.code} already exists")
    created = await store.add_analysis_code(AnalysisCode(**data.values()))
    await fin.audit.record("analysis_code.created", "analysis_code", created.id, after=created)
    return created


async def update_analysis_code(
    fin: Finance, code: AnalysisCode, *, data: AnalysisCodeUpdate
) -> AnalysisCode:
    saved = await fin.backend.accounts.update_analysis_code(
        replace(code, **data.values(only_set=True, drop_none=True))
    )
    await fin.audit.record(
        "analysis_code.updated", "analysis_code", saved.id, before=code, after=saved
    )
    return saved
