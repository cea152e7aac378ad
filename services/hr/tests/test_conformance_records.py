"""Behaviours the other API tests touch lightly, which every adapter must still agree on (each
test here runs on native, oracle_like and sap_like, like every test with an `hr` tenant):
paging every list through cursors, `updated_since` on every resource, every list filter,
changing and clearing every employee field, moves and renames, a change inserted before the
first terms row, and employee numbers taken by a concurrent request."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any


async def pages(hr: Any, path: str, limit: int = 2) -> tuple[list[str], int]:
    """Every item's id, following cursors (and the Link header) page by page."""
    ids: list[str] = []
    sep = "&" if "?" in path else "?"
    url: str | None = f"{path}{sep}limit={limit}"
    count = 0
    while url:
        r = await hr.get(url)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        count += 1
        cursor = body["next_cursor"]
        assert ('rel="next"' in r.headers.get("link", "")) == bool(cursor)
        url = f"{path}{sep}limit={limit}&cursor={cursor}" if cursor else None
    return ids, count


async def test_every_list_pages_in_creation_order_and_refuses_foreign_cursors(hr, make_terms):
    units = [await hr.org_unit() for _ in range(5)]
    positions = [await hr.position(units[0]["id"]) for _ in range(3)]
    people = [await hr.employee(terms=make_terms(units[1]["id"])) for _ in range(5)]
    absences = []
    for person, start in zip(people, ("2026-03-02", "2026-03-09", "2026-03-16"), strict=False):
        r = await hr.post(
            f"/hr/v1/employees/{person['id']}/absences",
            json={"leave_type": "sick", "start_date": start, "end_date": start},
        )
        assert r.status_code == 201, r.text
        absences.append(r.json()["id"])
    for path, expected in (
        ("/hr/v1/org-units", [u["id"] for u in units]),
        ("/hr/v1/positions", [p["id"] for p in positions]),
        ("/hr/v1/employees", [p["id"] for p in people]),
        ("/hr/v1/absences", absences),
    ):
        ids, count = await pages(hr, path)
        assert ids == expected, path
        assert count == (len(expected) + 1) // 2, path
        for cursor in ("nonsense", "eyJrIjoibmF0aXZlIiwicCI6MX0"):
            r = await hr.get(f"{path}?cursor={cursor}")
            assert r.status_code == 422, (path, cursor, r.text)
            assert r.json()["errors"][0]["field"] == "cursor"


async def test_updated_since_sees_only_what_changed_on_every_resource(hr, make_terms):
    unit, other_unit = await hr.org_unit(), await hr.org_unit()
    position, other_position = await hr.position(unit["id"]), await hr.position(unit["id"])
    person = await hr.employee(terms=make_terms(unit["id"]))
    booked = []
    for start in ("2026-03-02", "2026-03-09"):
        r = await hr.post(
            f"/hr/v1/employees/{person['id']}/absences",
            json={"leave_type": "sick", "start_date": start, "end_date": start},
        )
        booked.append(r.json()["id"])
    await asyncio.sleep(0.01)
    mark = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    match = {"If-Match": '"1"'}
    assert (
        await hr.patch(f"/hr/v1/org-units/{unit['id']}", json={"name": "N"}, headers=match)
    ).status_code == 200
    assert (
        await hr.patch(f"/hr/v1/positions/{position['id']}", json={"title": "T"}, headers=match)
    ).status_code == 200
    assert (await hr.post(f"/hr/v1/absences/{booked[1]}/approve")).status_code == 200
    for path, changed in (
        ("/hr/v1/org-units", unit["id"]),
        ("/hr/v1/positions", position["id"]),
        ("/hr/v1/absences", booked[1]),
    ):
        r = await hr.get(f"{path}?updated_since={mark}")
        assert [item["id"] for item in r.json()["items"]] == [changed], path
    assert other_unit["id"] and other_position["id"]
    assert (await hr.get(f"/hr/v1/employees?updated_since={mark}")).json()["items"] == []


async def test_list_filters_agree(hr, make_terms):
    unit, elsewhere = await hr.org_unit(), await hr.org_unit()
    post = await hr.position(unit["id"], code="FIND-ME")
    await hr.position(elsewhere["id"])
    holder = await hr.employee(
        employee_number="N-1", terms=make_terms(unit["id"], position_id=post["id"])
    )
    await hr.employee(employee_number="N-2", terms=make_terms(elsewhere["id"]))
    ids = lambda r: [x["id"] for x in r.json()["items"]]  # noqa: E731
    assert ids(await hr.get(f"/hr/v1/employees?position_id={post['id']}")) == [holder["id"]]
    assert ids(await hr.get("/hr/v1/employees?employee_number=N-1")) == [holder["id"]]
    assert ids(await hr.get("/hr/v1/positions?code=FIND-ME")) == [post["id"]]
    assert ids(await hr.get(f"/hr/v1/positions?org_unit_id={unit['id']}")) == [post["id"]]

    async def book(start: str, end: str, kind: str = "annual") -> str:
        r = await hr.post(
            f"/hr/v1/employees/{holder['id']}/absences",
            json={"leave_type": kind, "start_date": start, "end_date": end},
        )
        assert r.status_code == 201, r.text
        return r.json()["id"]

    march, april, may = (
        await book("2026-03-02", "2026-03-03"),
        await book("2026-04-07", "2026-04-08", "sick"),
        await book("2026-05-05", "2026-05-06"),
    )
    await hr.post(f"/hr/v1/absences/{april}/reject")
    await hr.post(f"/hr/v1/absences/{may}/approve")
    base = f"/hr/v1/absences?employee_id={holder['id']}"
    assert ids(await hr.get(f"{base}&status=approved")) == [may]
    assert ids(await hr.get(f"{base}&status=rejected")) == [april]
    assert ids(await hr.get(f"{base}&leave_type=annual")) == [march, may]
    assert ids(await hr.get(f"{base}&from=2026-04-08&to=2026-05-05")) == [april, may]
    own = f"/hr/v1/employees/{holder['id']}/absences?status=requested"
    assert ids(await hr.get(own)) == [march]


async def test_every_employee_field_changes_and_clears_the_same(hr, make_employee_body):
    body = make_employee_body(
        national_insurance_number="AB123456C",
        date_of_birth="1990-05-01",
        work_email="a@example.gov.uk",
        user_subject="sub-1",
        bank_details={"sort_code": "123456", "account_number": "12345678", "account_name": "A"},
        payroll={"tax_code": "1257L", "ni_category": "A", "student_loan_plans": ["plan_1"]},
    )
    created = (await hr.post("/hr/v1/employees", json=body)).json()
    url = f"/hr/v1/employees/{created['id']}"
    changes = {
        "employee_number": "RENUMBERED",
        "first_name": "Augusta",
        "last_name": "King",
        "work_email": "ak@example.gov.uk",
        "user_subject": "sub-2",
        "date_of_birth": "1991-06-02",
        "national_insurance_number": "CE000000D",
        "home_region": "wales",
        "payroll": {
            "tax_code": "C1257L",
            "ni_category": "B",
            "student_loan_plans": ["plan_2", "plan_4"],
            "postgraduate_loan": True,
            "pension_scheme": "alpha",
        },
        "bank_details": {"sort_code": "654321", "account_number": "87654321", "account_name": "K"},
    }
    r = await hr.patch(url, json=changes, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert (await hr.get(url)).json() == changed
    assert changed["payroll"]["student_loan_plans"] == ["plan_2", "plan_4"]
    assert changed["bank_details"]["sort_code"] == "654321"
    cleared = await hr.patch(
        url,
        json={
            "work_email": None,
            "user_subject": None,
            "date_of_birth": None,
            "national_insurance_number": None,
            "bank_details": None,
            "payroll": {"tax_code": None, "student_loan_plans": []},
        },
        headers={"If-Match": '"2"'},
    )
    assert cleared.status_code == 200, cleared.text
    after = (await hr.get(url)).json()
    assert after == cleared.json() and after["version"] == 3
    for field in ("work_email", "user_subject", "date_of_birth", "national_insurance_number"):
        assert after[field] is None, field
    assert after["bank_details"] is None and after["payroll"]["student_loan_plans"] == []
    assert (await hr.get("/hr/v1/employees?employee_number=RENUMBERED")).json()["items"]


async def test_moves_and_renames_of_units_positions_and_leave_types(hr, make_terms):
    top, other_top = await hr.org_unit("TOP"), await hr.org_unit("OTHER-TOP")
    child = await hr.org_unit("CHILD", parent_id=top["id"])
    post = await hr.position(child["id"])
    match = {"If-Match": '"1"'}
    r = await hr.patch(
        f"/hr/v1/org-units/{child['id']}",
        json={"parent_id": None, "code": "RENAMED"},
        headers=match,
    )
    assert r.status_code == 200 and r.json()["parent_id"] is None
    assert (await hr.get(f"/hr/v1/org-units/{child['id']}")).json() == r.json()
    r = await hr.patch(
        f"/hr/v1/org-units/{child['id']}",
        json={"parent_id": other_top["id"]},
        headers={"If-Match": '"2"'},
    )
    assert r.json()["parent_id"] == other_top["id"]
    moved = await hr.patch(
        f"/hr/v1/positions/{post['id']}",
        json={"org_unit_id": top["id"], "code": "P-NEW", "grade": "G7"},
        headers=match,
    )
    assert moved.status_code == 200, moved.text
    assert (await hr.get(f"/hr/v1/positions/{post['id']}")).json() == moved.json()
    assert [p["id"] for p in (await hr.get("/hr/v1/positions?code=P-NEW")).json()["items"]] == [
        post["id"]
    ]
    sick = next(
        t for t in (await hr.get("/hr/v1/leave-types")).json()["items"] if t["code"] == "sick"
    )
    r = await hr.patch(
        "/hr/v1/leave-types/sick",
        json={"name": "Sick leave", "paid": False},
        headers={"If-Match": f'"{sick["version"]}"'},
    )
    assert (r.json()["name"], r.json()["paid"], r.json()["version"]) == (
        "Sick leave",
        False,
        sick["version"] + 1,
    )


async def test_a_change_before_the_first_terms_row_is_inserted_before_it(hr, make_terms):
    unit, later_unit = await hr.org_unit(), await hr.org_unit()
    e = await hr.employee(terms={})
    url = f"/hr/v1/employees/{e['id']}/terms"
    r = await hr.post(url, json={"effective_from": "2025-01-01", **make_terms(later_unit["id"])})
    assert r.status_code == 201, r.text
    first = r.json()
    r = await hr.post(
        url, json={"effective_from": "2024-06-01", **make_terms(unit["id"], fte="0.5")}
    )
    assert r.status_code == 201, r.text
    assert r.json()["effective_to"] == "2024-12-31"
    history = (await hr.get(url)).json()["items"]
    assert [(t["effective_from"], t["effective_to"], t["fte"]) for t in history] == [
        ("2024-06-01", "2024-12-31", "0.5"),
        ("2025-01-01", None, "1"),
    ]
    assert history[1]["id"] == first["id"] and history[1]["version"] == first["version"]
    got = await hr.get(f"{url}/{first['id']}")
    assert got.json() == history[1]


async def test_an_employee_number_taken_by_a_concurrent_request_is_refused(hr, make_employee_body):
    answers = await asyncio.gather(
        *[
            hr.post("/hr/v1/employees", json=make_employee_body(employee_number="SAME"))
            for _ in range(3)
        ]
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409]
    listed = (await hr.get("/hr/v1/employees?employee_number=SAME")).json()["items"]
    assert len(listed) == 1
