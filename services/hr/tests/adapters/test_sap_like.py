"""The sap_like adapter against the simulated suite: server paging (`customPageSize`, `__next`
with `$skiptoken`) behind opaque cursors, terms as upserted time slices read back with
fromDate/toDate, ETags as If-Match on MERGE (a 412 is StaleRecord), and OData error envelopes
and upsert row errors as canonical errors."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sop_hr.absences.ports import Absence, AbsenceStatus
from sop_hr.adapters.vendor import decode_cursor
from sop_hr.employees.ports import Employee, HomeRegion
from sop_hr.org_units.ports import OrgUnit, OrgUnitFilter
from sop_hr.ports import InvalidCursor, PageRequest, StaleRecord
from sop_hr.terms.ports import ContractType, EmploymentTerms, Grade, PayFrequency
from sop_shared.errors import ValidationFailed
from sop_shared.ids import uuid7


def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def unit(code: str) -> OrgUnit:
    return OrgUnit(id=uuid7(), code=code, name=f"Unit {code}", cost_centre="CC1")


def employee(**fields: Any) -> Employee:
    return Employee(
        id=uuid7(),
        employee_number=fields.pop("employee_number", "E1"),
        first_name="Ada",
        last_name="Lovelace",
        home_region=HomeRegion.SCOTLAND,
        start_date=date(2024, 1, 1),
        **fields,
    )


def terms(employee_id: uuid.UUID, unit_id: uuid.UUID, start: date, fte: str) -> EmploymentTerms:
    return EmploymentTerms(
        id=uuid7(),
        employee_id=employee_id,
        effective_from=start,
        org_unit_id=unit_id,
        grade=Grade.SEO,
        fte=Decimal(fte),
        annual_salary=Decimal("41000"),
        pay_frequency=PayFrequency.FOUR_WEEKLY,
        contract_type=ContractType.SECONDMENT,
    )


async def test_lists_follow_next_links_and_skiptokens_behind_opaque_cursors(
    sap: Any, open_records: Any
) -> None:
    t = tenant()
    async with open_records(sap) as records:
        made = [await records.org_units.add(t, unit(f"U{i}")) for i in range(5)]
    sap.recorder.requests.clear()
    seen, cursor, tokens = [], None, []
    while True:
        async with open_records(sap) as records:
            page = await records.org_units.list(t, OrgUnitFilter(), PageRequest(2, cursor))
        seen += [u.id for u in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
        tokens.append(decode_cursor("sap-departments", cursor))
    # SuccessFactors' keys are HR's ids, so its order is HR's creation order.
    assert seen == [u.id for u in made]
    asked = sap.recorder.sent("GET", "FODepartment")
    assert [r.url.params["customPageSize"] for r in asked] == ["2", "2", "2"]
    assert [r.url.params.get("$skiptoken") for r in asked] == [None, *tokens]
    assert all(f"cust_company eq '{t}'" in r.url.params["$filter"] for r in asked)
    oracle_cursor = "eyJrIjoib3JhY2xlLWRlcHQiLCJwIjoyfQ"
    async with open_records(sap) as records:
        with pytest.raises(InvalidCursor):
            await records.org_units.list(t, OrgUnitFilter(), PageRequest(2, oracle_cursor))


async def test_terms_are_time_slices_the_suite_ends_and_reads_back_over_all_dates(
    sap: Any, open_records: Any
) -> None:
    t = tenant()
    async with open_records(sap) as records:
        team = await records.org_units.add(t, unit("TEAM"))
        person = await records.employees.add(t, employee())
        first = await records.terms.add(t, terms(person.id, team.id, date(2024, 1, 1), "1"))
        sap.recorder.requests.clear()
        later = await records.terms.add(t, terms(person.id, team.id, date(2025, 9, 1), "0.5"))
    [upsert] = sap.recorder.sent("POST", "/upsert")
    sent = [e["__metadata"]["uri"] for e in json.loads(upsert.content)]
    assert sent == ["EmpJob", "EmpPayCompRecurring"]  # one call: job and salary together
    async with open_records(sap) as records:
        sap.recorder.requests.clear()
        history = await records.terms.history(t, person.id)
    assert [(r.id, r.effective_from, r.effective_to, r.fte) for r in history] == [
        (first.id, date(2024, 1, 1), date(2025, 8, 31), Decimal("1")),
        (later.id, date(2025, 9, 1), None, Decimal("0.5")),  # 9999-12-31, SAP's open end
    ]
    assert history[1].contract_type is ContractType.SECONDMENT
    for read in sap.recorder.sent("GET"):
        assert (read.url.params["fromDate"], read.url.params["toDate"]) == (
            "1900-01-01",
            "9999-12-31",
        )


async def test_a_change_made_in_the_suite_meanwhile_is_a_stale_record(
    sap: Any, open_records: Any
) -> None:
    t = tenant()
    async with open_records(sap) as records:
        person = await records.employees.add(t, employee())
    path = f"EmpEmployment(personIdExternal='{person.id.hex}',userId='{person.id.hex}')"
    async with open_records(sap) as records:
        current = await records.employees.get(t, person.id)
        assert current is not None
        # Someone changes the employment in the suite itself, after HR read it.
        etag = (await sap.client.get(path)).headers["etag"]
        r = await sap.client.patch(path, json={"assignmentClass": "GA"}, headers={"If-Match": etag})
        assert r.status_code == 204
        sap.recorder.requests.clear()
        with pytest.raises(StaleRecord):
            await records.employees.update(t, current)
    [merge] = sap.recorder.sent("POST", "EmpEmployment(")
    assert merge.headers["x-http-method"] == "MERGE"
    assert merge.headers["if-match"] == etag  # what HR had read: no longer current


async def test_odata_error_envelopes_and_upsert_rows_become_canonical_errors(
    sap: Any, open_records: Any
) -> None:
    t = tenant()
    with pytest.raises(ValidationFailed) as upserted:
        async with open_records(sap) as records:
            await records.employees.add(t, employee(date_of_birth=date(2999, 1, 1)))
    assert "PerPerson" in str(upserted.value.detail) and "future" in str(upserted.value.detail)
    async with open_records(sap) as records:
        person = await records.employees.add(t, employee(employee_number="E2"))
    backwards = Absence(
        id=uuid7(),
        employee_id=person.id,
        leave_type="annual",
        start_date=date(2026, 3, 6),
        end_date=date(2026, 3, 2),
        working_days=0,
        status=AbsenceStatus.REQUESTED,
        requested_by="someone",
    )
    with pytest.raises(ValidationFailed) as refused:
        async with open_records(sap) as records:
            await records.absences.add(t, backwards)
    assert refused.value.errors is not None
    [error] = refused.value.errors
    assert error.field == "end_date" and "before the start date" in error.message
    assert "COE_GENERAL_BAD_REQUEST" in str(refused.value.detail)
