"""Reading: server paging with __next/$skiptoken, $top/$skip, $inlinecount, $count, $filter,
$select, $expand, $orderby, and the OData error envelope for bad queries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from sop_sap_like.app import create_app
from sop_sap_like.settings import SapLikeSettings

ROOT = "/odata/v2"


async def _people(sf: Any, n: int) -> None:
    await sf.upsert_ok(
        *(
            {
                "__metadata": {"uri": "PerPerson"},
                "personIdExternal": f"p{i:02d}",
                "countryOfBirth": "GBR" if i % 2 else "FRA",
            }
            for i in range(n)
        )
    )


@pytest.fixture
async def paged(tmp_path: Path) -> Any:
    settings = SapLikeSettings(
        env="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/p.db", page_size=2
    )
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sf.test",
        headers={"Authorization": "Bearer sop-dev-sap-token"},
    ) as client:
        yield client
    await app.state.engine.dispose()


async def test_server_paging_follows_next_links(paged: httpx.AsyncClient) -> None:
    response = await paged.post(
        f"{ROOT}/upsert",
        json=[{"__metadata": {"uri": "PerPerson"}, "personIdExternal": f"p{i}"} for i in range(5)],
    )
    assert response.status_code == 200
    url: str | None = f"{ROOT}/PerPerson?$inlinecount=allpages&$select=personIdExternal"
    seen: list[str] = []
    pages = 0
    while url:
        body = (await paged.get(url)).json()["d"]
        assert body["__count"] == "5"
        seen += [r["personIdExternal"] for r in body["results"]]
        url = body.get("__next")
        if url:
            assert "$skiptoken=" in url
            assert url.startswith("http://sf.test/odata/v2/PerPerson?")
        pages += 1
    assert pages == 3
    assert seen == [f"p{i}" for i in range(5)]


async def test_top_and_skip_with_server_paging(paged: httpx.AsyncClient) -> None:
    await paged.post(
        f"{ROOT}/upsert",
        json=[{"__metadata": {"uri": "PerPerson"}, "personIdExternal": f"p{i}"} for i in range(6)],
    )
    first = (await paged.get(f"{ROOT}/PerPerson", params={"$top": "3", "$skip": "1"})).json()["d"]
    assert [r["personIdExternal"] for r in first["results"]] == ["p1", "p2"]
    second = (await paged.get(first["__next"])).json()["d"]
    assert [r["personIdExternal"] for r in second["results"]] == ["p3"]
    assert "__next" not in second


async def test_bad_skiptoken_and_top(paged: httpx.AsyncClient) -> None:
    assert (
        await paged.get(f"{ROOT}/PerPerson", params={"$skiptoken": "garbage!"})
    ).status_code == 400
    assert (await paged.get(f"{ROOT}/PerPerson", params={"$top": "-1"})).status_code == 400
    assert (await paged.get(f"{ROOT}/PerPerson", params={"$shoesize": "9"})).status_code == 400


async def test_count_path(client: httpx.AsyncClient, sf: Any) -> None:
    await _people(sf, 4)
    response = await client.get(
        f"{ROOT}/PerPerson/$count", params={"$filter": "countryOfBirth eq 'GBR'"}
    )
    assert response.status_code == 200
    assert response.text == "2"


async def test_filter_operators(client: httpx.AsyncClient, sf: Any) -> None:
    await _people(sf, 6)

    async def ids(expr: str) -> list[str]:
        d = await sf.get("PerPerson", **{"$filter": expr, "$select": "personIdExternal"})
        return [r["personIdExternal"] for r in d["results"]]

    assert await ids("countryOfBirth eq 'FRA' and personIdExternal gt 'p01'") == ["p02", "p04"]
    assert await ids("personIdExternal eq 'p00' or personIdExternal eq 'p05'") == ["p00", "p05"]
    assert await ids("personIdExternal in 'p01', 'p03'") == ["p01", "p03"]
    assert await ids("personIdExternal in ('p01','p02')") == ["p01", "p02"]
    assert await ids("not (countryOfBirth ne 'GBR') and personIdExternal le 'p03'") == [
        "p01",
        "p03",
    ]
    assert await ids("personIdExternal ge 'p04' and personIdExternal lt 'p05'") == ["p04"]
    assert await ids("startswith(personIdExternal, 'p0') and endswith(personIdExternal,'5')") == [
        "p05"
    ]
    assert await ids("substringof('04', personIdExternal)") == ["p04"]
    assert await ids("tolower(countryOfBirth) eq 'fra' and personIdExternal like '%3'") == []
    assert await ids("dateOfBirth eq null and personIdExternal like '%3'") == ["p03"]


async def test_filter_dates_numbers_and_last_modified(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.department()
    user = await sf.hire(start="2021-04-01")
    d = await sf.get(
        "EmpJob",
        **{
            "$filter": f"userId eq '{user}' and fte ge 1 "
            "and startDate eq datetime'2021-04-01T00:00:00'"
        },
    )
    assert len(d["results"]) == 1
    assert d["results"][0]["fte"] == "1"
    assert (await sf.get("EmpJob", **{"$filter": "fte lt 0.5M"}))["results"] == []
    stamp = d["results"][0]["lastModifiedDateTime"]
    millis = int(stamp[6:-7])
    moment = datetime.fromtimestamp(millis / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    later = await sf.get(
        "EmpJob", **{"$filter": f"lastModifiedDateTime gt datetimeoffset'{moment}Z'"}
    )
    assert later["results"] == []
    since = await sf.get("EmpJob", **{"$filter": f"lastModifiedDateTime ge datetime'{moment}'"})
    assert len(since["results"]) == 1


async def test_filter_through_a_navigation(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.hire("p1", first="Ada", last="Lovelace")
    await sf.hire("p2", first="Grace", last="Hopper")
    d = await sf.get("PerPerson", **{"$filter": "personalInfoNav/lastName eq 'Hopper'"})
    assert [r["personIdExternal"] for r in d["results"]] == ["p2"]
    jobs = await sf.get(
        "EmpEmployment", **{"$filter": "jobInfoNav/fte eq 1 and personNav/personIdExternal eq 'p1'"}
    )
    assert [r["userId"] for r in jobs["results"]] == ["u1"]


async def test_bad_filters_answer_the_odata_error_envelope(client: httpx.AsyncClient) -> None:
    for expr, code in (
        ("personIdExternal eq", "COE_GENERAL_BAD_REQUEST"),
        ("personIdExternal eq 'unterminated", "COE_GENERAL_BAD_REQUEST"),
        ("shoeSize eq 9", "COE_PROPERTY_NOT_FOUND"),
        ("dateOfBirth eq 'yesterday'", "COE_GENERAL_BAD_REQUEST"),
        ("personIdExternal eq 'a' and (", "COE_GENERAL_BAD_REQUEST"),
    ):
        response = await client.get(f"{ROOT}/PerPerson", params={"$filter": expr})
        assert response.status_code == 400, expr
        error = response.json()["error"]
        assert error["code"] == code, expr
        assert error["message"]["lang"] == "en"
        assert error["message"]["value"]
        assert error["innererror"]["transactionid"]
        assert error["innererror"]["errordetails"][0]["severity"] == "error"


async def test_select_expand_and_deferred_navigations(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.department("D1")
    user = await sf.hire(department="D1")
    plain = await sf.get("EmpEmployment", **{"$filter": f"userId eq '{user}'"})
    entity = plain["results"][0]
    assert entity["__metadata"]["type"] == "SFOData.EmpEmployment"
    assert (
        entity["__metadata"]["uri"]
        == "http://sf.test/odata/v2/EmpEmployment(personIdExternal='p1',userId='u1')"
    )
    assert entity["jobInfoNav"] == {
        "__deferred": {"uri": f"{entity['__metadata']['uri']}/jobInfoNav"}
    }
    assert entity["startDate"] == sf.date("2021-04-01")
    assert entity["lastModifiedDateTime"].endswith("+0000)/")

    expanded = await sf.get(
        "EmpEmployment",
        **{
            "$expand": "jobInfoNav/departmentNav,personNav",
            "$select": "userId,jobInfoNav/fte,jobInfoNav/departmentNav,personNav",
        },
    )
    row = expanded["results"][0]
    assert set(row) == {"__metadata", "userId", "jobInfoNav", "personNav"}
    job = row["jobInfoNav"]["results"][0]
    assert set(job) == {"__metadata", "fte", "departmentNav"}
    assert job["departmentNav"]["externalCode"] == "D1"
    assert row["personNav"]["personIdExternal"] == "p1"

    bad = await client.get(f"{ROOT}/EmpEmployment", params={"$expand": "shoeNav"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "COE_PROPERTY_NOT_FOUND"


async def test_entity_by_key_navigation_and_orderby(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.hire("p1", last="Lovelace")
    await sf.hire("p2", last="Babbage")
    one = await sf.get("PerPerson('p2')")
    assert one["personIdExternal"] == "p2"
    named = await sf.get("EmpEmployment(personIdExternal='p1',userId='u1')/jobInfoNav")
    assert named["results"][0]["userId"] == "u1"
    to_one = await sf.get("EmpEmployment(personIdExternal='p1',userId='u1')/personNav")
    assert to_one["personIdExternal"] == "p1"
    ordered = await sf.get("PerPersonal", **{"$orderby": "lastName desc", "$select": "lastName"})
    assert [r["lastName"] for r in ordered["results"]] == ["Lovelace", "Babbage"]
    missing = await client.get(f"{ROOT}/PerPerson('nobody')")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "COE_RESOURCE_NOT_FOUND"
    assert (await client.get(f"{ROOT}/PerPerson", params={"$format": "atom"})).status_code == 415


async def test_metadata_document(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{ROOT}/$metadata")
    assert response.status_code == 200
    tree = ET.fromstring(response.text)
    ns = {"edm": "http://schemas.microsoft.com/ado/2008/09/edm"}
    names = {e.get("Name") for e in tree.iterfind(".//edm:EntityType", ns)}
    assert {
        "PerPerson",
        "EmpJob",
        "FODepartment",
        "EmployeeTime",
        "PaymentInformationDetailV3",
    } <= names
