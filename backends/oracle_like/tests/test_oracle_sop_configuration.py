"""What the SOP deployment configures in the suite: departments and positions partitioned by
reference data set and business unit, descriptive flexfield segments, and absence types."""

from __future__ import annotations

from typing import Any

import httpx

BASE = "/hcmRestApi/resources/11.13.18.05"
ERROR_JSON = {"Accept": "application/vnd.oracle.adf.error+json"}


async def test_department_names_are_unique_per_set_and_position_codes_per_business_unit(
    client: httpx.AsyncClient,
) -> None:
    for set_code in ("HOME", "HMRC"):
        r = await client.post(
            f"{BASE}/departments",
            json={"Name": "Finance", "Title": "Finance", "SetCode": set_code},
        )
        assert r.status_code == 201, r.text
    clash = await client.post(
        f"{BASE}/departments", json={"Name": "Finance", "SetCode": "HOME"}, headers=ERROR_JSON
    )
    assert clash.status_code == 400
    assert clash.json()["o:errorDetails"][0]["o:errorCode"] == "PER-1530041"

    body = {"PositionCode": "P1", "Name": "Adviser", "GradeCode": "HEO", "FTE": 2}
    for unit in ("HOME", "HMRC"):
        r = await client.post(f"{BASE}/positions", json={**body, "BusinessUnitName": unit})
        assert r.status_code == 201, r.text
        assert (r.json()["GradeCode"], r.json()["FTE"]) == ("HEO", 2)
    clash = await client.post(
        f"{BASE}/positions", json={**body, "BusinessUnitName": "HOME"}, headers=ERROR_JSON
    )
    assert clash.json()["o:errorDetails"][0]["o:errorCode"] == "PER-1530048"
    found = await client.get(f"{BASE}/positions", params={"q": "BusinessUnitName='HMRC'"})
    assert [p["BusinessUnitName"] for p in found.json()["items"]] == ["HMRC"]


async def test_flexfield_segments_are_kept_and_an_assignments_split_with_it(hcm: Any) -> None:
    worker = await hcm.hire(
        assignment={
            "NormalHours": 37.5,
            "Frequency": "W",
            "annualSalary": 36000.5,
            "payFrequency": "monthly",
            "contractType": "permanent",
        },
        homeRegion="scotland",
        taxCode="S1257L",
        postgraduateLoan=True,
        bankSortCode="123456",
    )
    assert (worker["homeRegion"], worker["taxCode"], worker["postgraduateLoan"]) == (
        "scotland",
        "S1257L",
        True,
    )
    path = hcm.assignments_path(worker)
    [assignment] = await hcm.assignments(worker)
    changed = await hcm.client.patch(
        f"{path}/{assignment['AssignmentId']}",
        json={"annualSalary": 40000},
        headers={"Effective-Of": "RangeMode=UPDATE;RangeStartDate=2022-04-01"},
    )
    assert changed.status_code == 200, changed.text
    before = await hcm.assignments(worker, effectiveDate="2022-03-31")
    after = await hcm.assignments(worker, effectiveDate="2022-04-01")
    assert before[0]["annualSalary"] == 36000.5 and before[0]["EffectiveEndDate"] == "2022-03-31"
    assert (after[0]["annualSalary"], after[0]["payFrequency"]) == (40000, "monthly")


async def test_absence_types_belong_to_a_set_and_hold_an_entitlement(
    client: httpx.AsyncClient,
) -> None:
    body = {"AbsenceTypeCode": "ANNUAL", "Name": "Annual leave", "EntitlementDays": 25}
    for set_code in ("HOME", "HMRC"):
        r = await client.post(f"{BASE}/absenceTypes", json={**body, "SetCode": set_code})
        assert r.status_code == 201, r.text
    again = await client.post(
        f"{BASE}/absenceTypes", json={**body, "SetCode": "HOME"}, headers=ERROR_JSON
    )
    assert again.json()["o:errorDetails"][0]["o:errorCode"] == "ANC-1530020"
    home = (await client.get(f"{BASE}/absenceTypes", params={"q": "SetCode='HOME'"})).json()[
        "items"
    ]
    assert [(t["AbsenceTypeCode"], t["PaidFlag"]) for t in home] == [("ANNUAL", True)]
    url = f"{BASE}/absenceTypes/{home[0]['AbsenceTypeId']}"
    too_many = await client.patch(url, json={"EntitlementDays": 400}, headers=ERROR_JSON)
    assert too_many.json()["o:errorDetails"][0]["o:errorPath"] == "/EntitlementDays"
    ok = await client.patch(url, json={"EntitlementDays": 27.5, "Name": "Holiday"})
    assert (ok.json()["EntitlementDays"], ok.json()["Name"]) == (27.5, "Holiday")
