"""Writing: upsert per-row results, create, MERGE/PATCH/PUT/DELETE with ETags, deep insert,
terminations, time off and the validation rules."""

from __future__ import annotations

from typing import Any

import httpx

ROOT = "/odata/v2"
EMPLOYMENT = f"{ROOT}/EmpEmployment(personIdExternal='p1',userId='u1')"


async def test_upsert_reports_each_row_and_keeps_the_good_ones(
    client: httpx.AsyncClient, sf: Any
) -> None:
    results = await sf.upsert(
        {"__metadata": {"uri": "PerPerson"}, "personIdExternal": "p1"},
        {"__metadata": {"uri": "PerPerson"}, "personIdExternal": "p2", "dateOfBirth": "not a date"},
        {"__metadata": {"type": "SFOData.PerPerson"}, "personIdExternal": "p3"},
        {"__metadata": {"uri": "PerPerson"}, "personIdExternal": "p1", "placeOfBirth": "London"},
    )
    assert [(r["status"], r["editStatus"], r["httpCode"], r["index"]) for r in results] == [
        ("OK", "INSERTED", 201, 0),
        ("ERROR", None, 400, 1),
        ("OK", "INSERTED", 201, 2),
        ("OK", "UPSERTED", 200, 3),
    ]
    assert results[0]["key"] == "PerPerson/personIdExternal=p1"
    assert "dateOfBirth" in results[1]["message"]
    people = await sf.get("PerPerson", **{"$select": "personIdExternal,placeOfBirth"})
    assert [(p["personIdExternal"], p["placeOfBirth"]) for p in people["results"]] == [
        ("p1", "London"),
        ("p3", None),
    ]


async def test_upsert_with_key_in_uri_and_bad_metadata(client: httpx.AsyncClient, sf: Any) -> None:
    results = await sf.upsert(
        {"__metadata": {"uri": "http://sf.test/odata/v2/PerPerson('p9')"}, "placeOfBirth": "Leeds"},
        {"personIdExternal": "p8"},
        {"__metadata": {"uri": "Shoe"}, "size": 9},
    )
    assert [r["status"] for r in results] == ["OK", "ERROR", "ERROR"]
    assert (await sf.get("PerPerson('p9')"))["placeOfBirth"] == "Leeds"
    bad = await client.post(f"{ROOT}/upsert", json="nonsense")
    assert bad.status_code == 400


async def test_create_then_duplicate(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{ROOT}/PerPerson", json={"personIdExternal": "p1"})
    assert response.status_code == 201
    assert response.headers["location"] == "http://sf.test/odata/v2/PerPerson('p1')"
    assert response.json()["d"]["personId"] == "10001"
    again = await client.post(f"{ROOT}/PerPerson", json={"personIdExternal": "p1"})
    assert again.status_code == 409


async def test_merge_needs_if_match(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.hire()
    path = f"{ROOT}/PerPerson('p1')"
    first = await client.get(path)
    tag = first.headers["etag"]
    assert tag == first.json()["d"]["__metadata"]["etag"]

    missing = await client.patch(path, json={"placeOfBirth": "York"})
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "COE_PRECONDITION_REQUIRED"

    ok = await client.patch(path, json={"placeOfBirth": "York"}, headers={"If-Match": tag})
    assert ok.status_code == 204
    assert ok.headers["etag"] != tag

    stale = await client.patch(path, json={"placeOfBirth": "Hull"}, headers={"If-Match": tag})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "COE_PRECONDITION_FAILED"

    tunnelled = await client.post(
        path,
        json={"placeOfBirth": "Hull"},
        headers={"X-HTTP-Method": "MERGE", "If-Match": ok.headers["etag"]},
    )
    assert tunnelled.status_code == 204
    assert (await sf.get("PerPerson('p1')"))["placeOfBirth"] == "Hull"
    star = await client.request(
        "MERGE", path, json={"countryOfBirth": "GBR"}, headers={"If-Match": "*"}
    )
    assert star.status_code == 204


async def test_put_replaces_and_keys_cannot_change(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.upsert_ok(
        {
            "__metadata": {"uri": "PerPerson"},
            "personIdExternal": "p1",
            "placeOfBirth": "York",
            "countryOfBirth": "GBR",
        }
    )
    path = f"{ROOT}/PerPerson('p1')"
    put = await client.put(path, json={"countryOfBirth": "FRA"}, headers={"If-Match": "*"})
    assert put.status_code == 204
    after = await sf.get("PerPerson('p1')")
    assert (after["placeOfBirth"], after["countryOfBirth"]) == (None, "FRA")
    rekey = await client.patch(path, json={"personIdExternal": "p2"}, headers={"If-Match": "*"})
    assert rekey.status_code == 400


async def test_delete_needs_if_match(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.hire()
    await sf.upsert_ok(
        {
            "__metadata": {"uri": "PerEmail"},
            "personIdExternal": "p1",
            "emailType": "B",
            "emailAddress": "ada@example.gov.uk",
        }
    )
    path = f"{ROOT}/PerEmail(emailType='B',personIdExternal='p1')"
    assert (await client.delete(path)).status_code == 428
    tag = (await client.get(path)).headers["etag"]
    assert (await client.delete(path, headers={"If-Match": tag})).status_code == 204
    assert (await client.get(path)).status_code == 404


async def test_validation_messages(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.hire()
    results = await sf.upsert(
        {
            "__metadata": {"uri": "PerNationalId"},
            "personIdExternal": "p1",
            "country": "GBR",
            "cardType": "NINO",
            "nationalId": "QQ 12 34 56 C",
        },
        {
            "__metadata": {"uri": "PerNationalId"},
            "personIdExternal": "p1",
            "country": "GBR",
            "cardType": "NINO",
            "nationalId": "ab 12 34 56 c",
        },
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": "u1",
            "startDate": sf.date("2022-01-01"),
            "emplStatus": "ZOMBIE",
        },
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": "u1",
            "startDate": sf.date("2022-01-01"),
            "shoeSize": 9,
        },
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": "u1",
            "startDate": sf.date("2022-01-01"),
            "endDate": sf.date("2022-02-01"),
        },
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": "u1",
            "startDate": sf.date("2022-01-01"),
            "department": "NOPE",
        },
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": "u1",
            "startDate": sf.date("2022-01-01"),
            "fte": "1.5",
        },
        {
            "__metadata": {"uri": "PerPersonal"},
            "personIdExternal": "p1",
            "startDate": sf.date("2022-01-01"),
            "firstName": None,
        },
    )
    statuses = [r["status"] for r in results]
    assert statuses == ["ERROR", "OK", "ERROR", "ERROR", "ERROR", "ERROR", "ERROR", "ERROR"]
    assert "National Insurance" in results[0]["message"]
    assert "picklist" in results[2]["message"]
    assert "shoeSize" in results[3]["message"]
    assert "upsertable" in results[4]["message"]
    assert "NOPE" in results[5]["message"]
    nid = await sf.get("PerNationalId(country='GBR',cardType='NINO',personIdExternal='p1')")
    assert nid["nationalId"] == "AB123456C"


async def test_deep_insert_of_payment_information(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.hire()
    results = await sf.upsert(
        {
            "__metadata": {"uri": "PaymentInformationV3"},
            "worker": "u1",
            "effectiveStartDate": sf.date("2021-04-01"),
            "toPaymentInformationDetailV3": {
                "results": [
                    {
                        "accountNumber": "31926819",
                        "routingNumber": "60-16-13",
                        "accountOwner": "A Lovelace",
                        "percent": "100",
                    }
                ]
            },
        },
        {
            "__metadata": {"uri": "PaymentInformationDetailV3"},
            "PaymentInformationV3_worker": "u1",
            "PaymentInformationV3_effectiveStartDate": sf.date("2021-04-01"),
            "accountNumber": "123",
            "routingNumber": "601613",
        },
    )
    assert [r["status"] for r in results] == ["OK", "ERROR"]
    info = await sf.get("PaymentInformationV3", **{"$expand": "toPaymentInformationDetailV3"})
    detail = info["results"][0]["toPaymentInformationDetailV3"]["results"][0]
    assert (detail["routingNumber"], detail["accountNumber"], detail["externalCode"]) == (
        "601613",
        "31926819",
        "1",
    )
    assert detail["__metadata"]["uri"].endswith(
        "PaymentInformationDetailV3(PaymentInformationV3_effectiveStartDate=datetime'2021-04-01T00:00:00',"
        "PaymentInformationV3_worker='u1',externalCode=1L)"
    )


async def test_termination_ends_employment_and_adds_a_terminated_record(
    client: httpx.AsyncClient, sf: Any
) -> None:
    await sf.hire(start="2021-04-01")
    results = await sf.upsert_ok(
        {
            "__metadata": {"uri": "EmpEmploymentTermination"},
            "personIdExternal": "p1",
            "userId": "u1",
            "endDate": sf.date("2024-06-30"),
            "eventReason": "TERRESIGN",
        }
    )
    assert results[0]["editStatus"] == "INSERTED"
    employment = await sf.get("EmpEmployment(personIdExternal='p1',userId='u1')")
    assert employment["endDate"] == sf.date("2024-06-30")
    last_day = await sf.get("EmpJob", asOfDate="2024-06-30")
    after = await sf.get("EmpJob", asOfDate="2024-07-01")
    assert last_day["results"][0]["emplStatus"] == "A"
    assert (after["results"][0]["emplStatus"], after["results"][0]["event"]) == ("T", "26")

    path = f"{ROOT}/EmpEmploymentTermination(personIdExternal='p1',userId='u1')"
    assert (await client.delete(path, headers={"If-Match": "*"})).status_code == 204
    assert (await sf.get("EmpJob", asOfDate="2024-07-01"))["results"][0]["emplStatus"] == "A"
    assert (await sf.get("EmpEmployment(personIdExternal='p1',userId='u1')"))["endDate"] is None


async def test_time_off_approval_and_overlap(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.hire()
    types = await sf.get("TimeType", **{"$select": "externalCode"})
    assert "ANNUAL_LEAVE" in [t["externalCode"] for t in types["results"]]
    created = await client.post(
        f"{ROOT}/EmployeeTime",
        json={
            "externalCode": "abs-1",
            "userId": "u1",
            "timeType": "ANNUAL_LEAVE",
            "startDate": sf.date("2024-03-04"),
            "endDate": sf.date("2024-03-10"),
        },
    )
    assert created.status_code == 201, created.text
    absence = created.json()["d"]
    assert (absence["approvalStatus"], absence["quantityInDays"]) == ("PENDING", "5")
    path = f"{ROOT}/EmployeeTime('abs-1')"
    approve = await client.patch(
        path, json={"approvalStatus": "APPROVED"}, headers={"If-Match": created.headers["etag"]}
    )
    assert approve.status_code == 204
    results = await sf.upsert(
        {
            "__metadata": {"uri": "EmployeeTime"},
            "userId": "u1",
            "timeType": "SICKNESS",
            "startDate": sf.date("2024-03-08"),
            "endDate": sf.date("2024-03-08"),
        },
        {"__metadata": {"uri": "EmployeeTime('abs-1')"}, "approvalStatus": "REJECTED"},
        {
            "__metadata": {"uri": "EmployeeTime"},
            "userId": "u1",
            "timeType": "DUVET_DAY",
            "startDate": sf.date("2024-05-01"),
            "endDate": sf.date("2024-05-01"),
        },
    )
    assert [r["status"] for r in results] == ["ERROR", "ERROR", "ERROR"]
    assert "overlaps" in results[0]["message"]
    assert "APPROVED to REJECTED" in results[1]["message"]
    cancel = await client.patch(
        path, json={"approvalStatus": "CANCELLED"}, headers={"If-Match": "*"}
    )
    assert cancel.status_code == 204
    after = await sf.upsert_ok(
        {
            "__metadata": {"uri": "EmployeeTime"},
            "userId": "u1",
            "timeType": "SICKNESS",
            "startDate": sf.date("2024-03-08"),
            "endDate": sf.date("2024-03-08"),
        }
    )
    assert after[0]["key"].startswith("EmployeeTime/externalCode=")


async def test_pay_component_salary(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.hire()
    await sf.upsert_ok(
        {
            "__metadata": {"uri": "EmpPayCompRecurring"},
            "userId": "u1",
            "payComponent": "BASE_SALARY",
            "startDate": sf.date("2021-04-01"),
            "paycompvalue": "30000",
        },
        {
            "__metadata": {"uri": "EmpPayCompRecurring"},
            "userId": "u1",
            "payComponent": "BASE_SALARY",
            "startDate": sf.date("2022-04-01"),
            "paycompvalue": 33000.5,
        },
    )
    d = await sf.get("EmpPayCompRecurring", fromDate="1900-01-01", **{"$filter": "userId eq 'u1'"})
    assert [(r["paycompvalue"], r["frequency"], r["endDate"]) for r in d["results"]] == [
        ("30000.00", "ANN", sf.date("2022-03-31")),
        ("33000.50", "ANN", sf.date("9999-12-31")),
    ]
