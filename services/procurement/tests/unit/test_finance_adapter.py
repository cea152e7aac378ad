"""The FinanceLedger's HTTP adapter against a scripted gateway (httpx's MockTransport): the
token exchange, finance's contract as procurement reads it, and what finance's failures
become (503 with Retry-After when it cannot answer; its refusals named)."""

from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sop_procurement.adapters.finance import FinanceGateway
from sop_procurement.problems import FinanceRefused, FinanceUnavailable
from sop_procurement.settings import ProcurementSettings
from sop_shared.errors import ValidationFailed
from sop_shared.platform_client import PlatformClient
from sop_shared.security import generate_signing_key


def _token(**claims: Any) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'ES256'})}.{part(claims)}.sig"


class Gateway:
    """Answers the token endpoint and scripted finance calls; records what it was sent."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/platform/v1/oauth/token":
            return httpx.Response(
                200,
                json={
                    "access_token": _token(sop_tenant="cabinet-office", sub="alice"),
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "finance:read finance:write",
                },
            )
        return self.answers.pop(0)


async def _no_sleep(_: float) -> None:
    return None


def ledger(gateway: Gateway) -> Any:
    client = PlatformClient(
        "http://gateway",
        "sop-procurement",
        generate_signing_key(),
        transport=httpx.MockTransport(gateway),
        sleep=_no_sleep,
    )
    settings = ProcurementSettings(env="test", database_url="sqlite+aiosqlite://")
    return FinanceGateway(settings, client=client).ledger_for("the-internal-token")


AVAILABLE = {
    "cost_centre_code": "CC01",
    "account_code": "22200000",
    "financial_year": "2026-27",
    "period": None,
    "budget": "5000.00",
    "commitments": "1000.00",
    "actuals": "250.50",
    "available": "3749.50",
}


async def test_availability_is_asked_with_the_exchanged_token():
    gateway = Gateway(httpx.Response(200, json=AVAILABLE))
    found = await ledger(gateway).availability("CC01", "22200000")
    assert found.available == Decimal("3749.50") and found.financial_year == "2026-27"
    exchange, call = gateway.requests
    assert b"subject_token=the-internal-token" in exchange.content
    assert call.url.path == "/finance/v1/budget-availability"
    assert dict(call.url.params) == {"cost_centre": "CC01", "account": "22200000"}
    assert call.headers["authorization"].startswith("Bearer ")


async def test_a_commitment_carries_the_key_and_finance_contract():
    answer = {
        "id": "0193-c",
        "number": "CMT-000001",
        "amount": "1000.00",
        "outstanding": "1000.00",
        "status": "open",
    }
    gateway = Gateway(httpx.Response(201, json=answer))
    made = await ledger(gateway).raise_commitment(
        key="po-line-1",
        cost_centre="CC01",
        account="22200000",
        commitment_date=date(2026, 4, 1),
        amount=Decimal("1000.00"),
        source_reference="PO-000001",
        description="PO-000001 line 1: Laptops",
    )
    assert made.number == "CMT-000001" and made.outstanding == Decimal("1000.00")
    call = gateway.requests[-1]
    assert call.headers["idempotency-key"] == "po-line-1"
    assert json.loads(call.content) == {
        "cost_centre_code": "CC01",
        "account_code": "22200000",
        "commitment_date": "2026-04-01",
        "amount": "1000.00",
        "source": "procurement",
        "source_reference": "PO-000001",
        "description": "PO-000001 line 1: Laptops",
    }


async def test_finance_unavailable_is_a_503_with_its_retry_after():
    down = httpx.Response(503, headers={"Retry-After": "9"}, json={"title": "down"})
    gateway = Gateway(down, down, down)
    with pytest.raises(FinanceUnavailable) as failed:
        await ledger(gateway).availability("CC01", "22200000")
    assert failed.value.status == 503 and failed.value.headers["Retry-After"] == "9"


def _problem(status: int, slug: str, **extra: Any) -> httpx.Response:
    body = {"type": f"urn:sop:problem:{slug}", "title": slug, "status": status, **extra}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


async def test_finance_refusals_are_named():
    gateway = Gateway(
        _problem(
            422,
            "validation-failed",
            detail="unknown cost centre",
            errors=[{"field": "cost_centre", "message": "unknown"}],
        ),
        _problem(409, "invalid-state", detail="commitment CMT-000001 is fully released"),
    )
    finance = ledger(gateway)
    with pytest.raises(ValidationFailed) as invalid:
        await finance.availability("CC99", "22200000")
    assert "unknown cost centre" in str(invalid.value.detail)
    with pytest.raises(FinanceRefused) as refused:
        await finance.release_commitment("0193-c", key="k")
    assert refused.value.extensions["finance_status"] == 409
    assert "fully released" in str(refused.value.detail)


async def test_an_orders_commitments_are_read_page_by_page():
    def item(n: int, source: str = "procurement") -> dict[str, Any]:
        return {
            "id": f"c{n}",
            "number": f"CMT-00000{n}",
            "amount": "10.00",
            "outstanding": "10.00",
            "status": "open",
            "source": source,
            "description": f"[po-line-{n}] PO-000001",
        }

    gateway = Gateway(
        httpx.Response(200, json={"items": [item(1), item(2, "manual")], "next_cursor": "p2"}),
        httpx.Response(200, json={"items": [item(3)], "next_cursor": None}),
    )
    found = await ledger(gateway).commitments("PO-000001")
    assert [c.id for c in found] == ["c1", "c3"]  # a manual commitment is not procurement's
    assert found[0].description == "[po-line-1] PO-000001"
    first, second = gateway.requests[1:]
    assert first.url.params["source_reference"] == "PO-000001"
    assert second.url.params["cursor"] == "p2"


async def test_paid_invoices_come_from_posted_runs_in_the_period():
    def run(run_id: str, paid: str, status: str = "posted") -> dict[str, Any]:
        return {"id": run_id, "payment_date": paid, "status": status}

    runs = {
        "items": [
            run("r1", "2026-10-06"),
            run("r2", "2026-10-07", status="proposed"),
            run("r3", "2027-01-04"),
        ],
        "next_cursor": "c2",
    }
    more = {"items": [run("r4", "2026-12-31")], "next_cursor": None}
    invoice = {
        "number": "SINV-000001",
        "supplier_id": "sup-1",
        "total": "120.00",
        # 23:30 UTC on 30 September is 00:30 on 1 October in the UK (BST).
        "created_at": "2026-09-30T23:30:00+00:00",
    }
    gateway = Gateway(
        httpx.Response(200, json=runs),
        httpx.Response(200, json=more),
        httpx.Response(200, json={"items": [invoice], "next_cursor": None}),
        httpx.Response(200, json={"items": [], "next_cursor": None}),
    )
    paid = await ledger(gateway).paid_invoices(date(2026, 10, 1), date(2026, 12, 31))
    assert [(p.number, p.received_on, p.paid_on, p.total) for p in paid] == [
        ("SINV-000001", date(2026, 10, 1), date(2026, 10, 6), Decimal("120.00"))
    ]
    calls = gateway.requests[1:]
    assert [c.url.path for c in calls] == [
        "/finance/v1/payment-runs",
        "/finance/v1/payment-runs",
        "/finance/v1/supplier-invoices",
        "/finance/v1/supplier-invoices",
    ]
    assert calls[1].url.params["cursor"] == "c2"
    assert dict(calls[2].url.params) == {"payment_run_id": "r1", "status": "paid", "limit": "500"}
    assert calls[3].url.params["payment_run_id"] == "r4"
