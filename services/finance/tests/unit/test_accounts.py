"""Chart of accounts: default chart, unique codes, parents, control roles, cost centres."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from finance_builders import BANK, GENERAL_FUND, IT, SALARIES, STAFF_HEADER, books, cr, dr, posted
from finance_fakes import OTHER_TENANT, actions, as_, audit_log, context, provisioned
from pydantic import ValidationError

from sop_finance.accounts import events, service
from sop_finance.accounts.ports import AccountFilter, CodeFilter
from sop_finance.accounts.schemas import (
    AccountCreate,
    AccountUpdate,
    AnalysisCodeCreate,
    AnalysisCodeUpdate,
    CostCentreCreate,
    CostCentreUpdate,
)
from sop_finance.ports import PageRequest
from sop_finance.problems import DuplicateReference, InvalidState
from sop_shared.errors import NotFound, ValidationFailed
from sop_shared.events import Event

CLOUD = {"code": "22210000", "name": "Cloud hosting", "type": "expense", "parent_code": "22000000"}


async def chart_of(fin) -> dict:
    return {a.code: a for a in await fin.backend.accounts.all_accounts()}


def fields(exc: pytest.ExceptionInfo) -> list[str]:
    return [e.field for e in exc.value.errors or []]


async def test_provisioning_gives_the_default_chart_with_its_control_roles_once():
    fin = await provisioned(context())
    chart = await chart_of(fin)
    assert len(chart) == len(service.DEFAULT_CHART) >= 60
    roles = {a.control_role: a.code for a in chart.values() if a.control_role}
    assert roles == {
        "retained_earnings": GENERAL_FUND,
        "payables_control": "51100000",
        "vat_recoverable": "42300000",
    }
    assert chart[SALARIES].parent_code == STAFF_HEADER and chart[SALARIES].postable
    assert not chart[STAFF_HEADER].postable
    assert all(a.version == 1 and a.active for a in chart.values())
    assert await service.ensure_default_chart(fin) == 0  # again: nothing doubles
    assert len(await chart_of(fin)) == len(chart)
    provisioning = [e for e in audit_log(fin).events if e.action == "chart.provisioned"]
    assert [(e.actor, e.after) for e in provisioning] == [
        ("system:provisioning", {"accounts_added": len(chart)})
    ]


async def test_an_account_code_is_unique_in_the_tenant_only():
    fin = await provisioned(context())
    created = await service.create_account(fin, data=AccountCreate.model_validate(CLOUD))
    assert await service.get_account(fin, created.id) == created
    assert actions(fin, created.id) == ["account.created"]
    with pytest.raises(DuplicateReference):
        await service.create_account(fin, data=AccountCreate.model_validate(CLOUD))
    theirs = await provisioned(as_(fin, tenant=OTHER_TENANT))
    assert (await service.create_account(theirs, data=AccountCreate.model_validate(CLOUD))).code


async def test_a_parent_must_exist_and_have_the_same_type():
    fin = await provisioned(context())
    for parent in ("51000000", "99999999"):  # a liability header; no such account
        with pytest.raises(ValidationFailed) as refused:
            await service.create_account(
                fin, data=AccountCreate.model_validate({**CLOUD, "parent_code": parent})
            )
        assert fields(refused) == ["parent_code"]
    assert "22210000" not in await chart_of(fin)


async def test_an_account_cannot_roll_up_into_itself():
    fin = await provisioned(context())
    cloud = await service.create_account(fin, data=AccountCreate.model_validate(CLOUD))
    header = (await chart_of(fin))["22000000"]
    for parent in ("22210000", "22000000"):  # a descendant; itself
        with pytest.raises(ValidationFailed, match="itself"):
            await service.update_account(fin, header, data=AccountUpdate(parent_code=parent))
    assert (await service.get_account(fin, cloud.id)).parent_code == "22000000"


async def test_one_account_per_control_role_of_the_roles_type():
    fin = await provisioned(context())
    reserve = {"code": "71300000", "name": "Other reserve", "type": "equity"}
    with pytest.raises(ValidationFailed, match=GENERAL_FUND) as taken:
        await service.create_account(
            fin,
            data=AccountCreate.model_validate({**reserve, "control_role": "retained_earnings"}),
        )
    assert fields(taken) == ["control_role"]
    with pytest.raises(ValidationFailed, match="liability"):
        await service.create_account(
            fin,
            data=AccountCreate.model_validate({**reserve, "control_role": "payables_control"}),
        )
    # The role moves once its holder lets go of it.
    general_fund = (await chart_of(fin))[GENERAL_FUND]
    await service.update_account(fin, general_fund, data=AccountUpdate(control_role=None))
    moved = await service.create_account(
        fin, data=AccountCreate.model_validate({**reserve, "control_role": "retained_earnings"})
    )
    assert (await service.control_account(fin, "retained_earnings")).code == moved.code


async def test_an_update_clears_parent_and_role_with_null_but_ignores_null_elsewhere():
    fin = await provisioned(context())
    salaries = (await chart_of(fin))[SALARIES]
    changed = await service.update_account(
        fin,
        salaries,
        data=AccountUpdate.model_validate({"name": None, "parent_code": None, "active": False}),
    )
    assert (changed.name, changed.parent_code, changed.active) == (salaries.name, None, False)
    assert changed.version == salaries.version + 1
    event = audit_log(fin).events[-1]
    assert event.action == "account.updated"
    assert (event.before or {})["parent_code"] == STAFF_HEADER
    assert (event.after or {})["parent_code"] is None


async def test_an_account_becomes_a_header_only_while_it_holds_no_balance():
    fin = await books()
    chart = await chart_of(fin)
    header = await service.update_account(
        fin, chart[SALARIES], data=AccountUpdate(postable=False)
    )  # nothing posted to it yet
    assert header.postable is False
    assert (await service.update_account(fin, header, data=AccountUpdate(postable=True))).postable
    # Balances netting to nothing across cost centres are still held: the close posts per centre.
    await posted(fin, dr(IT, "25.00", "CC01"), cr(IT, "25.00", "CC02"))
    with pytest.raises(ValidationFailed) as refused:
        await service.update_account(fin, chart[IT], data=AccountUpdate(postable=False))
    assert fields(refused) == ["postable"]
    assert "CC01 25.00 debit, CC02 25.00 credit" in (refused.value.detail or "")
    # Moved back to nothing, the account may become a header (other changes never ask).
    await posted(fin, dr(IT, "25.00", "CC02"), cr(IT, "25.00", "CC01"))
    await service.update_account(fin, chart[BANK], data=AccountUpdate(name="Cash at GBS"))
    assert not (
        await service.update_account(fin, chart[IT], data=AccountUpdate(postable=False))
    ).postable


def test_codes_and_types_never_change():
    for change in ({"code": "X"}, {"type": "asset"}):
        with pytest.raises(ValidationError):
            AccountUpdate.model_validate(change)


async def test_control_account_needs_an_active_holder():
    fin = await provisioned(context())
    assert (await service.control_account(fin, "retained_earnings")).code == GENERAL_FUND
    general_fund = (await chart_of(fin))[GENERAL_FUND]
    await service.update_account(fin, general_fund, data=AccountUpdate(active=False))
    with pytest.raises(InvalidState, match="retained_earnings"):
        await service.control_account(fin, "retained_earnings")
    with pytest.raises(InvalidState):  # an empty chart has no control accounts at all
        await service.control_account(context(), "payables_control")


async def test_accounts_list_by_type_and_parent_and_an_unknown_id_is_not_found():
    fin = await provisioned(context())
    staff = await service.list_accounts(
        fin, flt=AccountFilter(parent_code=STAFF_HEADER), page=PageRequest()
    )
    assert [a.code for a in staff.items] == ["21100000", "21200000", "21300000", "21400000"]
    equity = await service.list_accounts(fin, flt=AccountFilter(type="equity"), page=PageRequest())
    assert {a.code for a in equity.items} == {"70000000", "71000000", GENERAL_FUND, "71200000"}
    with pytest.raises(NotFound):
        await service.get_account(fin, uuid.uuid4())


async def test_cost_centre_codes_are_unique_and_changes_are_audited():
    fin = context()
    centre = await service.create_cost_centre(
        fin, data=CostCentreCreate(code="cc01", name="Policy")
    )
    assert centre.code == "CC01"  # codes are upper-cased business keys
    with pytest.raises(DuplicateReference):
        await service.create_cost_centre(fin, data=CostCentreCreate(code="CC01", name="Again"))
    closed = await service.update_cost_centre(fin, centre, data=CostCentreUpdate(active=False))
    assert (closed.name, closed.active, closed.version) == ("Policy", False, 2)
    assert actions(fin, centre.id) == ["cost_centre.created", "cost_centre.updated"]
    inactive = await service.list_cost_centres(
        fin, flt=CodeFilter(active=False), page=PageRequest()
    )
    assert [c.code for c in inactive.items] == ["CC01"]
    with pytest.raises(NotFound):
        await service.get_cost_centre(fin, uuid.uuid4())


async def test_analysis_codes_are_unique_per_dimension():
    fin = context()
    net_zero = await service.create_analysis_code(
        fin, data=AnalysisCodeCreate(dimension="programme", code="net-zero", name="Net zero")
    )
    assert net_zero.code == "NET-ZERO"
    with pytest.raises(DuplicateReference):
        await service.create_analysis_code(
            fin, data=AnalysisCodeCreate(dimension="programme", code="NET-ZERO", name="x")
        )
    project = await service.create_analysis_code(
        fin, data=AnalysisCodeCreate(dimension="project", code="NET-ZERO", name="Project")
    )
    renamed = await service.update_analysis_code(
        fin, project, data=AnalysisCodeUpdate(name="Renamed")
    )
    assert (renamed.dimension, renamed.name) == ("project", "Renamed")
    programmes = await service.list_analysis_codes(
        fin, flt=CodeFilter(dimension="programme"), page=PageRequest()
    )
    assert [c.id for c in programmes.items] == [net_zero.id]


# --- cost centres named by HR's org units (accounts/events.py) ---------------------------------


def org_unit_event(tenant: str, cost_centre: str, name: str = "Corporate services") -> Event:
    return Event(
        id=uuid.uuid4(),
        type="uk.gov.sop.hr.org_unit.created.v1",
        source="/hr",
        subject=f"org-units/{uuid.uuid4()}",
        time=datetime.now(UTC),
        tenant=tenant,
        data={"code": "CORP", "name": name, "cost_centre": cost_centre},
    )


async def test_an_org_unit_event_makes_its_cost_centre_once():
    fin = context()
    await events.on_org_unit(fin, org_unit_event(fin.principal.tenant or "", "cc-corp"))
    await events.on_org_unit(fin, org_unit_event(fin.principal.tenant or "", "CC-CORP", "Other"))
    found = await fin.backend.accounts.cost_centres_by_code(["CC-CORP"])
    assert [(c.code, c.name) for c in found.values()] == [("CC-CORP", "Corporate services")]
    assert actions(fin).count("cost_centre.created") == 1


async def test_an_existing_cost_centre_is_left_as_finance_named_it():
    fin = context()
    await service.create_cost_centre(fin, data=CostCentreCreate(code="CC01", name="Finance's name"))
    kept = await service.cost_centre_for_org_unit(fin, code="CC01", name="HR's unit name")
    assert kept.name == "Finance's name"


async def test_a_cost_centre_code_finance_cannot_hold_is_refused_and_nothing_is_made():
    fin = context()
    with pytest.raises(ValidationFailed) as refused:
        await service.cost_centre_for_org_unit(fin, code="X" * 25, name="Too long a code")
    assert fields(refused) == ["cost_centre"]
    assert await fin.backend.accounts.cost_centres_by_code(["X" * 25]) == {}
