"""Effective-dated employment terms: history, `as_of`, insertion between rows, and the checks
on a change."""

from __future__ import annotations

import pytest


async def change(hr, employee_id, effective_from, make_terms, unit_id, **fields):
    body = {"effective_from": effective_from, **make_terms(unit_id, **fields)}
    return await hr.post(f"/hr/v1/employees/{employee_id}/terms", json=body)


@pytest.mark.sqlite
async def test_as_of_answers_with_the_terms_in_force_that_day(hr, make_terms):
    unit, moved_to = await hr.org_unit(), await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"], annual_salary="36000.00"))
    r = await change(
        hr, e["id"], "2025-04-01", make_terms, moved_to["id"], annual_salary="40000.00", grade="SEO"
    )
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/hr/v1/employees/{e['id']}/terms/{r.json()['id']}"
    assert (await hr.get(r.headers["location"])).json() == r.json()

    async def terms_on(day: str) -> dict:
        one = (await hr.get(f"/hr/v1/employees/{e['id']}?as_of={day}")).json()
        listed = (await hr.get(f"/hr/v1/employees?as_of={day}")).json()["items"][0]
        assert one["terms"] == listed["terms"] and one["as_of"] == day
        return one["terms"]

    assert (await terms_on("2024-06-01"))["annual_salary"] == "36000.00"
    assert (await terms_on("2025-03-31"))["org_unit_id"] == unit["id"]
    on_change = await terms_on("2025-04-01")
    assert (on_change["annual_salary"], on_change["grade"]) == ("40000.00", "SEO")
    assert on_change["org_unit_id"] == moved_to["id"]
    assert (await hr.get(f"/hr/v1/employees/{e['id']}?as_of=2023-12-31")).json()["terms"] is None


async def test_a_change_between_two_rows_is_inserted_and_end_dates_recomputed(hr, make_terms):
    unit = await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"], annual_salary="30000.00"))
    assert (
        await change(hr, e["id"], "2025-04-01", make_terms, unit["id"], annual_salary="34000.00")
    ).status_code == 201
    middle = await change(hr, e["id"], "2024-10-01", make_terms, unit["id"], fte="0.6")
    assert middle.status_code == 201, middle.text
    assert middle.json()["effective_to"] == "2025-03-31"

    history = (await hr.get(f"/hr/v1/employees/{e['id']}/terms")).json()["items"]
    assert [
        (t["effective_from"], t["effective_to"], t["fte"], t["annual_salary"]) for t in history
    ] == [
        ("2024-01-01", "2024-09-30", "1", "30000.00"),
        ("2024-10-01", "2025-03-31", "0.6", "36000.00"),
        ("2025-04-01", None, "1", "34000.00"),
    ]
    events = (
        await hr.get(
            "/hr/v1/audit-events?resource_type=employment_terms&action=employment_terms.updated"
        )
    ).json()["items"]
    shortened = [ev for ev in events if ev["resource_id"] == history[0]["id"]][-1]
    assert shortened["before"]["effective_to"] == "2025-03-31"
    assert shortened["after"]["effective_to"] == "2024-09-30"


async def test_a_terms_change_gives_the_employee_a_new_etag(hr, make_terms):
    unit = await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"]))
    await change(hr, e["id"], "2025-01-01", make_terms, unit["id"], grade="SEO")
    got = await hr.get(f"/hr/v1/employees/{e['id']}")
    assert got.headers["etag"] == '"2"'
    stale = await hr.patch(
        f"/hr/v1/employees/{e['id']}", json={"first_name": "X"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412


async def test_a_change_cannot_start_before_the_start_date_or_on_a_taken_date(hr, make_terms):
    unit = await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"]))
    early = await change(hr, e["id"], "2023-12-31", make_terms, unit["id"])
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "effective_from"
    taken = await change(hr, e["id"], "2024-01-01", make_terms, unit["id"])
    assert taken.status_code == 409
    assert taken.json()["type"] == "urn:sop:problem:terms-date-taken"
    assert len((await hr.get(f"/hr/v1/employees/{e['id']}/terms")).json()["items"]) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"fte": "0"}, "fte"),
        ({"fte": "1.5"}, "fte"),
        ({"fte": "0.12345"}, "fte"),
        ({"annual_salary": 30000.5}, "annual_salary"),  # a float, not a decimal string
        ({"grade": "G5"}, "grade"),
        ({"pay_frequency": "daily"}, "pay_frequency"),
        ({"org_unit_id": "01a20000-0000-7000-8000-000000000000"}, "org_unit_id"),
    ],
)
async def test_bad_terms_are_422_naming_the_field(hr, make_terms, fields, field):
    unit = await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"]))
    r = await change(hr, e["id"], "2025-01-01", make_terms, unit["id"], **fields)
    assert r.status_code == 422, r.text
    assert field in [err["field"] for err in r.json()["errors"]]


async def test_a_position_must_sit_in_the_terms_org_unit(hr, make_terms):
    unit, elsewhere = await hr.org_unit(), await hr.org_unit()
    position = await hr.position(elsewhere["id"])
    r = await hr.post(
        "/hr/v1/employees",
        json={
            "employee_number": "E9",
            "first_name": "A",
            "last_name": "B",
            "home_region": "wales",
            "start_date": "2024-01-01",
            "terms": make_terms(unit["id"], position_id=position["id"]),
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "terms.position_id"
