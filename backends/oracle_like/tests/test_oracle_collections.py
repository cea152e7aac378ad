"""Collections: paging with limit/offset/hasMore/totalResults, ordering, links and onlyData."""

from __future__ import annotations

from typing import Any

import httpx

BASE = "/hcmRestApi/resources/11.13.18.05"


async def test_paging_reports_count_has_more_and_total(client: httpx.AsyncClient, hcm: Any) -> None:
    await hcm.create_jobs(7)

    first = (await client.get(f"{BASE}/jobs", params={"limit": 3, "totalResults": "true"})).json()
    assert first["count"] == 3
    assert first["hasMore"] is True
    assert first["totalResults"] == 7
    assert (first["limit"], first["offset"]) == (3, 0)

    last = (await client.get(f"{BASE}/jobs", params={"limit": 3, "offset": 6})).json()
    assert last["count"] == 1
    assert last["hasMore"] is False
    assert "totalResults" not in last


async def test_pages_do_not_overlap_and_cover_everything(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    await hcm.create_jobs(5)
    seen: list[str] = []
    offset = 0
    while True:
        page = (await client.get(f"{BASE}/jobs", params={"limit": 2, "offset": offset})).json()
        seen += [item["JobCode"] for item in page["items"]]
        if not page["hasMore"]:
            break
        offset += page["count"]
    assert sorted(seen) == [f"JOB{i:03d}" for i in range(5)]


async def test_default_limit_is_25_and_large_limits_are_clamped(
    client: httpx.AsyncClient, hcm: Any
) -> None:
    await hcm.create_jobs(26)
    default = (await client.get(f"{BASE}/jobs")).json()
    assert (default["limit"], default["count"], default["hasMore"]) == (25, 25, True)
    clamped = (await client.get(f"{BASE}/jobs", params={"limit": 10_000})).json()
    assert clamped["limit"] == 500
    assert clamped["count"] == 26


async def test_bad_limit_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/jobs", params={"limit": "many"})
    assert response.status_code == 400


async def test_order_by_descending(client: httpx.AsyncClient, hcm: Any) -> None:
    await hcm.create_jobs(3)
    page = (await client.get(f"{BASE}/jobs", params={"orderBy": "JobCode:desc"})).json()
    assert [i["JobCode"] for i in page["items"]] == ["JOB002", "JOB001", "JOB000"]


async def test_items_carry_links_unless_only_data(client: httpx.AsyncClient, hcm: Any) -> None:
    await hcm.create_jobs(1)
    page = (await client.get(f"{BASE}/jobs")).json()
    assert page["links"][0] == {
        "rel": "self",
        "href": "http://oracle.test/hcmRestApi/resources/11.13.18.05/jobs",
        "name": "jobs",
        "kind": "collection",
    }
    rels = [link["rel"] for link in page["items"][0]["links"]]
    assert rels[:2] == ["self", "canonical"]
    assert "changeIndicator" in page["items"][0]["links"][0]["properties"]

    bare = (await client.get(f"{BASE}/jobs", params={"onlyData": "true"})).json()
    assert "links" not in bare
    assert "links" not in bare["items"][0]


async def test_collection_media_type_and_framework_header(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/jobs")
    assert response.headers["content-type"] == "application/vnd.oracle.adf.resourcecollection+json"
    assert response.headers["REST-Framework-Version"] == "4"


async def test_unknown_resource_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/nonsense")
    assert response.status_code == 404


async def test_describe_lists_attributes_and_children(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/workers/describe")
    assert response.status_code == 200
    workers = response.json()["Resources"]["workers"]
    names = [a["name"] for a in workers["attributes"]]
    assert "PersonNumber" in names
    assert "assignments" in workers["children"]["workRelationships"]["children"]
