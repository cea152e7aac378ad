"""Test kit for the finance suite: a tenant-bound API client and journal line builders."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx

ALL = "finance:read finance:write finance:approve"
WRITER = "finance:read finance:write"
THRESHOLD = Decimal("1000.00")
# Provisioning opens the financial year of "today" (the shared apps' clock stands at 1 April
# 2026: conftest.TODAY) and the next; tests post into 2026-27 and 2027-28, which they open
# themselves as well.
FY = 2026


class Api:
    """A client acting for one tenant: `as_(subject, scopes)` switches the caller."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        mint: Any,
        tenant: str,
        *,
        subject: str = "preparer",
        scopes: str = ALL,
    ) -> None:
        self.client, self.mint, self.tenant = client, mint, tenant
        self.subject, self.scopes = subject, scopes

    def as_(self, subject: str | None = None, scopes: str | None = None) -> Api:
        return Api(
            self.client,
            self.mint,
            self.tenant,
            subject=subject or self.subject,
            scopes=scopes or self.scopes,
        )

    def headers(self, key: str | None = None, if_match: str | None = None) -> dict[str, str]:
        h = self.mint.headers(
            tenant=self.tenant, scopes=self.scopes, audience="sop-finance", subject=self.subject
        )
        if key is not None:
            h["Idempotency-Key"] = key
        if if_match is not None:
            h["If-Match"] = if_match
        return h

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(f"/finance/v1{path}", params=params, headers=self.headers())

    async def post(self, path: str, body: Any = None, *, key: str | None = None) -> httpx.Response:
        return await self.client.post(
            f"/finance/v1{path}", json=body, headers=self.headers(key=key)
        )

    async def patch(self, path: str, body: Any, *, if_match: str | None) -> httpx.Response:
        return await self.client.patch(
            f"/finance/v1{path}", json=body, headers=self.headers(if_match=if_match)
        )

    async def delete(self, path: str, *, if_match: str | None) -> httpx.Response:
        return await self.client.delete(
            f"/finance/v1{path}", headers=self.headers(if_match=if_match)
        )

    # --- conveniences for building a ledger
    async def provision(self) -> httpx.Response:
        headers = self.mint.headers(
            tenant=None, scopes="platform:admin", audience="sop-finance", subject="gateway"
        )
        r = await self.client.put(
            f"/_internal/tenants/{self.tenant}", json={"cluster": "matrix"}, headers=headers
        )
        assert r.status_code == 200, r.text
        return r

    async def open_year(self, start_year: int) -> None:
        r = await self.post("/financial-years", {"start_year": start_year})
        assert r.status_code in (201, 409), r.text

    async def post_journal(
        self,
        lines: list[dict[str, Any]],
        *,
        posting_date: str = "2026-08-15",
        key: str | None = None,
        expect: int = 201,
        **extra: Any,
    ) -> dict[str, Any]:
        body = {"description": "test", "posting_date": posting_date, "lines": lines, "post": True}
        body.update(extra)
        r = await self.post("/journals", body, key=key or uuid.uuid4().hex)
        assert r.status_code == expect, r.text
        return r.json()

    async def trial_balance(self, **params: Any) -> dict[str, Any]:
        r = await self.get("/reports/trial-balance", **params)
        assert r.status_code == 200, r.text
        return r.json()


def dr(account: str, amount: str, cc: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"account_code": account, "debit": amount, "cost_centre_code": cc, **kw}


def cr(account: str, amount: str, cc: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"account_code": account, "credit": amount, "cost_centre_code": cc, **kw}


def check_standard18(text: str) -> dict:
    """Structural check of a BACS Standard 18 file: record lengths, labels in order, the
    allowed characters, and a UTL1 trailer whose totals and counts match the records."""
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    assert [ln[:4] for ln in lines[:4]] == ["VOL1", "HDR1", "HDR2", "UHL1"]
    assert [ln[:4] for ln in lines[-3:]] == ["EOF1", "EOF2", "UTL1"]
    labels, records = lines[:4] + lines[-3:], lines[4:-3]
    assert all(len(ln) == 80 for ln in labels), [len(ln) for ln in labels]
    assert records and all(len(r) == 100 for r in records), [len(r) for r in records]
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.&/- ")
    assert all(set(ln) <= allowed for ln in lines), [set(ln) - allowed for ln in lines]
    vol1, hdr1, hdr2, uhl1 = lines[:4]
    eof1, eof2, utl1 = lines[-3:]
    assert vol1[79] == "1" and hdr1[4:21] == eof1[4:21] and hdr1[21:27] == vol1[4:10]
    assert hdr2[4:] == eof2[4:] and hdr2[4:15] == "F0200000100"
    assert uhl1[28:37] == "1 DAILY  "
    debits = [r for r in records if r[15:17] == "17"]
    credits = [r for r in records if r[15:17] == "99"]
    assert len(debits) + len(credits) == len(records)
    assert all(r[14] == "0" and r[0:6].isdigit() and r[6:14].isdigit() for r in records)
    debit_total = sum(int(r[35:46]) for r in debits)
    credit_total = sum(int(r[35:46]) for r in credits)
    assert int(utl1[4:17]) == debit_total
    assert int(utl1[17:30]) == credit_total
    assert int(utl1[30:37]) == len(debits)
    assert int(utl1[37:44]) == len(credits)
    assert debit_total == credit_total  # the contra balances the credits
    contra = debits[-1]
    assert contra[0:14] == contra[17:31] and contra[64:82].rstrip() == "CONTRA"
    return {"credits": credits, "contra": contra, "total_pence": credit_total, "uhl1": uhl1}


# Accounts of the default chart the tests use.
SALARIES, IT, SUPPLIES = "21100000", "22200000", "22500000"
FEES, GRANT_INCOME = "11200000", "12100000"
BANK, VAT, PAYABLES, NET_PAY, GENERAL_FUND = (
    "43100000",
    "42300000",
    "51100000",
    "52100000",
    "71100000",
)
EXPENDITURE_HEADER, STAFF_HEADER = "20000000", "21000000"


async def ledger(client: httpx.AsyncClient, mint: Any, tenant: str) -> Api:
    api = Api(client, mint, tenant)
    await api.provision()
    for year in (FY, FY + 1):
        await api.open_year(year)
    for code in ("CC01", "CC02"):
        r = await api.post("/cost-centres", {"code": code, "name": f"Cost centre {code}"})
        assert r.status_code == 201, r.text
    return api
