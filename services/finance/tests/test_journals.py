"""Journal rules as a client sees them, from balancing to concurrent postings."""

from __future__ import annotations

import asyncio

from finance_testkit import (
    BANK,
    EXPENDITURE_HEADER,
    FEES,
    IT,
    NET_PAY,
    SALARIES,
    WRITER,
    cr,
    dr,
)

PROBLEM = "application/problem+json"


def problem(r, status: int, slug: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == f"urn:sop:problem:{slug}", body
    assert body["detail"]
    return body


def tb_lines(tb: dict) -> dict[str, tuple[str, str]]:
    return {ln["account_code"]: (ln["debit"], ln["credit"]) for ln in tb["lines"]}


async def test_balanced_journal_posts_and_moves_the_trial_balance(api):
    j = await api.post_journal([dr(IT, "120.50", "CC01"), cr(BANK, "120.50")])
    assert j["status"] == "posted" and j["period"] == "2026-08" and j["number"].startswith("JNL-")
    assert j["total"] == "120.50" and j["posted_by"] == "preparer"
    tb = await api.trial_balance(period="2026-08")
    assert tb_lines(tb) == {IT: ("120.50", "0.00"), BANK: ("0.00", "120.50")}
    assert tb["total_debit"] == tb["total_credit"] == "120.50"
    assert tb["financial_year"] == "2026-27"


async def test_unbalanced_journal_is_refused_and_nothing_lands(api):
    body = {
        "description": "short by a penny",
        "posting_date": "2026-08-01",
        "lines": [dr(IT, "100.00", "CC01"), cr(BANK, "99.99")],
    }
    for post in (False, True):
        r = await api.post(
            "/journals", {**body, "post": post}, key="k-unbalanced" if post else None
        )
        p = problem(r, 422, "journal-unbalanced")
        assert "100.00" in p["detail"] and "99.99" in p["detail"]
        assert p["total_debit"] == "100.00" and p["total_credit"] == "99.99"
    assert (await api.get("/journals")).json()["items"] == []
    assert (await api.trial_balance(period="2026-08"))["lines"] == []


async def test_line_rules_name_the_offending_field(api):
    await api.post("/accounts/" + "x", None)  # warm-up is harmless; ensures routing works
    cases = [
        ([dr("99999999", "5.00", "CC01"), cr(BANK, "5.00")], "lines.0.account_code"),
        ([dr(EXPENDITURE_HEADER, "5.00", "CC01"), cr(BANK, "5.00")], "lines.0.account_code"),
        ([dr(IT, "5.00"), cr(BANK, "5.00")], "lines.0.cost_centre_code"),
        ([dr(IT, "5.00", "NOPE"), cr(BANK, "5.00")], "lines.0.cost_centre_code"),
        ([dr(IT, "5.00", "CC01", programme="P404"), cr(BANK, "5.00")], "lines.0.programme"),
        (
            [
                {"account_code": IT, "debit": "5.00", "credit": "5.00", "cost_centre_code": "CC01"},
                cr(BANK, "0.00"),
                dr(BANK, "0.00"),
            ],
            "lines.0",
        ),
        ([dr(IT, "5.00", "CC01")], "lines"),
        ([dr(IT, 5.0, "CC01"), cr(BANK, "5.00")], "lines.0.debit"),
        ([dr(IT, "-5.00", "CC01"), cr(BANK, "-5.00")], "lines.0.debit"),
    ]
    for lines, field in cases:
        r = await api.post(
            "/journals", {"description": "bad", "posting_date": "2026-08-01", "lines": lines}
        )
        assert r.status_code == 422, (field, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (field, r.json())
    r = await api.post(
        "/journals",
        {"description": "x", "posting_date": "2026-08-01", "lines": [], "tenant": "evil"},
    )
    assert r.status_code == 422 and "tenant" in [e["field"] for e in r.json()["errors"]]


async def test_inactive_account_takes_no_new_postings(api):
    acc = (await api.get("/accounts", code=IT)).json()["items"][0]
    r = await api.patch(f"/accounts/{acc['id']}", {"active": False}, if_match=f'"{acc["version"]}"')
    assert r.status_code == 200, r.text
    r = await api.post(
        "/journals",
        {
            "description": "x",
            "posting_date": "2026-08-01",
            "lines": [dr(IT, "1.00", "CC01"), cr(BANK, "1.00")],
        },
    )
    assert r.status_code == 422 and "inactive" in r.text


async def test_posting_needs_an_idempotency_key(api):
    body = {
        "description": "no key",
        "posting_date": "2026-08-01",
        "lines": [dr(IT, "10.00", "CC01"), cr(BANK, "10.00")],
    }
    p = problem(
        await api.post("/journals", {**body, "post": True}), 428, "idempotency-key-required"
    )
    assert p["errors"][0]["field"] == "Idempotency-Key"
    draft = (await api.post("/journals", body)).json()  # a draft needs no key
    problem(await api.post(f"/journals/{draft['id']}/post"), 428, "idempotency-key-required")
    posted = await api.post(f"/journals/{draft['id']}/post", key="post-1")
    assert posted.status_code == 200 and posted.json()["status"] == "posted"
    problem(await api.post(f"/journals/{draft['id']}/reverse", {}), 428, "idempotency-key-required")


async def test_replayed_posting_posts_once(api):
    lines = [dr(SALARIES, "2500.00", "CC01"), cr(NET_PAY, "2500.00")]
    body = {
        "description": "payroll August",
        "posting_date": "2026-08-28",
        "source": "payroll",
        "source_reference": "PR-2026-08",
        "lines": lines,
        "post": True,
    }
    first = await api.post("/journals", body, key="payroll-2026-08")
    again = await api.post("/journals", body, key="payroll-2026-08")
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == first.headers["location"]
    tb = await api.trial_balance(period="2026-08")
    assert tb_lines(tb)[SALARIES] == ("2500.00", "0.00")
    # Same key, different body: refused. A new key for the same document: refused too, since
    # a payroll run posts once whatever key a retry carries.
    other = await api.post("/journals", {**body, "description": "changed"}, key="payroll-2026-08")
    assert other.status_code == 422
    dup = problem(await api.post("/journals", body, key="another-key"), 409, "duplicate-reference")
    assert dup["journal_id"] == first.json()["id"]
    assert len((await api.get("/journals", source="payroll")).json()["items"]) == 1


async def test_system_sources_must_name_their_document_and_reserved_ones_are_refused(api):
    lines = [dr(SALARIES, "1.00", "CC01"), cr(NET_PAY, "1.00")]
    base = {"description": "x", "posting_date": "2026-08-01", "lines": lines}
    r = await api.post("/journals", {**base, "source": "payroll"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "source_reference"
    for reserved in ("reversal", "year_end", "payables"):
        r = await api.post("/journals", {**base, "source": reserved, "source_reference": "x"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "source"


async def test_nothing_posts_into_a_closed_period(api):
    period = (await api.get("/periods/2026-06")).json()
    r = await api.patch("/periods/2026-06", {"status": "closed"}, if_match=f'"{period["version"]}"')
    assert r.status_code == 200 and r.json()["status"] == "closed"
    lines = [dr(IT, "10.00", "CC01"), cr(BANK, "10.00")]
    p = problem(
        await api.post(
            "/journals",
            {"description": "late", "posting_date": "2026-06-30", "lines": lines, "post": True},
            key="late-1",
        ),
        409,
        "period-closed",
    )
    assert p["period"] == "2026-06"
    # A draft dated in the closed period can be saved but not posted.
    draft = await api.post(
        "/journals", {"description": "late", "posting_date": "2026-06-30", "lines": lines}
    )
    assert draft.status_code == 201
    problem(
        await api.post(f"/journals/{draft.json()['id']}/post", key="late-2"), 409, "period-closed"
    )
    # A year that was never opened has no periods to post into.
    problem(
        await api.post(
            "/journals",
            {"description": "far", "posting_date": "2031-06-30", "lines": lines, "post": True},
            key="far",
        ),
        409,
        "period-closed",
    )


async def test_soft_closed_period_takes_postings_only_from_approvers(api):
    period = (await api.get("/periods/2026-07")).json()
    r = await api.patch(
        "/periods/2026-07", {"status": "soft_closed"}, if_match=f'"{period["version"]}"'
    )
    assert r.status_code == 200
    body = {
        "description": "accrual",
        "posting_date": "2026-07-31",
        "lines": [dr(IT, "10.00", "CC01"), cr(BANK, "10.00")],
        "post": True,
    }
    clerk = api.as_("clerk", WRITER)
    problem(await clerk.post("/journals", body, key="soft-1"), 403, "period-soft-closed")
    assert (await api.as_("controller").post("/journals", body, key="soft-2")).status_code == 201


async def test_period_changes_need_approve_scope_and_if_match(api):
    period = (await api.get("/periods/2026-09")).json()
    r = await api.as_("clerk", WRITER).patch(
        "/periods/2026-09", {"status": "closed"}, if_match=f'"{period["version"]}"'
    )
    assert r.status_code == 403
    assert (
        await api.patch("/periods/2026-09", {"status": "closed"}, if_match=None)
    ).status_code == 428
    stale = await api.patch("/periods/2026-09", {"status": "closed"}, if_match='"99"')
    assert stale.status_code == 412
    assert (await api.get("/periods/2099-01")).status_code == 404
    assert (await api.get("/periods/not-a-period")).status_code == 404


async def test_posted_journals_are_immutable(api):
    j = await api.post_journal([dr(IT, "50.00", "CC01"), cr(BANK, "50.00")])
    etag = f'"{j["version"]}"'
    p = problem(
        await api.patch(f"/journals/{j['id']}", {"description": "changed"}, if_match=etag),
        409,
        "journal-posted",
    )
    assert "reversal" in p["detail"] and p["journal_id"] == j["id"]
    problem(await api.delete(f"/journals/{j['id']}", if_match=etag), 409, "journal-posted")
    problem(await api.post(f"/journals/{j['id']}/post", key="again"), 409, "journal-posted")
    problem(await api.post(f"/journals/{j['id']}/approve"), 409, "journal-posted")
    assert (await api.get(f"/journals/{j['id']}")).json()["description"] == "test"


async def test_reversal_references_the_original_and_undoes_it(api):
    j = await api.post_journal([dr(IT, "75.00", "CC02"), cr(BANK, "75.00")])
    r = await api.post(f"/journals/{j['id']}/reverse", {}, key="rev-1")
    assert r.status_code == 201, r.text
    rev = r.json()
    assert rev["reverses_journal_id"] == j["id"] and rev["source"] == "reversal"
    assert rev["source_reference"] == j["number"] and rev["status"] == "posted"
    assert [(ln["account_code"], ln["debit"], ln["credit"]) for ln in rev["lines"]] == [
        (IT, "0.00", "75.00"),
        (BANK, "75.00", "0.00"),
    ]
    original = (await api.get(f"/journals/{j['id']}")).json()
    assert original["reversed_by_journal_id"] == rev["id"]
    assert (await api.trial_balance(period="2026-08"))["lines"] == []
    problem(await api.post(f"/journals/{j['id']}/reverse", {}, key="rev-2"), 409, "invalid-state")
    problem(await api.post(f"/journals/{rev['id']}/reverse", {}, key="rev-3"), 409, "invalid-state")


async def test_reversal_into_another_period(api):
    j = await api.post_journal(
        [dr(IT, "30.00", "CC01"), cr(BANK, "30.00")], posting_date="2026-08-31"
    )
    r = await api.post(f"/journals/{j['id']}/reverse", {"posting_date": "2026-09-01"}, key="rv")
    assert r.status_code == 201 and r.json()["period"] == "2026-09"
    assert tb_lines(await api.trial_balance(period="2026-08"))[IT] == ("30.00", "0.00")
    assert (await api.trial_balance(period="2026-09"))["lines"] == []


async def test_large_manual_journal_needs_a_second_person(api):
    lines = [dr(IT, "5000.00", "CC01"), cr(BANK, "5000.00")]
    body = {"description": "big", "posting_date": "2026-08-10", "lines": lines}
    problem(
        await api.post("/journals", {**body, "post": True}, key="big-1"), 409, "approval-required"
    )
    draft = (await api.post("/journals", body)).json()
    assert draft["requires_approval"] is True and draft["status"] == "draft"
    problem(await api.post(f"/journals/{draft['id']}/post", key="big-2"), 409, "approval-required")
    p = problem(await api.post(f"/journals/{draft['id']}/approve"), 403, "self-approval")
    assert "someone else" in p["detail"]
    clerk = api.as_("other-clerk", WRITER)
    assert (await clerk.post(f"/journals/{draft['id']}/approve")).status_code == 403  # no scope
    approved = await api.as_("controller").post(f"/journals/{draft['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_by"] == "controller"
    posted = await api.post(f"/journals/{draft['id']}/post", key="big-3")
    assert posted.status_code == 200 and posted.json()["status"] == "posted"


async def test_an_edit_voids_approval_and_makes_the_editor_the_preparer(api):
    lines = [dr(IT, "5000.00", "CC01"), cr(BANK, "5000.00")]
    draft = (
        await api.post(
            "/journals", {"description": "big", "posting_date": "2026-08-10", "lines": lines}
        )
    ).json()
    approved = (await api.as_("controller").post(f"/journals/{draft['id']}/approve")).json()
    edited = await api.as_("controller").patch(
        f"/journals/{draft['id']}",
        {"lines": [dr(IT, "6000.00", "CC01"), cr(BANK, "6000.00")]},
        if_match=f'"{approved["version"]}"',
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "draft" and edited.json()["prepared_by"] == "controller"
    problem(
        await api.as_("controller").post(f"/journals/{draft['id']}/approve"), 403, "self-approval"
    )
    assert (await api.post(f"/journals/{draft['id']}/approve")).status_code == 200


async def test_small_manual_journal_and_system_postings_need_no_approval(api):
    await api.post_journal([dr(IT, "999.99", "CC01"), cr(BANK, "999.99")])
    await api.post_journal(
        [dr(SALARIES, "50000.00", "CC01"), cr(NET_PAY, "50000.00")],
        source="payroll",
        source_reference="PR-1",
    )


async def test_draft_edit_and_delete_need_if_match(api):
    body = {
        "description": "d",
        "posting_date": "2026-08-10",
        "lines": [dr(IT, "1.00", "CC01"), cr(BANK, "1.00")],
    }
    draft = (await api.post("/journals", body)).json()
    assert (
        await api.patch(f"/journals/{draft['id']}", {"description": "e"}, if_match=None)
    ).status_code == 428
    assert (
        await api.patch(f"/journals/{draft['id']}", {"description": "e"}, if_match='"9"')
    ).status_code == 412
    unbalanced = await api.patch(
        f"/journals/{draft['id']}",
        {"lines": [dr(IT, "2.00", "CC01"), cr(BANK, "1.00")]},
        if_match='"1"',
    )
    problem(unbalanced, 422, "journal-unbalanced")
    moved = await api.patch(
        f"/journals/{draft['id']}", {"posting_date": "2026-09-02"}, if_match='"1"'
    )
    assert moved.status_code == 200 and moved.json()["period"] == "2026-09"
    assert (await api.delete(f"/journals/{draft['id']}", if_match='"2"')).status_code == 204
    assert (await api.get(f"/journals/{draft['id']}")).status_code == 404


async def test_adjustment_journals_post_into_period_13(api):
    j = await api.post_journal(
        [dr(IT, "10.00", "CC01"), cr(BANK, "10.00")], posting_date="2027-03-31", adjustment=True
    )
    assert j["period"] == "2026-27-ADJ"
    assert (await api.trial_balance(period="2027-03"))["lines"] == []
    assert tb_lines(await api.trial_balance(period="2026-27-ADJ"))[IT] == ("10.00", "0.00")
    r = await api.post(
        "/journals",
        {
            "description": "x",
            "posting_date": "2026-08-01",
            "adjustment": True,
            "lines": [dr(IT, "1.00", "CC01"), cr(BANK, "1.00")],
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "posting_date"


async def test_a_reversal_stays_in_period_13_unless_given_a_date_as_documented(api):
    lines = [dr(IT, "10.00", "CC01"), cr(BANK, "10.00")]
    first, second = [
        await api.post_journal(lines, posting_date="2027-03-31", adjustment=True) for _ in range(2)
    ]
    same = await api.post(f"/journals/{first['id']}/reverse", {}, key="rev-adj-1")
    assert same.status_code == 201, same.text
    assert (same.json()["period"], same.json()["adjustment"]) == ("2026-27-ADJ", True)
    dated = await api.post(
        f"/journals/{second['id']}/reverse", {"posting_date": "2027-04-01"}, key="rev-adj-2"
    )
    assert dated.status_code == 201, dated.text
    assert (dated.json()["period"], dated.json()["adjustment"]) == ("2027-04", False)
    spec = (await api.client.get("/openapi.json")).json()
    said = spec["components"]["schemas"]["ReversalCreate"]["properties"]["adjustment"]
    assert "Without a posting_date it defaults to the original's" in said["description"]
    assert "with a posting_date, to false" in said["description"]


async def test_concurrent_postings_to_the_same_balances_all_count(api):
    async def one(i: int) -> None:
        await api.post_journal([dr(IT, "1.01", "CC01"), cr(FEES, "1.01", "CC01")], key=f"c-{i}")

    await asyncio.gather(*[one(i) for i in range(12)])
    lines = tb_lines(await api.trial_balance(period="2026-08"))
    assert lines[IT] == ("12.12", "0.00") and lines[FEES] == ("0.00", "12.12")


async def test_listing_finds_a_document_and_pages(api):
    for i in range(3):
        await api.post_journal(
            [dr(SALARIES, "1.00", "CC01"), cr(NET_PAY, "1.00")],
            source="payroll",
            source_reference=f"R{i}",
        )
    found = (await api.get("/journals", source="payroll", source_reference="R1")).json()["items"]
    assert [j["source_reference"] for j in found] == ["R1"] and "lines" not in found[0]
    page = await api.get("/journals", limit=2)
    assert len(page.json()["items"]) == 2 and 'rel="next"' in page.headers["link"]
    rest = await api.get("/journals", limit=2, cursor=page.json()["next_cursor"])
    assert len(rest.json()["items"]) == 1


async def test_every_change_is_audited_with_the_actor(api):
    j = await api.post_journal([dr(IT, "3.00", "CC01"), cr(BANK, "3.00")])
    events = (await api.get("/audit-events", resource_type="journal", resource_id=j["id"])).json()[
        "items"
    ]
    assert [e["action"] for e in events] == ["journal.posted"]
    assert events[0]["actor"] == "preparer"
    assert events[0]["after"]["lines"][0]["debit"] == "3.00"


async def test_analysis_codes_and_inactive_cost_centres(api):
    r = await api.post(
        "/analysis-codes", {"dimension": "programme", "code": "net-zero", "name": "Net zero"}
    )
    assert r.status_code == 201 and r.json()["code"] == "NET-ZERO"
    assert (
        await api.post(
            "/analysis-codes", {"dimension": "programme", "code": "NET-ZERO", "name": "x"}
        )
    ).status_code == 409
    j = await api.post_journal([dr(IT, "8.00", "CC01", programme="NET-ZERO"), cr(BANK, "8.00")])
    assert j["lines"][0]["programme"] == "NET-ZERO"
    wrong_dimension = await api.post(
        "/journals",
        {
            "description": "x",
            "posting_date": "2026-08-01",
            "lines": [dr(IT, "1.00", "CC01", project="NET-ZERO"), cr(BANK, "1.00")],
        },
    )
    assert wrong_dimension.status_code == 422
    assert wrong_dimension.json()["errors"][0]["field"] == "lines.0.project"
    cc = (await api.get("/cost-centres", code="CC02")).json()["items"][0]
    off = await api.patch(
        f"/cost-centres/{cc['id']}", {"active": False}, if_match=f'"{cc["version"]}"'
    )
    assert off.status_code == 200 and off.json()["active"] is False
    r = await api.post(
        "/journals",
        {
            "description": "x",
            "posting_date": "2026-08-01",
            "lines": [dr(IT, "1.00", "CC02"), cr(BANK, "1.00")],
        },
    )
    assert r.status_code == 422 and "inactive" in r.text


async def test_the_list_shows_each_journals_total_and_approval_as_by_id(api):
    posted = await api.post_journal([dr(IT, "120.50", "CC01"), cr(BANK, "120.50")])
    big = {
        "description": "big",
        "posting_date": "2026-08-10",
        "lines": [dr(IT, "5000.00", "CC01"), cr(BANK, "5000.00")],
    }
    draft = (await api.post("/journals", big)).json()
    listed = {j["id"]: j for j in (await api.get("/journals")).json()["items"]}
    assert listed[posted["id"]]["total"] == "120.50"
    assert listed[draft["id"]]["total"] == "5000.00"
    assert listed[draft["id"]]["requires_approval"] is True
    by_id = (await api.get(f"/journals/{draft['id']}")).json()
    assert {k: v for k, v in by_id.items() if k != "lines"} == listed[draft["id"]]


async def test_amounts_follow_the_published_pattern_and_maximum(api):
    def body(amount: object) -> dict:
        return {
            "description": "odd amount",
            "posting_date": "2026-08-01",
            "lines": [dr(IT, amount, "CC01"), cr(BANK, "10.00")],
        }

    bad = ["1E2", "1_000.00", "+10.00", " 10.00 ", "\uff11\uff10.\uff10\uff10", "10.0", "10"]
    for amount in [*bad, 10, "10000000000000.00"]:
        p = problem(await api.post("/journals", body(amount)), 422, "validation-failed")
        assert [e["field"] for e in p["errors"]] == ["lines.0.debit"], (amount, p)
    biggest = "9999999999999.99"  # the documented maximum, as HR's
    ok = await api.post(
        "/journals",
        {**body(biggest), "lines": [dr(IT, biggest, "CC01"), cr(BANK, biggest)]},
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["total"] == biggest
