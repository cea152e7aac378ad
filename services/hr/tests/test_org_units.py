"""Org units: a hierarchy without cycles, subtrees, unique codes."""

from __future__ import annotations

import pytest


async def build_tree(hr) -> dict[str, dict]:
    """root -> (a -> a1, b); other is a second root."""
    root = await hr.org_unit("ROOT")
    a = await hr.org_unit("A", parent_id=root["id"])
    a1 = await hr.org_unit("A1", parent_id=a["id"])
    b = await hr.org_unit("B", parent_id=root["id"])
    other = await hr.org_unit("OTHER")
    return {"root": root, "a": a, "a1": a1, "b": b, "other": other}


def codes(page: dict) -> list[str]:
    return sorted(u["code"] for u in page["items"])


@pytest.mark.sqlite
async def test_subtree_lists_a_unit_and_everything_below_it(hr):
    t = await build_tree(hr)
    r = await hr.get(f"/hr/v1/org-units/{t['a']['id']}/subtree")
    assert r.status_code == 200
    assert codes(r.json()) == ["A", "A1"]
    assert codes((await hr.get(f"/hr/v1/org-units?under={t['root']['id']}")).json()) == [
        "A",
        "A1",
        "B",
        "ROOT",
    ]
    children = (await hr.get(f"/hr/v1/org-units?parent_id={t['root']['id']}")).json()
    assert codes(children) == ["A", "B"]
    assert codes((await hr.get("/hr/v1/org-units?code=A1")).json()) == ["A1"]
    missing = "01a20000-0000-7000-8000-000000000000"
    assert (await hr.get(f"/hr/v1/org-units/{missing}/subtree")).status_code == 404


@pytest.mark.sqlite
async def test_a_move_that_would_create_a_cycle_is_422(hr):
    t = await build_tree(hr)
    root = f"/hr/v1/org-units/{t['root']['id']}"
    for new_parent in (t["a1"]["id"], t["root"]["id"]):  # below itself, or itself
        r = await hr.patch(root, json={"parent_id": new_parent}, headers={"If-Match": '"1"'})
        assert r.status_code == 422, r.text
        assert r.json()["type"] == "urn:sop:problem:org-unit-cycle"
        assert r.json()["errors"][0]["field"] == "parent_id"
    assert (await hr.get(root)).json()["parent_id"] is None

    # A legal move carries the subtree with it.
    a = f"/hr/v1/org-units/{t['a']['id']}"
    moved = await hr.patch(a, json={"parent_id": t["other"]["id"]}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200 and moved.headers["etag"] == '"2"'
    under_other = (await hr.get(f"/hr/v1/org-units?under={t['other']['id']}")).json()
    assert codes(under_other) == ["A", "A1", "OTHER"]
    # A1 is no longer below ROOT, so ROOT may now go under it.
    ok = await hr.patch(root, json={"parent_id": t["a1"]["id"]}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.text


async def test_org_unit_rules(hr):
    await hr.org_unit("DUP")
    r = await hr.post(
        "/hr/v1/org-units", json={"code": "DUP", "name": "Again", "cost_centre": "C1"}
    )
    assert r.status_code == 409 and r.json()["type"] == "urn:sop:problem:duplicate-code"
    r = await hr.post(
        "/hr/v1/org-units",
        json={
            "code": "X",
            "name": "X",
            "cost_centre": "C1",
            "parent_id": "01a20000-0000-7000-8000-000000000000",
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "parent_id"
    unit = await hr.org_unit("REN")
    url = f"/hr/v1/org-units/{unit['id']}"
    assert (await hr.patch(url, json={"name": "New"})).status_code == 428
    r = await hr.patch(
        url, json={"name": "Renamed", "cost_centre": "C9"}, headers={"If-Match": '"1"'}
    )
    assert (r.json()["name"], r.json()["cost_centre"]) == ("Renamed", "C9")
    assert (
        await hr.patch(url, json={"code": "DUP"}, headers={"If-Match": '"2"'})
    ).status_code == 409
    created = await hr.get("/hr/v1/audit-events?resource_type=org_unit&action=org_unit.updated")
    assert created.json()["items"][0]["after"]["name"] == "Renamed"
