"""Creating and changing records: nested create, validation errors, ETags, upsert, delete."""

from __future__ import annotations

from typing import Any

import httpx

BASE = "/hcmRestApi/resources/11.13.18.05"
FSCM = "/fscmRestApi/resources/11.13.18.05"
ADF_ERROR = "application/vnd.oracle.adf.error+json"


async def test_nested_create_returns_the_tree_with_ids_and_uniq_ids(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    worker = await hcm.hire(nationalIdentifiers=[{"NationalIdentifierNumber": "ab 12 34 56 c"}])
    assert len(str(worker["PersonId"])) == 15
    assert worker["PersonNumber"] == "100001"
    assert worker["nationalIdentifiers"][0]["NationalIdentifierNumber"] == "AB123456C"
    assignment = worker["workRelationships"][0]["assignments"][0]
    assert assignment["EffectiveStartDate"] == "2021-04-01"
    assert assignment["AssignmentStatusType"] == "ACTIVE"
    href = hcm.self_href(worker)
    assert "/workers/00020000000EACED0005" in href
    fetched = await client.get(hcm.path(worker))
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "application/vnd.oracle.adf.resourceitem+json"
    assert fetched.json()["CreatedBy"] == "HCM.INTEGRATION"


async def test_create_answers_201_with_location_and_etag(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{BASE}/jobs", json={"JobCode": "ENG", "Name": "Engineer"})
    assert response.status_code == 201
    assert response.headers["location"].startswith(
        "http://oracle.test/hcmRestApi/resources/11.13.18.05/jobs/"
    )
    assert response.headers["etag"].strip('"').startswith("ACED0005")


async def test_validation_error_names_the_attribute(client: httpx.AsyncClient, hcm: Any) -> None:
    worker = await hcm.hire()
    assignment = worker["workRelationships"][0]["assignments"][0]
    response = await client.patch(
        hcm.path(assignment), json={"NormalHours": 200}, headers={"Accept": ADF_ERROR}
    )
    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0] == {
        "detail": "The normal hours 200 aren't valid for the frequency W.",
        "o:errorCode": "PER-1530021",
        "o:errorPath": "/NormalHours",
    }


async def test_read_only_unknown_and_badly_typed_attributes(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    worker = await hcm.hire()
    for body, path in (
        ({"PersonId": 1}, "/PersonId"),
        ({"ShoeSize": 9}, "/ShoeSize"),
        ({"DateOfBirth": "yesterday"}, "/DateOfBirth"),
    ):
        response = await client.patch(hcm.path(worker), json=body, headers={"Accept": ADF_ERROR})
        assert response.status_code == 400, body
        assert response.json()["o:errorDetails"][0]["o:errorPath"] == path


async def test_invalid_ni_number_and_missing_required(client: httpx.AsyncClient) -> None:
    bad_nino = await client.post(
        f"{BASE}/workers",
        json={
            "names": [{"LastName": "X"}],
            "nationalIdentifiers": [{"NationalIdentifierNumber": "QQ123"}],
        },
        headers={"Accept": ADF_ERROR},
    )
    assert bad_nino.status_code == 400
    assert bad_nino.json()["o:errorDetails"][0]["o:errorCode"] == "PER-1530010"
    no_name = await client.post(
        f"{BASE}/workers", json={"names": [{"FirstName": "X"}]}, headers={"Accept": ADF_ERROR}
    )
    assert no_name.status_code == 400
    assert no_name.json()["o:errorDetails"][0]["o:errorPath"] == "/LastName"
    # A failed nested create leaves nothing behind.
    assert (await client.get(f"{BASE}/workers")).json()["count"] == 0


async def test_references_resolve_by_id_or_code(client: httpx.AsyncClient, hcm: Any) -> None:
    dept = (
        await client.post(
            f"{BASE}/departments",
            json={"Name": "Finance", "CostCenter": "CC100", "EffectiveStartDate": "2020-01-01"},
        )
    ).json()
    child = await client.post(
        f"{BASE}/departments",
        json={
            "Name": "Payroll Team",
            "ParentOrganizationName": "Finance",
            "EffectiveStartDate": "2020-01-01",
        },
    )
    assert child.json()["ParentOrganizationId"] == dept["OrganizationId"]
    worker = await hcm.hire(assignment={"DepartmentName": "Payroll Team", "NormalHours": 37.5})
    assignment = worker["workRelationships"][0]["assignments"][0]
    assert assignment["DepartmentId"] == child.json()["OrganizationId"]
    missing = await client.post(
        f"{BASE}/positions",
        json={"PositionCode": "P1", "Name": "Clerk", "DepartmentName": "Nowhere"},
        headers={"Accept": ADF_ERROR},
    )
    assert missing.status_code == 400
    assert missing.json()["o:errorDetails"][0]["o:errorPath"] == "/DepartmentName"


async def test_if_match_with_a_stale_etag_is_412(client: httpx.AsyncClient, hcm: Any) -> None:
    worker = await hcm.hire()
    first = await client.get(hcm.path(worker))
    etag = first.headers["etag"]
    ok = await client.patch(
        hcm.path(worker), json={"TownOfBirth": "London"}, headers={"If-Match": etag}
    )
    assert ok.status_code == 200
    assert ok.headers["etag"] != etag
    stale = await client.patch(
        hcm.path(worker), json={"TownOfBirth": "Leeds"}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    fresh = await client.patch(
        hcm.path(worker), json={"TownOfBirth": "Leeds"}, headers={"If-Match": ok.headers["etag"]}
    )
    assert fresh.status_code == 200
    assert fresh.json()["TownOfBirth"] == "Leeds"


async def test_change_indicator_matches_etag_and_if_none_match(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    worker = await hcm.hire()
    response = await client.get(hcm.path(worker))
    indicator = response.json()["links"][0]["properties"]["changeIndicator"]
    assert response.headers["etag"].strip('"') == indicator
    not_modified = await client.get(hcm.path(worker), headers={"If-None-Match": indicator})
    assert not_modified.status_code == 304


async def test_upsert_mode_updates_the_matching_record(client: httpx.AsyncClient, hcm: Any) -> None:
    await hcm.hire()
    response = await client.post(
        f"{BASE}/workers",
        json={"PersonNumber": "100001", "TownOfBirth": "York"},
        headers={"Upsert-Mode": "true"},
    )
    assert response.status_code == 200
    assert response.json()["TownOfBirth"] == "York"
    assert (await client.get(f"{BASE}/workers")).json()["count"] == 1
    dated = await client.post(
        f"{BASE}/jobs", json={"JobCode": "J", "Name": "J"}, headers={"Upsert-Mode": "true"}
    )
    assert dated.status_code == 400


async def test_delete_child_and_405_on_workers(client: httpx.AsyncClient, hcm: Any) -> None:
    worker = await hcm.hire()
    email = worker["emails"][0]
    assert (await client.delete(hcm.path(email))).status_code == 204
    assert (await client.get(hcm.path(email))).status_code == 404
    assert (await client.delete(hcm.path(worker))).status_code == 405


async def test_wrong_content_type_and_bad_json(client: httpx.AsyncClient) -> None:
    wrong = await client.post(
        f"{BASE}/jobs", content=b"JobCode=1", headers={"Content-Type": "text/plain"}
    )
    assert wrong.status_code == 415
    broken = await client.post(
        f"{BASE}/jobs",
        content=b"{",
        headers={"Content-Type": "application/vnd.oracle.adf.resourceitem+json"},
    )
    assert broken.status_code == 400


async def test_payroll_relationship_and_bank_details(client: httpx.AsyncClient, hcm: Any) -> None:
    worker = await hcm.hire()
    relationships = (
        await client.get(
            f"{BASE}/payrollRelationships",
            params={"q": f"PersonId={worker['PersonId']}", "expand": "payrollAssignments"},
        )
    ).json()
    relationship = relationships["items"][0]
    assert relationship["PayrollRelationshipNumber"] == "100001"
    assert relationship["payrollAssignments"][0]["AssignmentNumber"] == "E100001"

    account = await client.post(
        f"{FSCM}/externalBankAccounts",
        json={
            "BankAccountNumber": "31926819",
            "BranchNumber": "60-16-13",
            "BankAccountName": "A Lovelace",
            "accountOwners": [{"AccountOwnerPartyIdentifier": worker["PersonId"]}],
        },
    )
    assert account.status_code == 201, account.text
    assert account.json()["BranchNumber"] == "601613"
    duplicate = await client.post(
        f"{FSCM}/externalBankAccounts",
        json={"BankAccountNumber": "31926819", "BranchNumber": "601613"},
    )
    assert duplicate.status_code == 400
    method = await client.post(
        f"{BASE}/personalPaymentMethods",
        json={
            "PayrollRelationshipNumber": "100001",
            "BankAccountId": account.json()["BankAccountId"],
            "EffectiveStartDate": "2021-04-01",
        },
    )
    assert method.status_code == 201, method.text
    assert method.json()["PersonNumber"] == "100001"
    assert method.json()["Percentage"] == 100
    # Bank accounts live under the financials API, not the HCM one.
    assert (await client.get(f"{BASE}/externalBankAccounts")).status_code == 404


async def test_salary_history_closes_the_previous_salary(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    worker = await hcm.hire()
    assignment = worker["workRelationships"][0]["assignments"][0]
    first = await client.post(
        f"{BASE}/salaries",
        json={
            "AssignmentId": assignment["AssignmentId"],
            "SalaryAmount": 30000,
            "DateFrom": "2021-04-01",
        },
    )
    assert first.status_code == 201, first.text
    assert first.json()["AnnualSalary"] == 30000
    raise_ = await client.post(
        f"{BASE}/salaries",
        json={
            "AssignmentNumber": "E100001",
            "SalaryAmount": 2750,
            "SalaryFrequencyCode": "MONTHLY",
            "DateFrom": "2022-04-01",
        },
    )
    assert raise_.status_code == 201, raise_.text
    assert raise_.json()["AnnualSalary"] == 33000
    history = (
        await client.get(
            f"{BASE}/salaries", params={"q": "PersonNumber='100001'", "orderBy": "DateFrom"}
        )
    ).json()["items"]
    assert [(s["DateFrom"], s["DateTo"]) for s in history] == [
        ("2021-04-01", "2022-03-31"),
        ("2022-04-01", "4712-12-31"),
    ]
    backdated = await client.post(
        f"{BASE}/salaries",
        json={
            "AssignmentId": assignment["AssignmentId"],
            "SalaryAmount": 1,
            "DateFrom": "2021-06-01",
        },
    )
    assert backdated.status_code == 400
