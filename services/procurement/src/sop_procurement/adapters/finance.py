"""`FinanceLedger` over HTTP: finance's public API, through the gateway, with a token
exchanged for the internal token of the request procurement is serving (RFC 8693, ADR 0108),
so finance sees the person and `acting_service: sop-procurement`. The calls and their
contract are finance's "Procurement uses three calls" (docs/finance.md)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sop_procurement.ports import Availability, LedgerCommitment, PaidInvoice
from sop_procurement.problems import FinanceRefused, FinanceUnavailable
from sop_procurement.settings import ProcurementSettings
from sop_shared.clock import UK
from sop_shared.errors import ServiceUnavailable, ValidationFailed
from sop_shared.platform_client import (
    PlatformClient,
    PlatformProblem,
    TenantSession,
    TokenExchangeRefused,
)

SCOPES = "finance:read finance:write"
SOURCE = "procurement"


class FinanceGateway:
    """One per process: the platform client (built on first use, so a process that never
    calls finance needs no client key) and a ledger per request."""

    def __init__(
        self, settings: ProcurementSettings, *, client: PlatformClient | None = None
    ) -> None:
        self.settings = settings
        self._client: PlatformClient | None = client
        self._lock = asyncio.Lock()

    async def client(self) -> PlatformClient:
        async with self._lock:
            if self._client is None:
                self._client = PlatformClient.from_settings(
                    self.settings, deadline=self.settings.finance_deadline
                )
            return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def ledger_for(self, subject_token: str | None) -> HttpFinanceLedger:
        return HttpFinanceLedger(self, subject_token)


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


class HttpFinanceLedger:
    """The ledger for one request: the token exchange happens at the first call."""

    def __init__(self, gateway: FinanceGateway, subject_token: str | None) -> None:
        self._gateway = gateway
        self._token = subject_token
        self._session: TenantSession | None = None

    async def _finance(self) -> TenantSession:
        if self._session is None:
            if not self._token:
                raise FinanceUnavailable("no caller's token to act for at finance", retry_after=60)
            client = await self._gateway.client()
            try:
                self._session = await client.acting_for(self._token, scopes=SCOPES)
            except TokenExchangeRefused as exc:
                raise FinanceUnavailable(
                    f"the gateway refused procurement's token exchange ({exc.error}: "
                    f"{exc.detail or ''}); check procurement's client in the platform config",
                    retry_after=60,
                ) from None
        return self._session

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        finance = await self._finance()
        headers = {"Idempotency-Key": key} if key else None
        try:
            response = await finance.request(
                method, path, params=params, json=json, headers=headers
            )
        except ServiceUnavailable as exc:
            raise FinanceUnavailable(
                f"finance could not be reached: {exc.detail or exc}; nothing was changed",
                retry_after=int(exc.headers.get("Retry-After", "5")),
            ) from None
        except PlatformProblem as exc:
            what = f"finance answered {exc.status} {exc.title}: {exc.detail or ''}".rstrip(": ")
            if exc.status == 422:
                raise ValidationFailed(
                    what, errors=[(e["field"], e["message"]) for e in exc.errors] or None
                ) from None
            if exc.status >= 500 or exc.status == 429:
                raise FinanceUnavailable(what, retry_after=exc.retry_after or 5) from None
            raise FinanceRefused(what, finance_status=exc.status, finance_type=exc.type) from None
        body: dict[str, Any] = response.json()
        return body

    async def availability(self, cost_centre: str, account: str) -> Availability:
        body = await self._call(
            "GET",
            "/finance/v1/budget-availability",
            params={"cost_centre": cost_centre, "account": account},
        )
        return Availability(
            cost_centre_code=body["cost_centre_code"],
            account_code=body["account_code"],
            financial_year=body["financial_year"],
            budget=_money(body["budget"]),
            commitments=_money(body["commitments"]),
            actuals=_money(body["actuals"]),
            available=_money(body["available"]),
        )

    async def commitments(self, source_reference: str) -> list[LedgerCommitment]:
        found: list[LedgerCommitment] = []
        params = {"source_reference": source_reference, "limit": "500"}
        while True:
            body = await self._call("GET", "/finance/v1/commitments", params=params)
            found += [_commitment(item) for item in body["items"] if item["source"] == SOURCE]
            if not body.get("next_cursor"):
                return found
            params = {**params, "cursor": str(body["next_cursor"])}

    async def raise_commitment(
        self,
        *,
        key: str,
        cost_centre: str,
        account: str,
        commitment_date: date,
        amount: Decimal,
        source_reference: str,
        description: str | None = None,
    ) -> LedgerCommitment:
        body = await self._call(
            "POST",
            "/finance/v1/commitments",
            json={
                "cost_centre_code": cost_centre,
                "account_code": account,
                "commitment_date": commitment_date.isoformat(),
                "amount": f"{amount:.2f}",
                "source": SOURCE,
                "source_reference": source_reference,
                "description": description,
            },
            key=key,
        )
        return _commitment(body)

    async def release_commitment(
        self, commitment_id: str, *, key: str, amount: Decimal | None = None
    ) -> LedgerCommitment:
        body = await self._call(
            "POST",
            f"/finance/v1/commitments/{commitment_id}/release",
            json={"amount": f"{amount:.2f}"} if amount is not None else None,
            key=key,
        )
        return _commitment(body)

    async def _all(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params = {**params, "limit": "500"}
        while True:
            body = await self._call("GET", path, params=params)
            found += body["items"]
            if not body.get("next_cursor"):
                return found
            params = {**params, "cursor": str(body["next_cursor"])}

    async def paid_invoices(self, paid_from: date, paid_to: date) -> list[PaidInvoice]:
        """Finance's posted payment runs dated in the period, then each run's paid invoices
        (`GET /finance/v1/payment-runs`, `GET /finance/v1/supplier-invoices?payment_run_id=`);
        an invoice counts as received on the day finance recorded it (UK time)."""
        paid: list[PaidInvoice] = []
        for run in await self._all("/finance/v1/payment-runs", {}):
            paid_on = date.fromisoformat(run["payment_date"])
            if run["status"] != "posted" or not paid_from <= paid_on <= paid_to:
                continue
            invoices = await self._all(
                "/finance/v1/supplier-invoices",
                {"payment_run_id": str(run["id"]), "status": "paid"},
            )
            paid += [
                PaidInvoice(
                    number=str(item["number"]),
                    supplier_id=str(item["supplier_id"]),
                    total=_money(item["total"]),
                    received_on=datetime.fromisoformat(item["created_at"]).astimezone(UK).date(),
                    paid_on=paid_on,
                )
                for item in invoices
            ]
        return paid


def _commitment(body: dict[str, Any]) -> LedgerCommitment:
    return LedgerCommitment(
        id=str(body["id"]),
        number=str(body["number"]),
        amount=_money(body["amount"]),
        outstanding=_money(body["outstanding"]),
        status=str(body["status"]),
        description=body.get("description"),
    )
