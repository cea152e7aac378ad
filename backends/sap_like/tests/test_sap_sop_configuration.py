"""What the SOP deployment configures in the suite: custom fields (cust_), a custom leave type
object, the contract type picklist, pooled positions, and client-sized server paging."""

from __future__ import annotations

from typing import Any

import httpx

ROOT = "/odata/v2"


async def test_custom_page_size_pages_with_next_links_that_keep_it(
    client: httpx.AsyncClient, sf: Any
) -> None:
    for i in range(5):
        await sf.department(f"D{i}", cust_company="home", cust_code=f"C{i}")
    await sf.department("X", cust_company="other")
    seen, url, pages = [], f"{ROOT}/FODepartment", 0
    params: dict[str, str] | None = {"$filter": "cust_company eq 'home'", "customPageSize": "2"}
    while url:
        r = await client.get(url, params=params)
        assert r.status_code == 200, r.text
        pages += 1
        body = r.json()["d"]
        seen += [d["cust_code"] for d in body["results"]]
        url, params = body.get("__next"), None
        if url:
            assert "customPageSize=2" in url and "$skiptoken=" in url
    assert (seen, pages) == (["C0", "C1", "C2", "C3", "C4"], 3)
    bad = await client.get(f"{ROOT}/FODepartment", params={"customPageSize": "0"})
    assert bad.status_code == 400
    assert bad.json()["error"]["innererror"]["errordetails"][0]["propertyref"] == "customPageSize"


async def test_employment_custom_fields_filter_and_the_termination_navigation(
    client: httpx.AsyncClient, sf: Any
) -> None:
    user = await sf.hire("p1")
    results = await sf.upsert_ok(
        {
            "__metadata": {"uri": "EmpEmployment"},
            "personIdExternal": "p1",
            "userId": user,
            "cust_company": "home",
            "cust_employeeNumber": "E1",
            "cust_postgraduateLoan": True,
        },
        {
            "__metadata": {"uri": "EmpEmploymentTermination"},
            "personIdExternal": "p1",
            "userId": user,
            "endDate": sf.date("2024-06-30"),
            "eventReason": "RESIGNATION",
        },
    )
    assert [r["editStatus"] for r in results] == ["UPSERTED", "INSERTED"]
    found = await sf.get(
        "EmpEmployment",
        **{
            "$filter": "cust_company eq 'home' and cust_employeeNumber eq 'E1'",
            "$expand": "empEmploymentTerminationNav",
        },
    )
    [employment] = found["results"]
    assert employment["cust_postgraduateLoan"] is True
    assert employment["endDate"] == sf.date("2024-06-30")
    [ending] = employment["empEmploymentTerminationNav"]["results"]
    assert ending["eventReason"] == "RESIGNATION"
    assert (await sf.get("EmpEmployment", **{"$filter": "cust_company eq 'x'"}))["results"] == []


async def test_leave_types_are_a_custom_object_unique_per_company(sf: Any) -> None:
    def leave_type(key: str, company: str, code: str = "annual") -> dict[str, Any]:
        return {
            "__metadata": {"uri": "cust_SOPLeaveType"},
            "externalCode": key,
            "externalName": "Annual leave",
            "cust_company": company,
            "cust_code": code,
            "cust_entitlementDays": "25",
        }

    await sf.upsert_ok(leave_type("k1", "home"), leave_type("k2", "hmrc"))
    [clash] = await sf.upsert(leave_type("k3", "home"))
    assert clash["status"] == "ERROR" and "already used" in clash["message"]
    home = await sf.get("cust_SOPLeaveType", **{"$filter": "cust_company eq 'home'"})
    assert [(t["externalCode"], t["cust_paid"]) for t in home["results"]] == [("k1", True)]


async def test_contract_types_and_pooled_positions_follow_the_customers_configuration(
    sf: Any,
) -> None:
    await sf.department("D1")
    [pooled, single] = await sf.upsert(
        {
            "__metadata": {"uri": "Position"},
            "code": "POOL",
            "effectiveStartDate": sf.date("2020-01-01"),
            "externalName_defaultValue": "Caseworkers",
            "targetFTE": "12.5",
            "multipleIncumbentsAllowed": True,
        },
        {
            "__metadata": {"uri": "Position"},
            "code": "ONE",
            "effectiveStartDate": sf.date("2020-01-01"),
            "externalName_defaultValue": "Director",
            "targetFTE": "2",
        },
    )
    assert pooled["status"] == "OK" and single["status"] == "ERROR"
    await sf.hire("p1", contractType="SECONDMENT")
    [job] = (await sf.get("EmpJob", **{"$filter": "userId eq 'u1'"}))["results"]
    assert job["contractType"] == "SECONDMENT"
