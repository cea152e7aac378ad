"""Employees over the API: create, read, correct, list and audit, with the rules a client
would notice (NI number format, unique numbers, If-Match, sensitive fields, idempotency)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

SENSITIVE = ("national_insurance_number", "date_of_birth", "bank_details")


def full_body(make_employee_body, **fields):
    return make_employee_body(
        national_insurance_number="ab 12 34 56 c",
        date_of_birth="1990-05-01",
        work_email="ada.lovelace@example.gov.uk",
        bank_details={"sort_code": "12-34-56", "account_number": "12345678", "account_name": "A L"},
        payroll={"tax_code": "s1257l", "ni_category": "a", "student_loan_plans": ["plan_2"]},
        **fields,
    )


@pytest.mark.sqlite
async def test_create_answers_201_with_location_etag_and_normalised_fields(hr, make_employee_body):
    r = await hr.post("/hr/v1/employees", json=full_body(make_employee_body))
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == f"/hr/v1/employees/{body['id']}"
    assert r.headers["etag"] == '"1"'
    assert body["national_insurance_number"] == "AB123456C"
    assert body["bank_details"] == {
        "sort_code": "123456",
        "account_number": "12345678",
        "account_name": "A L",
    }
    assert body["payroll"]["tax_code"] == "S1257L"
    assert body["payroll"]["ni_category"] == "A"
    assert body["status"] == "active"
    fetched = await hr.get(r.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert fetched.headers["etag"] == '"1"'


@pytest.mark.parametrize(
    "nino",
    [
        "DA123456A",  # D first
        "AF123456A",  # F second
        "QQ123456C",  # Q (HMRC's own example of a number never issued)
        "IA123456A",
        "UA123456A",
        "VA123456A",
        "AO123456A",  # O second
        "BG123456A",
        "GB123456A",
        "NK123456A",
        "KN123456A",
        "TN123456A",
        "NT123456A",
        "ZZ123456A",
        "AB123456E",  # suffix beyond D
        "AB12345A",  # five digits
        "AB1234567",  # no suffix
        "12345678A",
    ],
)
async def test_invalid_national_insurance_number_is_422_and_writes_nothing(
    hr, make_employee_body, nino
):
    r = await hr.post("/hr/v1/employees", json=make_employee_body(national_insurance_number=nino))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["national_insurance_number"]
    assert (await hr.get("/hr/v1/employees")).json()["items"] == []


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        (
            "bank_details",
            {"sort_code": "12345", "account_number": "12345678", "account_name": "X"},
            "bank_details.sort_code",
        ),
        (
            "bank_details",
            {"sort_code": "123456", "account_number": "1234567", "account_name": "X"},
            "bank_details.account_number",
        ),
        ("payroll", {"tax_code": "1257Q"}, "payroll.tax_code"),
        ("payroll", {"ni_category": "G"}, "payroll.ni_category"),
        ("payroll", {"student_loan_plans": ["plan_3"]}, "payroll.student_loan_plans.0"),
        ("home_region", "cornwall", "home_region"),
        ("date_of_birth", "2015-01-01", "date_of_birth"),  # eight on the start date
        ("employee_number", "", "employee_number"),
        ("tenant", "someone-else", "tenant"),  # no mass assignment
    ],
)
async def test_bad_fields_are_422_naming_the_field(hr, make_employee_body, field, value, where):
    r = await hr.post("/hr/v1/employees", json=make_employee_body(**{field: value}))
    assert r.status_code == 422, r.text
    assert where in [e["field"] for e in r.json()["errors"]]


@pytest.mark.sqlite
async def test_sensitive_fields_are_absent_without_hr_sensitive(hr, make_employee_body):
    created = (await hr.post("/hr/v1/employees", json=full_body(make_employee_body))).json()
    reader = hr.as_(scopes="hr:read")
    one = (await reader.get(f"/hr/v1/employees/{created['id']}")).json()
    listed = (await reader.get("/hr/v1/employees")).json()["items"]
    assert [e["id"] for e in listed] == [created["id"]]
    for employee in (one, listed[0]):
        for field in SENSITIVE:
            assert field not in employee
        assert employee["payroll"]["tax_code"] == "S1257L"  # not sensitive
    # A writer without hr:sensitive does not get them back from its own create either.
    writer = hr.as_(scopes="hr:read hr:write")
    mine = await writer.post("/hr/v1/employees", json=make_employee_body())
    assert mine.status_code == 201
    assert not set(SENSITIVE) & set(mine.json())
    # With the scope they are there, null when not recorded.
    theirs = (await hr.get(f"/hr/v1/employees/{mine.json()['id']}")).json()
    assert theirs["national_insurance_number"] is None and theirs["bank_details"] is None


async def test_writing_sensitive_fields_needs_hr_sensitive(hr, make_employee_body):
    writer = hr.as_(scopes="hr:read hr:write")
    r = await writer.post("/hr/v1/employees", json=full_body(make_employee_body))
    assert r.status_code == 403
    assert r.json()["type"] == "urn:sop:problem:sensitive-fields"
    assert (await hr.get("/hr/v1/employees")).json()["items"] == []
    e = await hr.employee()
    r = await writer.patch(
        f"/hr/v1/employees/{e['id']}",
        json={"national_insurance_number": None},
        headers={"If-Match": '"1"'},
    )
    assert r.status_code == 403


async def test_duplicate_employee_number_is_409(hr, make_employee_body):
    await hr.employee(employee_number="E100")
    r = await hr.post("/hr/v1/employees", json=make_employee_body(employee_number="E100"))
    assert r.status_code == 409
    assert r.json()["type"] == "urn:sop:problem:duplicate-employee-number"
    assert len((await hr.get("/hr/v1/employees")).json()["items"]) == 1


@pytest.mark.sqlite
async def test_patch_needs_if_match_428_and_a_stale_one_is_412(hr):
    e = await hr.employee()
    url = f"/hr/v1/employees/{e['id']}"
    assert (await hr.patch(url, json={"last_name": "Byron"})).status_code == 428
    stale = await hr.patch(url, json={"last_name": "Byron"}, headers={"If-Match": '"9"'})
    assert stale.status_code == 412
    ok = await hr.patch(url, json={"last_name": "Byron"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"2"' and ok.json()["last_name"] == "Byron"
    again = await hr.patch(url, json={"last_name": "King"}, headers={"If-Match": '"1"'})
    assert again.status_code == 412
    assert (await hr.get(url)).json()["last_name"] == "Byron"


async def test_patch_changes_only_what_is_sent(hr, make_employee_body):
    e = (await hr.post("/hr/v1/employees", json=full_body(make_employee_body))).json()
    r = await hr.patch(
        f"/hr/v1/employees/{e['id']}",
        json={"payroll": {"postgraduate_loan": True}, "work_email": None},
        headers={"If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["payroll"] == {**e["payroll"], "postgraduate_loan": True}
    assert after["work_email"] is None
    assert after["national_insurance_number"] == "AB123456C"
    for field in ("first_name", "bank_details", "date_of_birth", "start_date"):
        assert after[field] == e[field]


async def test_patch_refuses_nulls_for_required_fields_unknown_fields_and_taken_numbers(hr):
    first = await hr.employee(employee_number="E1")
    e = await hr.employee(employee_number="E2")
    url = f"/hr/v1/employees/{e['id']}"
    for body, status in (
        ({"first_name": None}, 422),
        ({"start_date": "2020-01-01"}, 422),  # changes through its own operation
        ({"leaving_date": "2030-01-01"}, 422),
        ({"employee_number": first["employee_number"]}, 409),
    ):
        r = await hr.patch(url, json=body, headers={"If-Match": '"1"'})
        assert r.status_code == status, (body, r.text)
    assert (await hr.get(url)).json()["version"] == 1


async def test_same_idempotency_key_creates_one_employee(hr, make_employee_body):
    body = make_employee_body()
    key = {"Idempotency-Key": "create-ada-once"}
    first = await hr.post("/hr/v1/employees", json=body, headers=key)
    second = await hr.post("/hr/v1/employees", json=body, headers=key)
    assert first.status_code == second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    racing = await asyncio.gather(
        *[
            hr.post(
                "/hr/v1/employees",
                json=make_employee_body(employee_number="RACE"),
                headers={"Idempotency-Key": "race"},
            )
            for _ in range(4)
        ]
    )
    assert {r.status_code for r in racing} <= {201, 409}
    numbers = [e["employee_number"] for e in (await hr.get("/hr/v1/employees")).json()["items"]]
    assert sorted(numbers) == sorted([body["employee_number"], "RACE"])


async def test_audit_keeps_before_and_after_and_masks_sensitive_fields(hr, make_employee_body):
    e = (await hr.post("/hr/v1/employees", json=full_body(make_employee_body))).json()
    await hr.patch(
        f"/hr/v1/employees/{e['id']}",
        json={"national_insurance_number": "CE 00 00 00 D", "last_name": "King"},
        headers={"If-Match": '"1"'},
    )
    query = f"/hr/v1/audit-events?resource_type=employee&resource_id={e['id']}"
    masked = (await hr.as_(scopes="hr:read").get(query)).json()["items"]
    assert [a["action"] for a in masked] == ["employee.created", "employee.updated"]
    updated = masked[1]
    assert updated["before"]["last_name"] == "Lovelace" and updated["after"]["last_name"] == "King"
    assert updated["before"]["national_insurance_number"] == "***"
    assert updated["after"]["bank_details"] == "***"
    assert updated["actor"] == "hr-officer"
    full = (await hr.get(query)).json()["items"][1]
    assert full["before"]["national_insurance_number"] == "AB123456C"
    assert full["after"]["national_insurance_number"] == "CE000000D"


@pytest.mark.sqlite
async def test_list_filters_by_status_org_unit_and_updated_since_in_keyset_pages(hr):
    today = date.today()
    unit = await hr.org_unit()
    active = await hr.employee(terms=terms(unit["id"]))
    future = await hr.employee(
        start_date=(today + timedelta(days=30)).isoformat(), terms=terms(unit["id"])
    )
    leaver = await hr.employee()
    r = await hr.post(
        f"/hr/v1/employees/{leaver['id']}/leave",
        json={"leaving_date": "2025-06-30", "reason": "resignation"},
    )
    assert r.status_code == 200, r.text

    async def ids(query: str) -> list[str]:
        r = await hr.get(f"/hr/v1/employees?{query}")
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json()["items"]]

    assert await ids("status=active") == [active["id"]]
    assert await ids("status=not_started") == [future["id"]]
    assert await ids("status=left") == [leaver["id"]]
    assert await ids("status=active&as_of=2025-06-30") == [active["id"], leaver["id"]]
    assert await ids(f"org_unit_id={unit['id']}") == [active["id"]]  # future starts later
    later = (today + timedelta(days=31)).isoformat()
    assert await ids(f"org_unit_id={unit['id']}&as_of={later}") == [active["id"], future["id"]]

    mark = datetime.now(UTC).isoformat()
    await hr.patch(
        f"/hr/v1/employees/{active['id']}",
        json={"first_name": "Augusta"},
        headers={"If-Match": '"1"'},
    )
    assert await ids(f"updated_since={mark.replace('+00:00', 'Z')}") == [active["id"]]

    seen, url = [], "/hr/v1/employees?limit=2"
    while url:
        r = await hr.get(url)
        seen += [e["id"] for e in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        assert ('rel="next"' in r.headers.get("link", "")) == bool(cursor)
        url = f"/hr/v1/employees?limit=2&cursor={cursor}" if cursor else None
    assert seen == [active["id"], future["id"], leaver["id"]]
    assert (await hr.get("/hr/v1/employees?cursor=nonsense")).status_code == 422


def terms(org_unit_id: str, **fields):
    return {
        "org_unit_id": org_unit_id,
        "grade": "EO",
        "fte": "1",
        "annual_salary": "30000.00",
        "pay_frequency": "monthly",
        "contract_type": "permanent",
        **fields,
    }


async def test_reads_need_hr_read_and_writes_hr_write(hr, make_employee_body):
    assert (await hr.client.get("/hr/v1/employees")).status_code == 401
    no_read = hr.as_(scopes="hr:write")
    assert (await no_read.get("/hr/v1/employees")).status_code == 403
    read_only = hr.as_(scopes="hr:read")
    r = await read_only.post("/hr/v1/employees", json=make_employee_body())
    assert r.status_code == 403 and "hr:write" in r.json()["detail"]


async def test_an_idempotency_key_replays_only_to_its_subject_with_the_same_scopes(
    hr, make_employee_body
):
    """Two people using one OAuth client: the one without hr:sensitive never receives the
    other's stored response (NI number, date of birth) by sending the same key and body."""
    body = full_body(make_employee_body)
    key = {"Idempotency-Key": "shared-client-create"}
    first = await hr.post("/hr/v1/employees", json=body, headers=key)
    assert first.status_code == 201 and first.json()["national_insurance_number"]
    clerk = hr.as_(subject="clerk", scopes="hr:read hr:write")
    taken = await clerk.post("/hr/v1/employees", json=body, headers=key)
    assert "idempotent-replayed" not in taken.headers
    assert "AB123456C" not in taken.text and "1990-05-01" not in taken.text
    assert taken.status_code == 403, taken.text  # a fresh request, which needs hr:sensitive
    # The same person, now without hr:sensitive: refused, naming the key, not replayed.
    demoted = hr.as_(scopes="hr:read hr:write")
    refused = await demoted.post("/hr/v1/employees", json=body, headers=key)
    assert refused.status_code == 422, refused.text
    assert "AB123456C" not in refused.text and "1990-05-01" not in refused.text
    assert refused.json()["errors"][0]["field"] == "Idempotency-Key"
    assert "hr:sensitive" in refused.json()["detail"]
    again = await hr.post("/hr/v1/employees", json=body, headers=key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
