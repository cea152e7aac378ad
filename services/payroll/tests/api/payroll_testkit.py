"""Helpers for payroll's API tests: a caller holding a minted token, and HMRC's 2025-26 test
data, read from this repository's tests/data/hmrc/2025-26 as the engine's tests read it."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import httpx

HMRC_DATA = Path(__file__).resolve().parents[1] / "data" / "hmrc" / "2025-26"
CALCULATIONS = "/payroll/v1/calculations"

Row = dict[str, Any]


class Caller:
    """A client of payroll for one tenant, holding `payroll:read` unless told otherwise."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        mint: Any,
        tenant: str | None,
        *,
        scopes: str = "payroll:read",
        audience: str = "sop-payroll",
    ) -> None:
        self.client, self.mint, self.tenant = client, mint, tenant
        self.scopes, self.audience = scopes, audience

    def as_(self, **changes: Any) -> Caller:
        options = {"scopes": self.scopes, "audience": self.audience, **changes}
        tenant = options.pop("tenant", self.tenant)
        return Caller(self.client, self.mint, tenant, **options)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        token = self.mint(
            tenant=self.tenant, scopes=self.scopes, audience=self.audience, subject="payroll-1"
        )
        return {"Authorization": f"Bearer {token}", **(extra or {})}

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.headers(kw.pop("headers", None)), **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.post(path, headers=self.headers(kw.pop("headers", None)), **kw)

    async def calculate(self, what: str, body: dict[str, Any], status: int = 200) -> Any:
        """POST /payroll/v1/calculations/<what>; the JSON answer, after checking the status."""
        r = await self.post(f"{CALCULATIONS}/{what}", json=body)
        assert r.status_code == status, r.text
        return r.json()

    async def refused(self, what: str, body: dict[str, Any]) -> list[str]:
        """The fields a 422 problem names for `body`."""
        r = await self.post(f"{CALCULATIONS}/{what}", json=body)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["status"] == 422 and problem["type"].startswith("urn:sop:problem:")
        return [e["field"] for e in problem["errors"]]


# --- HMRC's test data -------------------------------------------------------------------------


@cache
def hmrc_rows(name: str) -> tuple[Row, ...]:
    with (HMRC_DATA / name).open(encoding="utf-8") as handle:
        return tuple(json.load(handle, parse_float=Decimal))


@cache
def hmrc_sheets(name: str) -> dict[str, tuple[Row, ...]]:
    """Rows grouped by employee: a sheet's consecutive rows, a new employee at period 1 (or 0)."""
    sheets: dict[str, list[Row]] = {}
    current: list[Row] = []
    for row in hmrc_rows(name):
        sheet = row["TestIdentifier"].rsplit("/", 1)[0]
        if (
            not current
            or current[-1]["TestIdentifier"].rsplit("/", 1)[0] != sheet
            or (row["Period"] <= 1)
        ):
            current = []
            sheets[row["TestIdentifier"].replace(" ", "")] = current
        current.append(row)
    return {key: tuple(rows) for key, rows in sheets.items()}


def amount(value: Any) -> str:
    """An HMRC figure (a JSON number) as the API takes money: a two-place decimal string."""
    return f"{Decimal(value):.2f}"
