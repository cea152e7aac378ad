"""Date-effective rows: effectiveDate reads, and UPDATE / CORRECTION / REPLACE_UPDATE writes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

BASE = "/hcmRestApi/resources/11.13.18.05"
ADF_ERROR = "application/vnd.oracle.adf.error+json"


async def _hired(hcm: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    worker = await hcm.hire(start="2021-04-01", assignment={"NormalHours": 37.5, "Frequency": "W"})
    assignment = worker["workRelationships"][0]["assignments"][0]
    return worker, assignment


async def _hours_on(hcm: Any, worker: dict[str, Any], on: str) -> list[tuple[Any, str, str]]:
    rows = await hcm.assignments(worker, effectiveDate=on)
    return [(r["NormalHours"], r["EffectiveStartDate"], r["EffectiveEndDate"]) for r in rows]


async def test_update_splits_the_row_in_force(client: httpx.AsyncClient, hcm: Any) -> None:
    worker, assignment = await _hired(hcm)
    response = await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 30},
        headers={"Effective-Of": "RangeMode=UPDATE;RangeStartDate=2023-01-01"},
    )
    assert response.status_code == 200, response.text
    new = response.json()
    assert (new["EffectiveStartDate"], new["EffectiveEndDate"]) == ("2023-01-01", "4712-12-31")
    assert new["ActionCode"] == "ASG_CHANGE"
    assert new["AssignmentId"] == assignment["AssignmentId"]
    assert hcm.self_href(new) != hcm.self_href(assignment)

    assert await _hours_on(hcm, worker, "2022-06-01") == [(37.5, "2021-04-01", "2022-12-31")]
    assert await _hours_on(hcm, worker, "2023-06-01") == [(30, "2023-01-01", "4712-12-31")]
    assert await _hours_on(hcm, worker, "2021-01-01") == []


async def test_correction_overwrites_without_splitting(client: httpx.AsyncClient, hcm: Any) -> None:
    worker, assignment = await _hired(hcm)
    await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 30},
        headers={"Effective-Of": "RangeMode=UPDATE;RangeStartDate=2023-01-01"},
    )
    # The old UniqID still names the first row even though its end date has moved.
    response = await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 35},
        headers={"Effective-Of": "RangeMode=CORRECTION"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["EffectiveStartDate"] == "2021-04-01"
    assert await _hours_on(hcm, worker, "2022-06-01") == [(35, "2021-04-01", "2022-12-31")]
    assert await _hours_on(hcm, worker, "2023-06-01") == [(30, "2023-01-01", "4712-12-31")]

    dated = await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 20},
        headers={"Effective-Of": "RangeMode=CORRECTION;RangeStartDate=2024-02-01"},
    )
    assert dated.status_code == 200
    assert dated.json()["EffectiveStartDate"] == "2023-01-01"
    assert await _hours_on(hcm, worker, "2022-06-01") == [(35, "2021-04-01", "2022-12-31")]
    assert await _hours_on(hcm, worker, "2025-06-01") == [(20, "2023-01-01", "4712-12-31")]


async def test_patch_without_effective_of_corrects_the_addressed_row(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    worker, assignment = await _hired(hcm)
    response = await client.patch(hcm.path(assignment), json={"NormalHours": 36})
    assert response.status_code == 200
    assert await _hours_on(hcm, worker, "2022-06-01") == [(36, "2021-04-01", "4712-12-31")]


async def test_update_on_the_start_date_must_be_a_correction(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    _, assignment = await _hired(hcm)
    response = await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 30},
        headers={"Effective-Of": "RangeMode=UPDATE;RangeStartDate=2021-04-01", "Accept": ADF_ERROR},
    )
    assert response.status_code == 400
    assert "CORRECTION" in response.json()["o:errorDetails"][0]["detail"]


async def test_update_with_range_end_date_inserts_a_bounded_change(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    worker, assignment = await _hired(hcm)
    response = await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 18.75},
        headers={
            "Effective-Of": "RangeMode=UPDATE;RangeStartDate=2022-01-01;RangeEndDate=2022-06-30"
        },
    )
    assert response.status_code == 200
    assert await _hours_on(hcm, worker, "2021-12-31") == [(37.5, "2021-04-01", "2021-12-31")]
    assert await _hours_on(hcm, worker, "2022-03-01") == [(18.75, "2022-01-01", "2022-06-30")]
    assert await _hours_on(hcm, worker, "2022-07-01") == [(37.5, "2022-07-01", "4712-12-31")]


async def test_update_keeps_future_rows_and_replace_update_removes_them(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    worker, assignment = await _hired(hcm)
    await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 30},
        headers={"Effective-Of": "RangeMode=UPDATE;RangeStartDate=2024-01-01"},
    )
    inserted = await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 25},
        headers={"Effective-Of": "RangeMode=UPDATE;RangeStartDate=2022-01-01"},
    )
    assert inserted.status_code == 200
    assert await _hours_on(hcm, worker, "2022-06-01") == [(25, "2022-01-01", "2023-12-31")]
    assert await _hours_on(hcm, worker, "2024-06-01") == [(30, "2024-01-01", "4712-12-31")]

    replaced = await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 20},
        headers={"Effective-Of": "RangeMode=REPLACE_UPDATE;RangeStartDate=2021-10-01"},
    )
    assert replaced.status_code == 200
    assert await _hours_on(hcm, worker, "2024-06-01") == [(20, "2021-10-01", "4712-12-31")]


async def test_collections_default_to_the_rows_in_force_today(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    worker, assignment = await _hired(hcm)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 10},
        headers={"Effective-Of": f"RangeMode=UPDATE;RangeStartDate={tomorrow}"},
    )
    today_rows = await hcm.assignments(worker)
    assert [r["NormalHours"] for r in today_rows] == [37.5]
    future = await hcm.assignments(worker, effectiveDate=tomorrow)
    assert [r["NormalHours"] for r in future] == [10]


async def test_names_change_on_a_date(client: httpx.AsyncClient, hcm: Any) -> None:
    worker = await hcm.hire("Byron", first_name="Ada")
    name = worker["names"][0]
    response = await client.patch(
        hcm.path(name),
        json={"LastName": "King", "PreviousLastName": "Byron"},
        headers={"Effective-Of": "RangeMode=UPDATE;RangeStartDate=2022-07-08"},
    )
    assert response.status_code == 200
    assert response.json()["DisplayName"] == "Ada King"
    before = await client.get(
        f"{hcm.path(worker)}/child/names", params={"effectiveDate": "2022-07-07"}
    )
    after = await client.get(
        f"{hcm.path(worker)}/child/names", params={"effectiveDate": "2022-07-08"}
    )
    assert before.json()["items"][0]["LastName"] == "Byron"
    assert after.json()["items"][0]["LastName"] == "King"


async def test_bad_effective_of_and_effective_date_are_400(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    _, assignment = await _hired(hcm)
    bad_mode = await client.patch(
        hcm.path(assignment),
        json={"NormalHours": 1},
        headers={"Effective-Of": "RangeMode=TIME_TRAVEL"},
    )
    assert bad_mode.status_code == 400
    bad_date = await client.get(f"{BASE}/jobs", params={"effectiveDate": "31/12/2024"})
    assert bad_date.status_code == 400
