"""Effective-dated entities: today's record by default, asOfDate, fromDate/toDate, end dates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

ROOT = "/odata/v2"


def _slices(d: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(r["startDate"], r["endDate"], r.get("fte")) for r in d["results"]]


async def _history(sf: Any) -> str:
    user = await sf.hire(start="2021-04-01")
    await sf.upsert_ok(
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": user,
            "startDate": sf.date("2023-01-01"),
            "fte": "0.6",
        },
    )
    return user


async def test_new_slice_ends_the_previous_one(client: httpx.AsyncClient, sf: Any) -> None:
    await _history(sf)
    d = await sf.get("EmpJob", fromDate="1900-01-01", **{"$select": "startDate,endDate,fte"})
    assert _slices(d) == [
        (sf.date("2021-04-01"), sf.date("2022-12-31"), "1"),
        (sf.date("2023-01-01"), sf.date("9999-12-31"), "0.6"),
    ]


async def test_default_is_todays_record_and_as_of_date_picks_another(
    client: httpx.AsyncClient, sf: Any
) -> None:
    user = await _history(sf)
    tomorrow = date.today() + timedelta(days=1)
    await sf.upsert_ok(
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": user,
            "startDate": sf.date(tomorrow.isoformat()),
            "fte": "0.5",
        },
    )
    today = await sf.get("EmpJob", **{"$select": "fte"})
    assert [r["fte"] for r in today["results"]] == ["0.6"]
    past = await sf.get("EmpJob", asOfDate="2022-06-30", **{"$select": "fte"})
    assert [r["fte"] for r in past["results"]] == ["1"]
    future = await sf.get("EmpJob", asOfDate=tomorrow.isoformat(), **{"$select": "fte"})
    assert [r["fte"] for r in future["results"]] == ["0.5"]


async def test_from_and_to_date_return_overlapping_slices(
    client: httpx.AsyncClient, sf: Any
) -> None:
    await _history(sf)
    window = await sf.get(
        "EmpJob", fromDate="2022-06-01", toDate="2023-02-01", **{"$select": "fte"}
    )
    assert [r["fte"] for r in window["results"]] == ["1", "0.6"]
    before = await sf.get("EmpJob", toDate="2022-01-01", **{"$select": "fte"})
    assert [r["fte"] for r in before["results"]] == ["1"]
    bad = await client.get(
        f"{ROOT}/EmpJob", params={"asOfDate": "2022-01-01", "fromDate": "2021-01-01"}
    )
    assert bad.status_code == 400
    garbled = await client.get(f"{ROOT}/EmpJob", params={"asOfDate": "yesterday"})
    assert garbled.status_code == 400


async def test_inserted_slice_in_the_middle_splits_the_timeline(
    client: httpx.AsyncClient, sf: Any
) -> None:
    user = await _history(sf)
    results = await sf.upsert_ok(
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": user,
            "startDate": sf.date("2022-01-01"),
            "fte": "0.8",
        },
    )
    assert results[0]["editStatus"] == "INSERTED"
    d = await sf.get("EmpJob", fromDate="1900-01-01", **{"$select": "startDate,endDate,fte"})
    assert _slices(d) == [
        (sf.date("2021-04-01"), sf.date("2021-12-31"), "1"),
        (sf.date("2022-01-01"), sf.date("2022-12-31"), "0.8"),
        (sf.date("2023-01-01"), sf.date("9999-12-31"), "0.6"),
    ]


async def test_new_slice_inherits_the_record_in_force(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.department("D1", "2020-01-01")
    user = await sf.hire(department="D1", jobTitle="Analyst")
    await sf.upsert_ok(
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": user,
            "startDate": sf.date("2024-01-01"),
            "fte": "0.5",
        }
    )
    d = await sf.get("EmpJob", asOfDate="2024-02-01")
    assert (d["results"][0]["department"], d["results"][0]["jobTitle"]) == ("D1", "Analyst")


async def test_entity_by_key_ignores_the_window(client: httpx.AsyncClient, sf: Any) -> None:
    await _history(sf)
    old = await sf.get("EmpJob(seqNumber=1L,startDate=datetime'2021-04-01T00:00:00',userId='u1')")
    assert old["fte"] == "1"


async def test_expanded_navigations_follow_the_window(client: httpx.AsyncClient, sf: Any) -> None:
    await _history(sf)
    now = await sf.get("EmpEmployment", **{"$expand": "jobInfoNav"})
    assert [j["fte"] for j in now["results"][0]["jobInfoNav"]["results"]] == ["0.6"]
    then = await sf.get("EmpEmployment", asOfDate="2022-01-01", **{"$expand": "jobInfoNav"})
    assert [j["fte"] for j in then["results"][0]["jobInfoNav"]["results"]] == ["1"]
    everything = await sf.get("EmpEmployment", fromDate="1900-01-01", **{"$expand": "jobInfoNav"})
    assert len(everything["results"][0]["jobInfoNav"]["results"]) == 2


async def test_purge_full_replaces_the_history(client: httpx.AsyncClient, sf: Any) -> None:
    user = await _history(sf)
    await sf.upsert_ok(
        {
            "__metadata": {"uri": "EmpJob"},
            "userId": user,
            "startDate": sf.date("2021-04-01"),
            "fte": "0.9",
        },
        purgeType="full",
    )
    d = await sf.get("EmpJob", fromDate="1900-01-01", **{"$select": "startDate,endDate,fte"})
    assert _slices(d) == [(sf.date("2021-04-01"), sf.date("9999-12-31"), "0.9")]


async def test_deleting_a_slice_reopens_the_previous_one(
    client: httpx.AsyncClient, sf: Any
) -> None:
    await _history(sf)
    path = f"{ROOT}/EmpJob(seqNumber=1L,startDate=datetime'2023-01-01T00:00:00',userId='u1')"
    tag = (await client.get(path)).headers["etag"]
    assert (await client.delete(path, headers={"If-Match": tag})).status_code == 204
    d = await sf.get("EmpJob", fromDate="1900-01-01", **{"$select": "startDate,endDate,fte"})
    assert _slices(d) == [(sf.date("2021-04-01"), sf.date("9999-12-31"), "1")]


async def test_foundation_objects_are_effective_dated(client: httpx.AsyncClient, sf: Any) -> None:
    await sf.department("D1", "2020-01-01", costCenter="CC1")
    await sf.department("D1", "2024-01-01", costCenter="CC2")
    key = "FODepartment(externalCode='D1',startDate=datetime'2020-01-01T00:00:00')"
    assert (await sf.get(key))["costCenter"] == "CC1"
    assert (await sf.get(key))["endDate"] == sf.date("2023-12-31")
    now = await sf.get("FODepartment")
    assert [r["costCenter"] for r in now["results"]] == ["CC2"]
