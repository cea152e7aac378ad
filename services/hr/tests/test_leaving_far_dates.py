"""A leaving date reads back as it was answered, on every adapter: Oracle's "no end date"
(4712-12-31) is HR's null there, so the oracle_like adapter refuses it as a leaving date
rather than echo it and read it back as null with the reason still set."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("day", ["2026-06-30", "4712-12-31"])
async def test_a_leaving_date_reads_back_as_answered_with_its_reason(hr, adapter, day):
    e = await hr.employee()
    r = await hr.post(
        f"/hr/v1/employees/{e['id']}/leave",
        json={"leaving_date": day, "reason": "retirement"},
    )
    read = await hr.get(f"/hr/v1/employees/{e['id']}")
    assert read.status_code == 200, read.text
    shown = (read.json()["leaving_date"], read.json()["leaving_reason"])
    if adapter == "oracle_like" and day == "4712-12-31":
        assert r.status_code == 422, r.text
        assert [err["field"] for err in r.json()["errors"]] == ["leaving_date"]
        assert shown == (None, None)
        return
    assert r.status_code == 200, r.text
    assert (r.json()["leaving_date"], r.json()["leaving_reason"]) == (day, "retirement")
    assert shown == (day, "retirement")
