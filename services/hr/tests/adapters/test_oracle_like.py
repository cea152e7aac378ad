"""The oracle_like adapter against the simulated suite: ADF paging (limit, offset, hasMore)
behind opaque cursors, terms as Effective-Of range updates read back row by row, change
indicators as If-Match (a 412 is StaleRecord), and ADF error envelopes as canonical errors."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sop_hr.adapters.vendor import decode_cursor
from sop_hr.employees.ports import Employee, HomeRegion, LeavingReason
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
        id=fields.pop("id", None) or uuid7(),
        employee_number=fields.pop("employee_number", "E1"),
        first_name="Ada",
        last_name="Lovelace",
        home_region=HomeRegion.ENGLAND,
        start_date=date(2024, 1, 1),
        **fields,
    )


def terms(employee_id: uuid.UUID, unit_id: uuid.UUID, start: date, salary: str) -> EmploymentTerms:
    return EmploymentTerms(
        id=uuid7(),
        employee_id=employee_id,
        effective_from=start,
        org_unit_id=unit_id,
        grade=Grade.HEO,
        fte=Decimal("0.6"),
        annual_salary=Decimal(salary),
        pay_frequency=PayFrequency.MONTHLY,
        contract_type=ContractType.FIXED_TERM,
    )


async def test_lists_page_with_limit_offset_and_has_more_behind_opaque_cursors(
    oracle: Any, open_records: Any
) -> None:
    t = tenant()
    async with open_records(oracle) as records:
        made = [await records.org_units.add(t, unit(f"U{i}")) for i in range(5)]
    oracle.recorder.requests.clear()
    seen, cursor, pages = [], None, 0
    while True:
        async with open_records(oracle) as records:
            page = await records.org_units.list(t, OrgUnitFilter(), PageRequest(2, cursor))
        seen += [u.id for u in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
        assert "offset" not in cursor  # opaque to clients
        assert decode_cursor("oracle-dept", cursor) == 2 * pages
    assert seen == [u.id for u in made] and pages == 3
    asked = [(r.url.params["limit"], r.url.params["offset"]) for r in oracle.recorder.sent("GET")]
    assert asked == [("2", "0"), ("2", "2"), ("2", "4")]
    # The tenant is the department's reference data set: the suite filters, not HR.
    assert all(f"SetCode='{t}'" in r.url.params["q"] for r in oracle.recorder.sent("GET"))
    with pytest.raises(InvalidCursor):
        async with open_records(oracle) as records:
            await records.org_units.list(t, OrgUnitFilter(), PageRequest(2, "bm90LW91cnM"))


async def test_terms_are_effective_of_updates_and_the_suite_ends_each_row(
    oracle: Any, open_records: Any
) -> None:
    t = tenant()
    async with open_records(oracle) as records:
        team = await records.org_units.add(t, unit("TEAM"))
        person = await records.employees.add(t, employee())
        first = await records.terms.add(t, terms(person.id, team.id, date(2024, 1, 1), "30000"))
        oracle.recorder.requests.clear()
        later = await records.terms.add(t, terms(person.id, team.id, date(2025, 4, 1), "34000.5"))
    [change] = oracle.recorder.sent("PATCH", "/assignments/")
    assert change.headers["effective-of"] == "RangeMode=UPDATE;RangeStartDate=2025-04-01"
    async with open_records(oracle) as records:
        oracle.recorder.requests.clear()
        history = await records.terms.history(t, person.id)
    assert [(r.id, r.effective_from, r.effective_to) for r in history] == [
        (first.id, date(2024, 1, 1), date(2025, 3, 31)),  # ended by the suite, not by HR
        (later.id, date(2025, 4, 1), None),  # 4712-12-31, Oracle's open end
    ]
    assert (history[1].annual_salary, history[1].fte) == (Decimal("34000.50"), Decimal("0.6"))
    # Oracle answers one date at a time: each row is read as of its own start date.
    asked = sorted(r.url.params["effectiveDate"] for r in oracle.recorder.sent("GET"))
    assert asked == ["2024-01-01", "2025-04-01"]


async def test_a_change_made_in_the_suite_meanwhile_is_a_stale_record(
    oracle: Any, open_records: Any
) -> None:
    t = tenant()
    async with open_records(oracle) as records:
        person = await records.employees.add(t, employee())
    async with open_records(oracle) as records:
        current = await records.employees.get(t, person.id)
        assert current is not None and current.version == 1
        # Someone changes the worker in the suite itself, after HR read it.
        mine = {"q": f"workRelationships.LegalEmployerName='{t}'"}
        [worker] = (await oracle.client.get("workers", params=mine)).json()["items"]
        path = worker["links"][0]["href"].split("11.13.18.05/")[1]
        r = await oracle.client.patch(path, json={"TownOfBirth": "Leeds"})
        assert r.status_code == 200
        oracle.recorder.requests.clear()
        with pytest.raises(StaleRecord):
            await records.employees.update(t, current)
    [refused] = oracle.recorder.sent("PATCH")
    assert refused.headers["if-match"].startswith('"ACED0005')  # the change indicator
    # HR's own version guard needs no call to the suite.
    async with open_records(oracle) as records:
        oracle.recorder.requests.clear()
        with pytest.raises(StaleRecord):
            await records.employees.update(t, employee(id=person.id, version=7))
    assert oracle.recorder.sent("PATCH") == []


async def test_adf_error_envelopes_become_canonical_errors_naming_the_field(
    oracle: Any, open_records: Any
) -> None:
    t = tenant()
    with pytest.raises(ValidationFailed) as refused:
        async with open_records(oracle) as records:
            await records.employees.add(t, employee(date_of_birth=date(2999, 1, 1)))
    assert refused.value.errors is not None
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("date_of_birth", "The date of birth can't be in the future.")
    ]
    assert "PER-1530011" in str(refused.value.detail)
    [sent] = oracle.recorder.sent("POST", "/workers")
    assert "application/vnd.oracle.adf.error+json" in sent.headers["accept"]


async def test_a_leaving_date_reads_back_as_recorded_and_oracles_open_end_is_no_date(
    oracle: Any, open_records: Any
) -> None:
    """Oracle's 4712-12-31 means "no end date": HR's None. A leaving date recorded reads back
    as the same date with its reason; clearing it clears both; the open end itself is refused
    (it would read back as no date), and one set in the suite reads as not leaving at all."""
    t = tenant()
    leaving = {"leaving_date": date(2025, 6, 30), "leaving_reason": LeavingReason.RESIGNATION}
    async with open_records(oracle) as records:
        person = await records.employees.add(t, employee())
        left = await records.employees.update(t, dataclasses.replace(person, **leaving))
    async with open_records(oracle) as records:
        read = await records.employees.get(t, person.id)
        assert read is not None
        assert (read.leaving_date, read.leaving_reason) == (left.leaving_date, left.leaving_reason)
        assert (read.leaving_date, read.leaving_reason) == tuple(leaving.values())
        cleared = dataclasses.replace(read, leaving_date=None, leaving_reason=None)
        await records.employees.update(t, cleared)
    async with open_records(oracle) as records:
        read = await records.employees.get(t, person.id)
        assert read is not None and (read.leaving_date, read.leaving_reason) == (None, None)
        oracle.recorder.requests.clear()
        open_end = dataclasses.replace(
            read, leaving_date=date(4712, 12, 31), leaving_reason=LeavingReason.RETIREMENT
        )
        with pytest.raises(ValidationFailed) as refused:
            await records.employees.update(t, open_end)
    assert refused.value.errors is not None
    assert [e.field for e in refused.value.errors] == ["leaving_date"]
    assert oracle.recorder.requests == []  # refused before anything reached the suite
    async with open_records(oracle) as records:
        read = await records.employees.get(t, person.id)
        assert read is not None and (read.leaving_date, read.leaving_reason) == (None, None)
    # Someone terminates the relationship in the suite itself "as of the end of time".
    mine = {"q": f"workRelationships.LegalEmployerName='{t}'", "expand": "workRelationships"}
    [worker] = (await oracle.client.get("workers", params=mine)).json()["items"]
    path = worker["links"][0]["href"].split("11.13.18.05/")[1]
    relationship = worker["workRelationships"][0]["PeriodOfServiceId"]
    r = await oracle.client.post(
        f"{path}/child/workRelationships/{relationship}/action/terminate",
        json={"TerminationDate": "4712-12-31", "ReasonCode": "RETIREMENT"},
    )
    assert r.status_code < 300, r.text
    async with open_records(oracle) as records:
        read = await records.employees.get(t, person.id)
    assert read is not None and (read.leaving_date, read.leaving_reason) == (None, None)


async def test_dates_on_or_after_oracles_open_end_are_refused_naming_the_field(
    oracle: Any, open_records: Any
) -> None:
    t = tenant()
    async with open_records(oracle) as records:
        team = await records.org_units.add(t, unit("TEAM"))
        person = await records.employees.add(t, employee())
    oracle.recorder.requests.clear()
    with pytest.raises(ValidationFailed) as refused:
        async with open_records(oracle) as records:
            await records.terms.add(t, terms(person.id, team.id, date(4712, 12, 31), "30000"))
    assert refused.value.errors is not None
    assert [e.field for e in refused.value.errors] == ["effective_from"]
    assert oracle.recorder.sent("PATCH") == [] and oracle.recorder.sent("POST") == []
