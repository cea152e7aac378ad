"""Positions: budgeted FTE, and filled and vacant FTE from the terms in force."""

from __future__ import annotations

from datetime import date, timedelta


async def test_filled_and_vacant_fte_come_from_terms_in_force(hr, make_terms):
    unit = await hr.org_unit()
    position = await hr.position(unit["id"], budgeted_fte="2")
    assert (position["filled_fte"], position["vacant_fte"]) == ("0", "2")
    await hr.employee(terms=make_terms(unit["id"], position_id=position["id"]))
    starts = date.today() + timedelta(days=10)
    await hr.employee(
        start_date=starts.isoformat(),
        terms=make_terms(unit["id"], position_id=position["id"], fte="0.5"),
    )
    now = (await hr.get(f"/hr/v1/positions/{position['id']}")).json()
    assert (now["budgeted_fte"], now["filled_fte"], now["vacant_fte"]) == ("2", "1", "1")
    later = (await hr.get(f"/hr/v1/positions/{position['id']}?as_of={starts.isoformat()}")).json()
    assert (later["filled_fte"], later["vacant_fte"]) == ("1.5", "0.5")
    listed = (await hr.get(f"/hr/v1/positions?org_unit_id={unit['id']}")).json()["items"]
    assert [(p["id"], p["filled_fte"]) for p in listed] == [(position["id"], "1")]


async def test_an_overfilled_position_shows_no_vacancy(hr, make_terms):
    unit = await hr.org_unit()
    position = await hr.position(unit["id"], budgeted_fte="0.5")
    await hr.employee(terms=make_terms(unit["id"], position_id=position["id"]))
    got = (await hr.get(f"/hr/v1/positions/{position['id']}")).json()
    assert (got["filled_fte"], got["vacant_fte"]) == ("1", "0")


async def test_position_rules(hr):
    unit = await hr.org_unit()
    p = await hr.position(unit["id"], code="P-1")
    body = {
        "code": "P-1",
        "title": "T",
        "grade": "G7",
        "org_unit_id": unit["id"],
        "budgeted_fte": "1",
    }
    assert (await hr.post("/hr/v1/positions", json=body)).status_code == 409
    nowhere = {**body, "code": "P-2", "org_unit_id": "01a20000-0000-7000-8000-000000000000"}
    r = await hr.post("/hr/v1/positions", json=nowhere)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "org_unit_id"
    for bad in ({"budgeted_fte": "0"}, {"grade": "G8"}):
        assert (
            await hr.post("/hr/v1/positions", json={**body, "code": "P-3", **bad})
        ).status_code == 422
    url = f"/hr/v1/positions/{p['id']}"
    assert (await hr.patch(url, json={"title": "Lead"})).status_code == 428
    r = await hr.patch(
        url, json={"title": "Lead", "budgeted_fte": "1.5"}, headers={"If-Match": '"1"'}
    )
    assert r.status_code == 200 and (r.json()["title"], r.json()["budgeted_fte"]) == ("Lead", "1.5")
