"""Financial years, the year-end close, and the reports read from maintained balances."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
from finance_testkit import (
    BANK,
    EXPENDITURE_HEADER,
    FEES,
    FY,
    GENERAL_FUND,
    IT,
    NET_PAY,
    SALARIES,
    STAFF_HEADER,
    SUPPLIES,
    WRITER,
    Api,
    cr,
    dr,
)

from sop_finance.app import create_app
from sop_shared.clock import FixedClock
from sop_shared.testing.platform import native_platform


async def test_provisioning_gives_a_chart_and_two_years_idempotently(api):
    accounts = (await api.get("/accounts", limit=500)).json()["items"]
    codes = {a["code"]: a for a in accounts}
    assert len(accounts) >= 60
    roles = {a["control_role"]: a["code"] for a in accounts if a["control_role"]}
    assert roles == {
        "retained_earnings": GENERAL_FUND,
        "payables_control": "51100000",
        "vat_recoverable": "42300000",
    }
    assert codes[SALARIES]["parent_code"] == STAFF_HEADER and not codes[STAFF_HEADER]["postable"]
    await api.provision()  # again: nothing doubles
    assert len((await api.get("/accounts", limit=500)).json()["items"]) == len(accounts)
    years = (await api.get("/financial-years")).json()["items"]
    assert {"2026-27", "2027-28"} <= {y["label"] for y in years}
    periods = (await api.get("/periods", financial_year="2026-27")).json()["items"]
    assert [p["code"] for p in periods] == [
        *(f"2026-{m:02d}" for m in range(4, 13)),
        *(f"2027-{m:02d}" for m in range(1, 4)),
        "2026-27-ADJ",
    ]
    assert periods[0]["start_date"] == "2026-04-01" and periods[11]["end_date"] == "2027-03-31"
    assert all(p["status"] == "open" for p in periods)


async def test_tenants_extend_the_chart_within_its_rules(api):
    new = {
        "code": "22210000",
        "name": "Cloud hosting",
        "type": "expense",
        "parent_code": "22000000",
    }
    r = await api.post("/accounts", new)
    assert r.status_code == 201 and r.headers["location"].endswith(r.json()["id"])
    assert r.headers["etag"] == '"1"'
    assert (await api.post("/accounts", new)).status_code == 409
    bad_parent = await api.post("/accounts", {**new, "code": "22220000", "parent_code": "51000000"})
    assert (
        bad_parent.status_code == 422 and bad_parent.json()["errors"][0]["field"] == "parent_code"
    )
    role = await api.post(
        "/accounts",
        {
            **new,
            "code": "71300000",
            "type": "equity",
            "parent_code": None,
            "control_role": "retained_earnings",
        },
    )
    assert role.status_code == 422 and "71100000" in role.text
    acc = r.json()
    cycle = await api.patch(
        f"/accounts/{(await api.get('/accounts', code='22000000')).json()['items'][0]['id']}",
        {"parent_code": "22210000"},
        if_match='"1"',
    )
    assert cycle.status_code == 422 and "itself" in cycle.text
    renamed = await api.patch(f"/accounts/{acc['id']}", {"name": "Cloud"}, if_match='"1"')
    assert renamed.json()["name"] == "Cloud" and renamed.headers["etag"] == '"2"'
    assert (
        await api.patch(f"/accounts/{acc['id']}", {"type": "asset"}, if_match='"2"')
    ).status_code == 422


async def test_opening_a_year_needs_approve_and_happens_once(api):
    assert (
        await api.as_("clerk", WRITER).post("/financial-years", {"start_year": 2030})
    ).status_code == 403
    r = await api.post("/financial-years", {"start_year": 2030})
    assert r.status_code == 201 and r.headers["location"].endswith("/financial-years/2030-31")
    assert (await api.post("/financial-years", {"start_year": 2030})).status_code == 409
    assert (await api.get("/financial-years/2030-31")).json()["status"] == "open"
    assert (await api.get("/financial-years/2030-32")).status_code == 404


async def test_year_end_close_moves_income_and_expense_to_retained_earnings(api):
    await api.post_journal(
        [dr(SALARIES, "700.00", "CC01"), cr(NET_PAY, "700.00")], posting_date="2026-05-31"
    )
    await api.post_journal(
        [dr(IT, "200.00", "CC02"), cr(BANK, "200.00")], posting_date="2026-11-30"
    )
    await api.post_journal(
        [dr(BANK, "1000.00"), cr(FEES, "1000.00", "CC01")], posting_date="2027-02-01"
    )
    assert (
        await api.as_("clerk", WRITER).post(f"/financial-years/{FY}-27/close", key="c0")
    ).status_code == 403
    assert (await api.post(f"/financial-years/{FY}-27/close")).status_code == 428
    r = await api.post(f"/financial-years/{FY}-27/close", key="close-2026")
    assert r.status_code == 200, r.text
    year = r.json()
    assert year["status"] == "closed" and year["closing_journal_id"]
    closing = (await api.get(f"/journals/{year['closing_journal_id']}")).json()
    assert closing["period"] == "2026-27-ADJ" and closing["source"] == "year_end"
    assert {
        (ln["account_code"], ln["cost_centre_code"], ln["debit"], ln["credit"])
        for ln in closing["lines"]
    } == {
        (FEES, "CC01", "1000.00", "0.00"),
        (SALARIES, "CC01", "0.00", "700.00"),
        (IT, "CC02", "0.00", "200.00"),
        (GENERAL_FUND, None, "0.00", "100.00"),  # the surplus
    }
    before = await api.trial_balance(period="2027-03")
    assert {ln["account_code"] for ln in before["lines"]} >= {FEES, SALARIES, IT}
    after = await api.trial_balance(period="2026-27-ADJ")
    assert {ln["account_code"]: (ln["debit"], ln["credit"]) for ln in after["lines"]} == {
        BANK: ("800.00", "0.00"),
        NET_PAY: ("0.00", "700.00"),
        GENERAL_FUND: ("0.00", "100.00"),
    }
    assert after["total_debit"] == after["total_credit"] == "800.00"
    periods = (await api.get("/periods", financial_year="2026-27")).json()["items"]
    assert {p["status"] for p in periods} == {"closed"}
    # Closed means closed: no posting, no reopening, no second close.
    again = await api.post_journal(
        [dr(IT, "1.00", "CC01"), cr(BANK, "1.00")], posting_date="2027-01-15", expect=409
    )
    assert again["type"] == "urn:sop:problem:period-closed"
    p = periods[0]
    reopen = await api.patch(
        f"/periods/{p['code']}", {"status": "open"}, if_match=f'"{p["version"]}"'
    )
    assert reopen.status_code == 409
    assert (await api.post(f"/financial-years/{FY}-27/close", key="close-again")).status_code == 409
    # The replayed close answers as the first did.
    replay = await api.post(f"/financial-years/{FY}-27/close", key="close-2026")
    assert replay.status_code == 200 and replay.headers["idempotent-replayed"] == "true"
    # The next year carries on from the closed one: balance sheet balances roll forward.
    await api.post_journal([dr(IT, "5.00", "CC01"), cr(BANK, "5.00")], posting_date="2027-04-10")
    nxt = await api.trial_balance(period="2027-04")
    lines = {ln["account_code"]: (ln["debit"], ln["credit"]) for ln in nxt["lines"]}
    assert lines[BANK] == ("795.00", "0.00") and lines[IT] == ("5.00", "0.00")
    assert FEES not in lines


async def test_an_account_holding_a_balance_stays_postable_and_the_year_closes(api):
    """A header takes no postings: made one while it holds a balance, the account would stop the
    year-end close posting its closing line, so the change is refused and changes nothing."""
    await api.post_journal([dr(IT, "60.00", "CC01"), cr(BANK, "60.00")])
    it = (await api.get("/accounts", code=IT)).json()["items"][0]
    r = await api.patch(f"/accounts/{it['id']}", {"postable": False}, if_match=f'"{it["version"]}"')
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == "urn:sop:problem:validation-failed"
    assert [e["field"] for e in problem["errors"]] == ["postable"]
    assert "holds a balance (2026-27: CC01 60.00 debit)" in problem["detail"]
    assert (await api.get(f"/accounts/{it['id']}")).json() == it
    closed = await api.post(f"/financial-years/{FY}-27/close", key="close-with-balance")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"


async def test_trial_balance_by_period_and_as_of_is_cumulative(api):
    await api.post_journal(
        [dr(IT, "100.00", "CC01"), cr(BANK, "100.00")], posting_date="2026-04-15"
    )
    await api.post_journal(
        [dr(SUPPLIES, "40.00", "CC02"), cr(BANK, "40.00")], posting_date="2026-06-15"
    )
    april = await api.trial_balance(period="2026-04")
    june = await api.trial_balance(as_of="2026-06-01")
    assert april["total_debit"] == "100.00" and june["total_debit"] == "140.00"
    assert june["period"] == "2026-06" and june["period_end"] == "2026-06-30"
    assert (await api.get("/reports/trial-balance", period="2026-13")).status_code == 422
    both = await api.get("/reports/trial-balance", period="2026-06", as_of="2026-06-01")
    assert both.status_code == 422


async def test_account_balances_give_period_year_to_date_and_balance(api):
    await api.post_journal(
        [dr(IT, "100.00", "CC01"), cr(BANK, "100.00")], posting_date="2026-04-15"
    )
    await api.post_journal([dr(IT, "30.00", "CC02"), cr(BANK, "30.00")], posting_date="2026-05-15")
    await api.post_journal(
        [dr(SALARIES, "500.00", "CC01"), cr(NET_PAY, "500.00")], posting_date="2026-05-20"
    )
    await api.post_journal([dr(IT, "7.00", "CC01"), cr(BANK, "7.00")], posting_date="2027-04-02")
    r = (await api.get("/reports/account-balances", period="2026-05")).json()
    rows = {a["account_code"]: a for a in r["accounts"]}
    assert rows[IT]["period_debit"] == "30.00" and rows[IT]["ytd_debit"] == "130.00"
    assert rows[IT]["balance"] == "130.00" and rows[BANK]["balance"] == "-130.00"
    assert STAFF_HEADER not in rows
    rolled = (
        await api.get("/reports/account-balances", period="2026-05", include_headers=True)
    ).json()
    rows = {a["account_code"]: a for a in rolled["accounts"]}
    assert rows[STAFF_HEADER]["ytd_net"] == "500.00"
    assert rows[EXPENDITURE_HEADER]["ytd_net"] == "630.00"
    cc = (await api.get("/reports/account-balances", period="2026-05", cost_centre="CC02")).json()
    assert [(a["account_code"], a["ytd_net"]) for a in cc["accounts"]] == [(IT, "30.00")]
    next_year = (await api.get("/reports/account-balances", period="2027-04", account=IT)).json()
    [it] = next_year["accounts"]
    assert it["ytd_debit"] == "7.00" and it["balance"] == "137.00"


async def test_cost_centre_income_and_expenditure(api):
    await api.post_journal(
        [dr(IT, "100.00", "CC01"), cr(BANK, "100.00")], posting_date="2026-04-15"
    )
    await api.post_journal(
        [dr(SALARIES, "300.00", "CC01"), cr(NET_PAY, "300.00")], posting_date="2026-05-15"
    )
    await api.post_journal(
        [dr(BANK, "50.00"), cr(FEES, "50.00", "CC01")], posting_date="2026-05-16"
    )
    await api.post_journal([dr(IT, "9.00", "CC02"), cr(BANK, "9.00")], posting_date="2026-05-16")
    report = (await api.get("/reports/cost-centre-income-expenditure", period="2026-05")).json()
    by_cc = {s["cost_centre_code"]: s for s in report["cost_centres"]}
    cc1 = by_cc["CC01"]
    assert cc1["cost_centre_name"] == "Cost centre CC01"
    assert [(x["account_code"], x["period"], x["year_to_date"]) for x in cc1["expenditure"]] == [
        (SALARIES, "300.00", "300.00"),
        (IT, "0.00", "100.00"),
    ]
    assert [(x["account_code"], x["year_to_date"]) for x in cc1["income"]] == [(FEES, "50.00")]
    assert cc1["total_expenditure"] == "400.00" and cc1["net_expenditure"] == "350.00"
    assert cc1["period_net_expenditure"] == "250.00"
    only = (
        await api.get(
            "/reports/cost-centre-income-expenditure", period="2026-05", cost_centre="CC02"
        )
    ).json()
    assert [s["cost_centre_code"] for s in only["cost_centres"]] == ["CC02"]


async def test_budget_availability_is_budget_less_commitments_less_actuals(api):
    for period, amount in (("2026-05", "1000.00"), ("2026-06", "500.00")):
        r = await api.post(
            "/budgets",
            {"cost_centre_code": "CC01", "account_code": IT, "period": period, "amount": amount},
        )
        assert r.status_code == 201, r.text
    dup = await api.post(
        "/budgets",
        {"cost_centre_code": "CC01", "account_code": IT, "period": "2026-05", "amount": "1.00"},
    )
    assert dup.status_code == 409 and dup.json()["budget_id"]
    c = await api.post(
        "/commitments",
        {
            "cost_centre_code": "CC01",
            "account_code": IT,
            "commitment_date": "2026-05-10",
            "amount": "300.00",
            "source": "procurement",
            "source_reference": "PO-1",
        },
    )
    assert (
        c.status_code == 201
        and c.json()["outstanding"] == "300.00"
        and c.json()["period"] == "2026-05"
    )
    await api.post_journal(
        [dr(IT, "120.00", "CC01"), cr(BANK, "120.00")], posting_date="2026-05-20"
    )
    year = (
        await api.get(
            "/budget-availability", cost_centre="CC01", account=IT, financial_year="2026-27"
        )
    ).json()
    assert (year["budget"], year["commitments"], year["actuals"], year["available"]) == (
        "1500.00",
        "300.00",
        "120.00",
        "1080.00",
    )
    june = (
        await api.get("/budget-availability", cost_centre="CC01", account=IT, period="2026-06")
    ).json()
    assert june["available"] == "500.00" and june["period"] == "2026-06"
    released = await api.post(f"/commitments/{c.json()['id']}/release", {"amount": "100.00"})
    assert released.json()["outstanding"] == "200.00" and released.json()["status"] == "open"
    too_much = await api.post(f"/commitments/{c.json()['id']}/release", {"amount": "250.00"})
    assert too_much.status_code == 422
    rest = await api.post(f"/commitments/{c.json()['id']}/release")
    assert rest.json()["status"] == "closed"
    year = (
        await api.get(
            "/budget-availability", cost_centre="CC01", account=IT, financial_year="2026-27"
        )
    ).json()
    assert Decimal(year["available"]) == Decimal("1380.00")
    budget = (await api.get("/budgets", cost_centre="CC01", period="2026-06")).json()["items"][0]
    changed = await api.patch(f"/budgets/{budget['id']}", {"amount": "600.00"}, if_match='"1"')
    assert changed.status_code == 200 and changed.json()["amount"] == "600.00"
    assert (
        await api.get("/budget-availability", cost_centre="NOPE", account=IT)
    ).status_code == 422


async def test_a_closed_years_budget_still_shows_what_was_spent_against_it(api):
    """The year-end close moves every expense balance to reserves in period 13; availability
    leaves that closing journal out, so the closed year's actuals stay what was spent."""
    r = await api.post(
        "/budgets",
        {"cost_centre_code": "CC01", "account_code": IT, "period": "2026-05", "amount": "1000.00"},
    )
    assert r.status_code == 201, r.text
    await api.post_journal(
        [dr(IT, "120.00", "CC01"), cr(BANK, "120.00")], posting_date="2026-05-20"
    )
    where = {"cost_centre": "CC01", "account": IT}
    before = (await api.get("/budget-availability", financial_year="2026-27", **where)).json()
    assert (before["actuals"], before["available"]) == ("120.00", "880.00")
    closed = await api.post(f"/financial-years/{FY}-27/close", key="close-budget-year")
    assert closed.status_code == 200 and closed.json()["closing_journal_id"], closed.text
    adj = await api.trial_balance(period="2026-27-ADJ")
    assert IT not in {ln["account_code"] for ln in adj["lines"]}  # the balance went to reserves
    after = (await api.get("/budget-availability", financial_year="2026-27", **where)).json()
    assert (after["budget"], after["actuals"], after["available"]) == (
        "1000.00",
        "120.00",
        "880.00",
    )
    period_13 = (await api.get("/budget-availability", period="2026-27-ADJ", **where)).json()
    assert period_13["actuals"] == "0.00"


async def test_business_dates_turn_at_midnight_in_london(
    finance_pg_url, make_settings, mint, tenant
):
    """00:30 BST on 1 April 2026 is still 31 March in UTC: provisioning's current year, the
    report period and the budget year by default are already 2026-27, and the instants a
    journal carries, and every record's created_at and updated_at, are the kernel clock's."""
    moment = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    app = create_app(
        make_settings(finance_pg_url), clock=FixedClock(moment), platform=native_platform()
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://finance") as client:
        api = Api(client, mint, tenant)
        await api.provision()
        years = (await api.get("/financial-years")).json()["items"]
        assert [y["label"] for y in years] == ["2026-27", "2027-28"]  # not 2025-26

        journal = await api.post_journal(
            [dr(BANK, "25.00"), cr(GENERAL_FUND, "25.00")], posting_date="2026-04-01"
        )
        assert datetime.fromisoformat(journal["posted_at"]) == moment
        stamps = {datetime.fromisoformat(journal[k]) for k in ("created_at", "updated_at")}
        assert stamps == {moment}
        tb = await api.trial_balance()
        assert (tb["period"], tb["financial_year"]) == ("2026-04", "2026-27")
        assert tb["total_debit"] == "25.00"
        balances = (await api.get("/reports/account-balances")).json()
        assert balances["period"] == "2026-04"

        r = await api.post("/cost-centres", {"code": "CC01", "name": "One"})
        assert r.status_code == 201, r.text
        renamed = await api.patch(
            f"/cost-centres/{r.json()['id']}", {"name": "Uno"}, if_match='"1"'
        )
        assert renamed.status_code == 200, renamed.text
        assert datetime.fromisoformat(renamed.json()["updated_at"]) == moment
        avail = await api.get("/budget-availability", cost_centre="CC01", account=IT)
        assert avail.status_code == 200, avail.text
        assert avail.json()["financial_year"] == "2026-27"
    await app.state.kernel.database.dispose()
