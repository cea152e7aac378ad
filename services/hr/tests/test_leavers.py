"""Leavers: the leaving date ends the terms, and nothing can be booked after it."""

from __future__ import annotations

import pytest


async def leave(hr, employee_id, day, reason="resignation", **kw):
    return await hr.post(
        f"/hr/v1/employees/{employee_id}/leave",
        json={"leaving_date": day, "reason": reason},
        **kw,
    )


@pytest.mark.sqlite
async def test_nothing_can_be_booked_after_the_leaving_date(hr, make_terms):
    unit = await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"]))
    r = await leave(hr, e["id"], "2026-06-30")
    assert r.status_code == 200, r.text
    assert (r.json()["leaving_date"], r.json()["leaving_reason"]) == ("2026-06-30", "resignation")
    history = (await hr.get(f"/hr/v1/employees/{e['id']}/terms")).json()["items"]
    assert history[-1]["effective_to"] == "2026-06-30"

    def absence(start, end):
        return hr.post(
            f"/hr/v1/employees/{e['id']}/absences",
            json={"leave_type": "unpaid", "start_date": start, "end_date": end},
        )

    for start, end in (("2026-07-01", "2026-07-03"), ("2026-06-29", "2026-07-02")):
        refused = await absence(start, end)
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"] == "urn:sop:problem:after-leaving-date"
    terms_after = await hr.post(
        f"/hr/v1/employees/{e['id']}/terms",
        json={"effective_from": "2026-07-01", **make_terms(unit["id"])},
    )
    assert terms_after.status_code == 422
    assert terms_after.json()["type"] == "urn:sop:problem:after-leaving-date"
    assert (await absence("2026-06-29", "2026-06-30")).status_code == 201


async def test_leaving_is_refused_while_something_is_booked_after_it(hr, make_terms):
    unit = await hr.org_unit()
    e = await hr.employee(terms=make_terms(unit["id"]))
    booked = (
        await hr.post(
            f"/hr/v1/employees/{e['id']}/absences",
            json={"leave_type": "annual", "start_date": "2026-08-03", "end_date": "2026-08-07"},
        )
    ).json()
    await hr.post(
        f"/hr/v1/employees/{e['id']}/terms",
        json={"effective_from": "2026-09-01", **make_terms(unit["id"], grade="SEO")},
    )
    r = await leave(hr, e["id"], "2026-07-31")
    assert r.status_code == 409
    assert r.json()["type"] == "urn:sop:problem:booked-after-leaving"
    assert booked["id"] in r.json()["detail"] and "2026-09-01" in r.json()["detail"]
    assert (await hr.get(f"/hr/v1/employees/{e['id']}")).json()["leaving_date"] is None
    await hr.post(f"/hr/v1/absences/{booked['id']}/cancel")
    assert (await leave(hr, e["id"], "2026-09-30")).status_code == 200  # after the change


async def test_leaving_rules_and_status(hr):
    e = await hr.employee(start_date="2024-01-01")
    assert (await leave(hr, e["id"], "2023-12-31")).status_code == 422
    stale = await leave(hr, e["id"], "2025-01-31", headers={"If-Match": '"5"'})
    assert stale.status_code == 412
    r = await leave(hr, e["id"], "2025-01-31", reason="retirement", headers={"If-Match": '"1"'})
    assert r.status_code == 200
    assert r.json()["status"] == "left" and r.json()["terms"] is None
    assert (await leave(hr, e["id"], "2025-02-28")).status_code == 409
    before = (await hr.get(f"/hr/v1/employees/{e['id']}?as_of=2025-01-31")).json()
    assert before["status"] == "active" and before["terms"]["effective_to"] == "2025-01-31"
    bad_reason = await hr.post(
        f"/hr/v1/employees/{e['id']}/leave",
        json={"leaving_date": "2025-01-31", "reason": "bored"},
    )
    assert bad_reason.status_code == 422
