"""Payroll's calculator end to end: the real gateway and payroll as processes on PostgreSQL, a
department onboarded through the platform API, and a token from the gateway's development
identity provider, calling http://127.0.0.1:<gateway port>/payroll/v1/...

The shared `stack` fixture (conftest.py) starts HR and a stand-in, not payroll, so this module
starts its own gateway with payroll behind it, the way `sop run` does: keys, migrations and
demo data first, then payroll, then the gateway."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_payroll")]

ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "dev-secret"  # the development IdP's seeded client secret (sop_gateway.seed)
INCOME_TAX = {
    "tax_year": "2026-27",
    "pay_frequency": "monthly",
    "period": 3,
    "tax_code": "S1257L",
    "week1_month1": False,
    "taxable_pay": "1234.56",
    "previous_taxable_pay_to_date": "2469.12",
    "previous_tax_paid_to_date": "301.40",
}
NATIONAL_INSURANCE = {
    "tax_year": "2025-26",
    "pay_frequency": "weekly",
    "period": 1,
    "ni_category": "A",
    "gross_pay": "967.01",
}
PLATFORM_YAML = """
services:
  payroll: {{url: "http://127.0.0.1:{payroll}"}}
clusters:
  matrix:
    description: native everything
    bindings: {{payroll: {{adapter: native}}}}
identity:
  audience: sop-api
  issuers: []
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    factory: str
    port: int
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [sys.executable, "-m", "uvicorn", "--factory", self.factory]
        args += ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
        self.proc = subprocess.Popen(
            args,
            env=self.env,
            cwd=ROOT,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} never became healthy:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class PayrollStack:
    gateway: Server
    payroll: Server

    @property
    def url(self) -> str:
        return self.gateway.url


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def payroll_stack(
    tmp_path_factory: pytest.TempPathFactory, make_postgres_database: Any
) -> AsyncIterator[PayrollStack]:
    from sop_gateway.keys import ensure_keys
    from sop_gateway.seed import seed
    from sop_gateway.settings import GatewaySettings
    from sop_shared.db import Database
    from sop_shared.migrations import upgrade_async
    from sop_shared.platform_config import load_platform_config

    workdir = tmp_path_factory.mktemp("e2e_payroll")
    gateway_port, payroll_port = free_port(), free_port()
    gateway_db = await make_postgres_database("e2e_payroll_gateway")
    payroll_db = await make_postgres_database("e2e_payroll")
    config = workdir / "platform.yaml"
    config.write_text(PLATFORM_YAML.format(payroll=payroll_port))
    keys = workdir / "keys"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOP_")},
        "SOP_ENV": "development",  # the gateway's development identity provider is on
        "SOP_DATA_DIR": str(workdir),
        "SOP_PLATFORM_CONFIG": str(config),
        "SOP_INTERNAL_JWKS_FILE": str(keys / "internal-jwks.json"),
        "SOP_GATEWAY_PORT": str(gateway_port),
        "SOP_GATEWAY_DATABASE_URL": gateway_db,
        "SOP_GATEWAY_OPENAPI_CACHE_SECONDS": "2",
        "SOP_PAYROLL_PORT": str(payroll_port),
        "SOP_PAYROLL_DATABASE_URL": payroll_db,
        "SOP_LOG_JSON": "true",
    }
    settings = GatewaySettings(
        env="development",
        port=gateway_port,
        database_url=gateway_db,
        platform_config=str(config),
        key_dir=str(keys),
        internal_jwks_file=str(keys / "internal-jwks.json"),
    )
    ensure_keys(settings)  # before payroll starts, so it finds the gateway's public keys
    await upgrade_async(ROOT / "gateway" / "alembic.ini", gateway_db)
    await upgrade_async(ROOT / "services" / "payroll" / "alembic.ini", payroll_db)
    database = Database(gateway_db)
    await seed(database, settings, load_platform_config(config))
    await database.dispose()

    payroll = Server("payroll", "sop_payroll.app:create_app", payroll_port, env, workdir / "p.log")
    gateway = Server(
        "gateway", "sop_gateway.app:create_app", gateway_port, env, workdir / "gateway.log"
    )
    try:
        payroll.start()
        await asyncio.to_thread(payroll.wait_healthy)
        gateway.start()
        await asyncio.to_thread(gateway.wait_healthy)
        yield PayrollStack(gateway=gateway, payroll=payroll)
    finally:
        gateway.stop()
        payroll.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def client(payroll_stack: PayrollStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=payroll_stack.url, timeout=30) as c:
        yield c


async def dev_token(client: httpx.AsyncClient, client_id: str, scope: str) -> str:
    """An access token from the gateway's development IdP (client credentials)."""
    r = await client.post(
        "/idp/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(client_id, DEV_SECRET),
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@pytest_asyncio.fixture(loop_scope="session")
async def department(client: httpx.AsyncClient) -> str:
    """A department onboarded through the platform API (which provisions it in payroll); in
    development onboarding also gives it a client of the dev IdP, `<slug>-integrator`."""
    admin = await dev_token(client, "sop-admin", "platform:admin")
    slug = f"t-{uuid.uuid4().hex[:10]}"
    r = await client.post(
        "/platform/v1/tenants",
        json={"slug": slug, "name": f"Department {slug}", "cluster": "matrix"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert r.status_code == 201, r.text
    # The gateway routes POSTs by the scopes payroll's OpenAPI document declares (payroll:read
    # for a calculation); reading the merged document makes sure it has payroll's.
    spec = (await client.get("/openapi.json")).json()
    assert "/payroll/v1/calculations/income-tax" in spec["paths"]
    return slug


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_calculator_through_the_gateway_with_a_dev_idp_token(client, department):
    token = await dev_token(client, f"{department}-integrator", "payroll:read")
    r = await client.post(
        "/payroll/v1/calculations/income-tax", json=INCOME_TAX, headers=bearer(token)
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["tax_due"] == "-195.38" and answer["tax_due_to_date"] == "106.02"
    assert answer["taxable_pay_to_date"] == "3703.68" and answer["regime"] == "scotland"
    assert r.headers["x-request-id"]

    r = await client.post(
        "/payroll/v1/calculations/national-insurance",
        json=NATIONAL_INSURANCE,
        headers=bearer(token),
    )
    assert r.status_code == 200, r.text
    ni = r.json()
    assert (ni["employee_contribution"], ni["employer_contribution"]) == ("58.00", "130.65")

    r = await client.post(
        "/payroll/v1/calculations/payslip",
        json={
            "tax_year": "2025-26",
            "pay_frequency": "monthly",
            "period": 1,
            "tax_code": "1257L",
            "ni_category": "A",
            "pay_items": [{"kind": "basic", "amount": "3000.00"}],
        },
        headers=bearer(token),
    )
    assert r.status_code == 200, r.text
    slip = r.json()
    assert Decimal(slip["net_pay"]) == Decimal(slip["gross_pay"]) - Decimal(
        slip["total_deductions"]
    )

    r = await client.get("/payroll/v1/tax-years", headers=bearer(token))
    assert r.status_code == 200
    assert "2025-26" in [y["tax_year"] for y in r.json()["items"]]


async def test_the_gateway_and_payroll_refuse_what_they_should(client, department):
    r = await client.post("/payroll/v1/calculations/income-tax", json=INCOME_TAX)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"

    other_scope = await dev_token(client, f"{department}-integrator", "payroll:run hr:read")
    r = await client.post(
        "/payroll/v1/calculations/income-tax", json=INCOME_TAX, headers=bearer(other_scope)
    )
    assert r.status_code == 403

    token = await dev_token(client, f"{department}-integrator", "payroll:read")
    r = await client.post(
        "/payroll/v1/calculations/income-tax",
        json={**INCOME_TAX, "taxable_pay": 1234.56},
        headers=bearer(token),
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["taxable_pay"]
    r = await client.post(
        "/payroll/v1/calculations/income-tax",
        json={**INCOME_TAX, "tax_code": "1257Q"},
        headers=bearer(token),
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["tax_code"]


async def test_an_idempotency_key_through_the_gateway(client, department):
    token = await dev_token(client, f"{department}-integrator", "payroll:read")
    headers = {**bearer(token), "Idempotency-Key": f"calc-{uuid.uuid4().hex}"}
    first = await client.post(
        "/payroll/v1/calculations/national-insurance", json=NATIONAL_INSURANCE, headers=headers
    )
    again = await client.post(
        "/payroll/v1/calculations/national-insurance", json=NATIONAL_INSURANCE, headers=headers
    )
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
