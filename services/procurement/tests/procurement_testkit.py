"""Test kit for the procurement suite: a tenant-bound API client and request builders."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx

ALL = "procurement:read procurement:write procurement:approve"


def tenant_of(token: str) -> str:
    """The `sop_tenant` of an internal token (tests only: no signature check)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims.get("sop_tenant") or "")


class Api:
    """A client acting for one tenant: `as_(subject, scopes)` switches the caller."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        mint: Any,
        tenant: str,
        *,
        subject: str = "alice",
        scopes: str = ALL,
    ) -> None:
        self.client, self.mint, self.tenant = client, mint, tenant
        self.subject, self.scopes = subject, scopes
        self.ledger: Any = None

    def as_(self, subject: str | None = None, scopes: str | None = None) -> Api:
        other = Api(
            self.client,
            self.mint,
            self.tenant,
            subject=subject or self.subject,
            scopes=scopes or self.scopes,
        )
        other.ledger = self.ledger
        return other

    def headers(self, key: str | None = None, if_match: str | None = None) -> dict[str, str]:
        h = self.mint.headers(
            tenant=self.tenant, scopes=self.scopes, audience="sop-procurement", subject=self.subject
        )
        if key is not None:
            h["Idempotency-Key"] = key
        if if_match is not None:
            h["If-Match"] = if_match
        return h

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(
            f"/procurement/v1{path}", params=params, headers=self.headers()
        )

    async def post(
        self, path: str, body: Any = None, *, key: str | None = None, if_match: str | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"/procurement/v1{path}", json=body, headers=self.headers(key=key, if_match=if_match)
        )

    async def patch(self, path: str, body: Any, *, if_match: str | None) -> httpx.Response:
        return await self.client.patch(
            f"/procurement/v1{path}", json=body, headers=self.headers(if_match=if_match)
        )

    async def put(self, path: str, body: Any, *, if_match: str | None) -> httpx.Response:
        return await self.client.put(
            f"/procurement/v1{path}", json=body, headers=self.headers(if_match=if_match)
        )

    async def provision(self) -> None:
        headers = self.mint.headers(
            tenant=None, scopes="platform:admin", audience="sop-procurement", subject="gateway"
        )
        r = await self.client.put(
            f"/_internal/tenants/{self.tenant}", json={"cluster": "matrix"}, headers=headers
        )
        assert r.status_code == 200, r.text

    async def created(self, path: str, body: Any, *, key: str | None = None) -> dict[str, Any]:
        r = await self.post(path, body, key=key or uuid.uuid4().hex)
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data


def supplier(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "legal_name": "Acme Widgets Ltd",
        "company_number": "SC123456",
        "vat_number": "GB980780684",
        "sme": True,
        "bank_details": {
            "sort_code": "12-34-56",
            "account_number": "12345678",
            "account_name": "ACME WIDGETS",
        },
    }
    body.update(overrides)
    return body


def line(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "description": "Laptops",
        "cpv_code": "30213100-6",
        "quantity": "2",
        "unit_price": "500.00",
        "vat_rate": "20",
        "cost_centre_code": "CC01",
        "account_code": "41100000",
    }
    body.update(overrides)
    return body


async def draft_order(api: Api, *lines: dict[str, Any]) -> dict[str, Any]:
    """A draft purchase order for `lines` with a new supplier (a director, "boss", approves)."""
    await api.as_("admin").created(
        "/approval-limits", {"role": "director", "limit": "50000.00", "members": ["boss"]}
    )
    sup = await api.created("/suppliers", supplier())
    draft = await api.created("/requisitions", {"title": "Kit", "lines": list(lines)})
    assert (await api.post(f"/requisitions/{draft['id']}/submit")).status_code == 200
    assert (await api.as_("boss").post(f"/requisitions/{draft['id']}/approve")).status_code == 200
    return await api.created(
        "/purchase-orders", {"requisition_id": draft["id"], "supplier_id": sup["id"]}
    )


def contract(supplier_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Laptop supply",
        "supplier_id": supplier_id,
        "cpv_code": "30213100-6",
        "contract_type": "goods",
        "value": "150000.00",
        "start_date": "2026-04-01",
        "end_date": "2028-03-31",
        "procedure": "competitive_flexible",
    }
    body.update(overrides)
    return body
