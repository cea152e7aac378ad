"""The q expression language, finders, fields and expand; the ADF error envelope for bad input."""

from __future__ import annotations

from typing import Any

import httpx

BASE = "/hcmRestApi/resources/11.13.18.05"
ADF_ERROR = "application/vnd.oracle.adf.error+json"


async def _three_workers(hcm: Any) -> None:
    await hcm.hire("Lovelace", first_name="Ada")
    await hcm.hire("Babbage", first_name="Charles")
    await hcm.hire("Hopper", first_name="Grace", DateOfBirth="1970-12-09")


def _numbers(page: dict[str, Any]) -> list[str]:
    return sorted(item["PersonNumber"] for item in page["items"])


async def test_q_with_and_quoted_strings_and_comparisons(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    await _three_workers(hcm)
    page = (
        await client.get(
            f"{BASE}/workers",
            params={"q": "PersonNumber >= '100002' and DateOfBirth < '1980-01-01'"},
        )
    ).json()
    assert _numbers(page) == ["100003"]
    page = (
        await client.get(
            f"{BASE}/workers", params={"q": "PersonNumber='100001' or PersonNumber=\"100003\""}
        )
    ).json()
    assert _numbers(page) == ["100001", "100003"]


async def test_q_on_child_attributes_filters_the_parent(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    await _three_workers(hcm)
    page = (
        await client.get(
            f"{BASE}/workers", params={"q": "names.LastName = 'Hopper'", "expand": "names"}
        )
    ).json()
    assert page["count"] == 1
    assert page["items"][0]["names"][0]["FirstName"] == "Grace"
    nested = (
        await client.get(
            f"{BASE}/workers",
            params={"q": "workRelationships.assignments.AssignmentNumber='E100002'"},
        )
    ).json()
    assert _numbers(nested) == ["100002"]


async def test_q_like_in_between_and_null(client: httpx.AsyncClient, hcm: Any) -> None:
    await _three_workers(hcm)
    like = (await client.get(f"{BASE}/workers", params={"q": "names.LastName LIKE 'B%'"})).json()
    assert _numbers(like) == ["100002"]
    within = (
        await client.get(f"{BASE}/workers", params={"q": "PersonNumber IN ('100001', '100002')"})
    ).json()
    assert _numbers(within) == ["100001", "100002"]
    between = (
        await client.get(
            f"{BASE}/workers", params={"q": "DateOfBirth BETWEEN '1960-01-01' AND '1980-01-01'"}
        )
    ).json()
    assert _numbers(between) == ["100003"]
    nulls = (await client.get(f"{BASE}/workers", params={"q": "DateOfDeath IS NULL"})).json()
    assert len(nulls["items"]) == 3


async def test_q_on_last_update_date(client: httpx.AsyncClient, hcm: Any) -> None:
    worker = await hcm.hire()
    stamp = worker["LastUpdateDate"]
    later = (
        await client.get(f"{BASE}/workers", params={"q": f"LastUpdateDate > '{stamp}'"})
    ).json()
    assert later["count"] == 0
    since = (
        await client.get(f"{BASE}/workers", params={"q": f"LastUpdateDate >= '{stamp}'"})
    ).json()
    assert since["count"] == 1
    by_day = (
        await client.get(f"{BASE}/workers", params={"q": "LastUpdateDate > '2000-01-01T00:00:00Z'"})
    ).json()
    assert by_day["count"] == 1


async def test_framework_version_1_uses_semicolons(client: httpx.AsyncClient, hcm: Any) -> None:
    await _three_workers(hcm)
    response = await client.get(
        f"{BASE}/workers",
        params={"q": "PersonNumber=100002;DateOfBirth=1990-05-01"},
        headers={"REST-Framework-Version": "1"},
    )
    assert response.status_code == 200
    assert _numbers(response.json()) == ["100002"]
    assert response.headers["REST-Framework-Version"] == "1"


async def test_without_a_framework_version_q_uses_version_1(app: Any) -> None:
    transport = httpx.ASGITransport(app=app)
    auth = ("hcm.integration", "sop-dev-password")
    async with httpx.AsyncClient(transport=transport, base_url="http://t", auth=auth) as bare:
        response = await bare.get(
            f"{BASE}/workers", params={"q": "PersonNumber='1' and DateOfBirth='2000-01-01'"}
        )
        assert response.status_code == 400
        assert "REST-Framework-Version" in response.text
        assert response.headers["REST-Framework-Version"] == "1"


async def test_bad_q_gives_plain_text_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/workers", params={"q": "PersonNumber == 'x'"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "q parameter" in response.text


async def test_bad_q_gives_the_adf_error_envelope_when_asked(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{BASE}/workers", params={"q": "PersonNumber = 'x' and ("}, headers={"Accept": ADF_ERROR}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == ADF_ERROR
    body = response.json()
    assert body["title"] == "Bad Request"
    assert body["status"] == "400"
    detail = body["o:errorDetails"][0]
    assert detail["o:errorPath"] == "/q"
    assert detail["o:errorCode"]


async def test_unknown_attribute_and_unquoted_string_are_rejected(
    client: httpx.AsyncClient,
) -> None:
    for q in ("Shoe = 'x'", "PersonNumber = Smith", "DateOfBirth > 'not a date'"):
        response = await client.get(
            f"{BASE}/workers", params={"q": q}, headers={"Accept": ADF_ERROR}
        )
        assert response.status_code == 400, q
        assert response.json()["o:errorDetails"][0]["o:errorPath"] == "/q"


async def test_finder(client: httpx.AsyncClient, hcm: Any) -> None:
    await _three_workers(hcm)
    page = (
        await client.get(
            f"{BASE}/workers", params={"finder": "findByPersonNumber;PersonNumber=100003"}
        )
    ).json()
    assert _numbers(page) == ["100003"]
    bad = await client.get(f"{BASE}/workers", params={"finder": "findByShoeSize;Size=9"})
    assert bad.status_code == 400


async def test_expand_all_and_nested(client: httpx.AsyncClient, hcm: Any) -> None:
    await hcm.hire()
    plain = (await client.get(f"{BASE}/workers")).json()["items"][0]
    assert "names" not in plain
    assert {link["name"] for link in plain["links"] if link["rel"] == "child"} >= {
        "names",
        "workRelationships",
    }
    everything = (await client.get(f"{BASE}/workers", params={"expand": "all"})).json()["items"][0]
    assert everything["names"][0]["LastName"] == "Lovelace"
    assert "assignments" not in everything["workRelationships"][0]
    nested = (
        await client.get(f"{BASE}/workers", params={"expand": "workRelationships.assignments"})
    ).json()
    assignment = nested["items"][0]["workRelationships"][0]["assignments"][0]
    assert assignment["AssignmentNumber"] == "E100001"
    assert "names" not in nested["items"][0]


async def test_fields_limits_attributes_and_expands_named_children(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    await hcm.hire()
    page = (
        await client.get(
            f"{BASE}/workers",
            params={"fields": "PersonNumber;names:FirstName,LastName", "onlyData": "true"},
        )
    ).json()
    assert page["items"][0] == {
        "PersonNumber": "100001",
        "names": [{"FirstName": "Ada", "LastName": "Lovelace"}],
    }
    bad = await client.get(f"{BASE}/workers", params={"fields": "Shoe"})
    assert bad.status_code == 400
