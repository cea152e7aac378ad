"""Pay runs end to end, with real processes: the gateway, HR (native, and on the Oracle-like and
SAP-like suites), finance, payroll, payroll workers, a NATS of the stack's own, real tokens.

A department's month goes from HR's records to a finalised run through the gateway, for a
tenant on each HR adapter: the journal is in finance's ledger, finance holds a BACS file whose
total is the net pay, the FPS validates, a second run for the period is refused and the
starter cannot approve. A worker killed mid-run still leaves every employee paid once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_payroll.rti.fps import validate_fps
from sop_shared.testing import nats as testing_nats

HERE = Path(__file__).resolve().parent


def _e2e_kit() -> Any:
    """The e2e conftest's process helpers (importlib import mode: loaded by path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("e2e_kit", HERE / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("e2e_kit", module)
    spec.loader.exec_module(module)
    return sys.modules["e2e_kit"]


_kit = _e2e_kit()
ROOT, Process, free_port, make_idp = _kit.ROOT, _kit.Process, _kit.free_port, _kit.make_idp

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("pay-runs-e2e")]

PLATFORM_YAML = """
services:
  hr: {{url: "http://127.0.0.1:{hr}"}}
  finance: {{url: "http://127.0.0.1:{finance}"}}
  payroll:
    url: "http://127.0.0.1:{payroll}"
    client:
      jwks_file: "${{SOP_DATA_DIR}}/keys/payroll-client-jwks.json"
      scopes: "hr:read hr:sensitive finance:read finance:write"
      scheduled: true
clusters:
  matrix:
    description: native everything
    bindings:
      hr: {{adapter: native}}
      finance: {{adapter: native}}
      payroll: {{adapter: native}}
  synergy:
    description: HR on the Oracle-like suite
    bindings:
      hr:
        adapter: oracle_like
        base_url: "http://127.0.0.1:{oracle}"
        username: hcm.integration
        password: sop-dev-password
        timeout_seconds: 10
      finance: {{adapter: native}}
      payroll: {{adapter: native}}
  unity:
    description: HR on the SAP-like suite
    bindings:
      hr:
        adapter: sap_like
        base_url: "http://127.0.0.1:{sap}"
        username: sfapi
        password: sop-dev-password
        timeout_seconds: 10
      finance: {{adapter: native}}
      payroll: {{adapter: native}}
identity:
  audience: sop-api
  issuers:
    - issuer: "{main}"
"""

PAYROLL_SCOPES = "payroll:read payroll:run"
APPROVER_SCOPES = "payroll:read payroll:approve"
FINANCE_SCOPES = "finance:read finance:write finance:approve"
HR_SCOPES = "hr:read hr:write hr:sensitive"
PAGE_SIZE = 4  # employees per chunk: a handful of people still makes several chunks


@dataclass
class PayStack:
    idp: Any
    gateway: Process
    env: dict[str, str]
    workdir: Path
    processes: list[Process]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def headers(
        self, tenant: str, scope: str, sub: str = "officer-1", **extra: str
    ) -> dict[str, str]:
        token = self.idp.token(sop_tenant=tenant, scope=scope, sub=sub, client_id=f"{tenant}-app")
        return {"Authorization": f"Bearer {token}", **extra}

    def admin(self) -> dict[str, str]:
        token = self.idp.token(scope="platform:admin", sub="ops-1", client_id="ops-console")
        return {"Authorization": f"Bearer {token}"}

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"worker-{len(self.workers) + 1}.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "sop_payroll", "worker"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        return proc


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pay_stack(
    tmp_path_factory: pytest.TempPathFactory, make_postgres_database: Any
) -> AsyncIterator[PayStack]:
    from sop_gateway.keys import ensure_keys
    from sop_gateway.seed import seed
    from sop_gateway.settings import GatewaySettings
    from sop_shared.db import Database
    from sop_shared.migrations import upgrade_async
    from sop_shared.platform_config import load_platform_config

    workdir = tmp_path_factory.mktemp("payruns")
    idp = make_idp()
    ports = {name: free_port() for name in ("gateway", "hr", "finance", "payroll", "oracle", "sap")}
    databases = {
        name: await make_postgres_database(f"e2e_pay_{name}")
        for name in ("gateway", "hr", "finance", "payroll")
    }
    nats_binary = testing_nats.nats_binary()
    if nats_binary is None:
        pytest.fail(testing_nats.HOW_TO, pytrace=False)
    nats = testing_nats.own_server(nats_binary, workdir / "nats")
    nats.start()
    config = workdir / "platform.yaml"
    config.write_text(
        PLATFORM_YAML.format(
            hr=ports["hr"],
            finance=ports["finance"],
            payroll=ports["payroll"],
            oracle=ports["oracle"],
            sap=ports["sap"],
            main=idp.issuer("main"),
        )
    )
    keys = workdir / "keys"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOP_")},
        "SOP_ENV": "development",
        "SOP_DATA_DIR": str(workdir),
        "SOP_PLATFORM_CONFIG": str(config),
        "SOP_INTERNAL_JWKS_FILE": str(keys / "internal-jwks.json"),
        "SOP_GATEWAY_PORT": str(ports["gateway"]),
        "SOP_GATEWAY_URL": f"http://127.0.0.1:{ports['gateway']}",
        "SOP_GATEWAY_DATABASE_URL": databases["gateway"],
        "SOP_GATEWAY_RATE_LIMIT_PER_SECOND": "1000",
        "SOP_GATEWAY_RATE_LIMIT_BURST": "2000",
        "SOP_HR_PORT": str(ports["hr"]),
        "SOP_HR_DATABASE_URL": databases["hr"],
        "SOP_FINANCE_PORT": str(ports["finance"]),
        "SOP_FINANCE_DATABASE_URL": databases["finance"],
        "SOP_PAYROLL_PORT": str(ports["payroll"]),
        "SOP_PAYROLL_DATABASE_URL": databases["payroll"],
        "SOP_PAYROLL_PAY_RUN_PAGE_SIZE": str(PAGE_SIZE),
        "SOP_PAYROLL_WORK_ACK_WAIT_SECONDS": "3",
        "SOP_ORACLE_LIKE_PORT": str(ports["oracle"]),
        "SOP_ORACLE_LIKE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'oracle.db'}",
        "SOP_SAP_LIKE_PORT": str(ports["sap"]),
        "SOP_SAP_LIKE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'sap.db'}",
        "SOP_NATS_URL": nats.url,
        "SOP_LOG_JSON": "true",
    }
    settings = GatewaySettings(
        env="development",
        port=ports["gateway"],
        database_url=databases["gateway"],
        platform_config=str(config),
        key_dir=str(keys),
        internal_jwks_file=str(keys / "internal-jwks.json"),
    )
    ensure_keys(settings)
    await upgrade_async(ROOT / "gateway" / "alembic.ini", databases["gateway"])
    for service in ("hr", "finance", "payroll"):
        await upgrade_async(ROOT / "services" / service / "alembic.ini", databases[service])
    database = Database(databases["gateway"])
    await seed(database, settings, load_platform_config(config))
    await database.dispose()

    def process(name: str, factory: str, port: str) -> Process:
        return Process(name, factory, ports[port], env, workdir / f"{name}.log")

    backends = [
        process("oracle_like", "sop_oracle_like.app:create_app", "oracle"),
        process("sap_like", "sop_sap_like.app:create_app", "sap"),
    ]
    services = [
        process("hr", "sop_hr.app:create_app", "hr"),
        process("finance", "sop_finance.app:create_app", "finance"),
        process("payroll", "sop_payroll.app:create_app", "payroll"),
    ]
    gateway = process("gateway", "sop_gateway.app:create_app", "gateway")
    everything = [*backends, *services, gateway]
    stack = PayStack(idp=idp, gateway=gateway, env=env, workdir=workdir, processes=everything)
    try:
        for group in (backends, services, [gateway]):
            for proc in group:
                proc.start()
            for proc in group:
                await asyncio.to_thread(proc.wait_healthy)
        stack.start_worker()
        yield stack
    finally:
        for worker in stack.workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(10)
                except subprocess.TimeoutExpired:
                    worker.kill()
        for proc in reversed(everything):
            proc.stop()
        nats.stop()
        idp.close()


@pytest_asyncio.fixture(loop_scope="session")
async def gw(pay_stack: PayStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=pay_stack.gateway.url, timeout=60) as client:
        yield client


@dataclass
class Department:
    stack: PayStack
    client: httpx.AsyncClient
    slug: str
    group: dict[str, Any] = field(default_factory=dict)
    employees: list[dict[str, Any]] = field(default_factory=list)

    def h(self, scope: str, sub: str = "officer-1", **extra: str) -> dict[str, str]:
        return self.stack.headers(self.slug, scope, sub, **extra)

    async def ok(
        self,
        method: str,
        path: str,
        scope: str,
        body: Any = None,
        status: int = 200,
        sub: str = "officer-1",
        **extra: str,
    ) -> Any:
        r = await self.client.request(method, path, json=body, headers=self.h(scope, sub, **extra))
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content and r.headers.get("content-type", "").endswith("json") else r


async def department(
    stack: PayStack, client: httpx.AsyncClient, cluster: str, people: int
) -> Department:
    """A newly onboarded department with `people` employees in HR, finance ready for payroll,
    each person's RTI details in payroll and a monthly pay group."""
    slug = f"d-{uuid.uuid4().hex[:8]}"
    r = await client.post(
        "/platform/v1/tenants",
        json={"slug": slug, "name": f"Department {slug}", "cluster": cluster},
        headers=stack.admin(),
    )
    assert r.status_code == 201, r.text
    dept = Department(stack, client, slug)
    # Finance (its current year opened when the tenant was provisioned): the payroll cost
    # centre and the bank account net pay leaves from.
    await dept.ok(
        "POST",
        "/finance/v1/cost-centres",
        FINANCE_SCOPES,
        {"code": "PAY01", "name": "Payroll cost centre"},
        201,
    )
    bank = await dept.ok(
        "POST",
        "/finance/v1/bank-accounts",
        FINANCE_SCOPES,
        {
            "name": "Payroll account",
            "sort_code": "60-70-80",
            "account_number": "10002000",
            "account_name": "Department payroll",
            "service_user_number": "123456",
            "ledger_account_code": "43100000",
        },
        201,
    )
    # HR: an org unit carrying the cost centre, and the people.
    unit = await dept.ok(
        "POST",
        "/hr/v1/org-units",
        HR_SCOPES,
        {"code": "OPS", "name": "Operations", "cost_centre": "PAY01"},
        201,
    )
    for n in range(1, people + 1):
        body = {
            "employee_number": f"P{n:04d}",
            "first_name": "Ada",
            "last_name": f"Worker {'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[n % 26]}",
            "home_region": "england",
            "start_date": "2024-01-01",
            "date_of_birth": "1990-05-01",
            "national_insurance_number": f"AB{n:06d}C",
            "payroll": {"tax_code": "1257L", "ni_category": "A"},
            "bank_details": {
                "sort_code": "200000",
                "account_number": f"{10000000 + n}",
                "account_name": f"A WORKER {n}",
            },
            "terms": {
                "org_unit_id": unit["id"],
                "grade": "HEO",
                "fte": "1",
                "annual_salary": f"{30000 + 1200 * n}.00",
                "pay_frequency": "monthly",
                "contract_type": "permanent",
            },
        }
        employee = await dept.ok("POST", "/hr/v1/employees", HR_SCOPES, body, 201)
        dept.employees.append(employee)
        await dept.ok(
            "PUT",
            f"/payroll/v1/employees/{employee['id']}/rti-details",
            PAYROLL_SCOPES,
            {
                "gender": "F" if n % 2 else "M",
                "address": {"lines": [f"{n} High Street", "Leeds"], "postcode": "LS1 1AA"},
            },
            201,
        )
    dept.group = await dept.ok(
        "POST",
        "/payroll/v1/pay-groups",
        PAYROLL_SCOPES,
        {
            "code": "MONTHLY",
            "name": "Monthly staff",
            "frequency": "monthly",
            "pay_day": "last_working_day",
            "tax_office_number": "123",
            "paye_reference": "AB45678",
            "accounts_office_reference": "123PA00012345",
            "bank_account_id": bank["id"],
        },
        201,
    )
    return dept


async def wait_for(
    dept: Department, run_id: str, state: str, within: float = 120.0
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        run = await dept.ok("GET", f"/payroll/v1/pay-runs/{run_id}", PAYROLL_SCOPES)
        if run["state"] == state:
            return run
        assert run["state"] not in ("failed", "cancelled"), run
        if time.monotonic() > deadline:
            logs = "\n".join(
                f"--- {path.name}\n" + path.read_text()[-4000:]
                for path in sorted(dept.stack.workdir.glob("worker-*.log"))
            )
            raise AssertionError(f"still {run['state']} after {within}s: {run}\n{logs}")
        await asyncio.sleep(0.3)


@pytest.mark.parametrize("cluster", ["matrix", "synergy", "unity"])
async def test_a_department_pays_its_month_from_hr_through_to_finance(
    pay_stack: PayStack, gw: httpx.AsyncClient, cluster: str
) -> None:
    dept = await department(pay_stack, gw, cluster, people=6)
    r = await gw.post(
        "/payroll/v1/pay-runs",
        headers=dept.h(PAYROLL_SCOPES),
        json={
            "pay_group_id": dept.group["id"],
            "tax_year": "2026-27",
            "period": 9,
        },
    )
    assert r.status_code == 202, r.text
    assert r.headers["location"].endswith(f"/payroll/v1/pay-runs/{r.json()['id']}")
    run_id = r.json()["id"]
    run = await wait_for(dept, run_id, "calculated")
    assert run["progress"]["employees_total"] == 6 and run["exceptions"] == 0, run
    assert run["progress"]["chunks_done"] == 2  # six people, four to a page

    starter = await gw.post(
        f"/payroll/v1/pay-runs/{run_id}/approve",
        headers=dept.h("payroll:read payroll:approve", sub="officer-1"),
    )
    assert starter.status_code == 403, starter.text
    again = await gw.post(
        "/payroll/v1/pay-runs",
        headers=dept.h(PAYROLL_SCOPES),
        json={
            "pay_group_id": dept.group["id"],
            "tax_year": "2026-27",
            "period": 9,
        },
    )
    assert again.status_code == 409 and again.json()["run_id"] == run_id
    await dept.ok(
        "POST", f"/payroll/v1/pay-runs/{run_id}/approve", APPROVER_SCOPES, sub="approver-1"
    )
    r = await gw.post(
        f"/payroll/v1/pay-runs/{run_id}/finalise",
        headers=dept.h(APPROVER_SCOPES, sub="approver-1", **{"Idempotency-Key": "f-1"}),
    )
    assert r.status_code == 202, r.text
    run = await wait_for(dept, run_id, "finalised")
    net, gross = Decimal(run["totals"]["net"]), Decimal(run["totals"]["gross"])
    assert gross == sum(Decimal(30000 + 1200 * n) / 12 for n in range(1, 7)).quantize(
        Decimal("0.01")
    )

    # Finance: the journal is posted and in the trial balance; the BACS file pays the net pay.
    journals = await dept.ok(
        "GET",
        f"/finance/v1/journals?source=payroll&source_reference={run['reference']}",
        FINANCE_SCOPES,
    )
    assert [j["id"] for j in journals["items"]] == [run["journal_id"]]
    journal = journals["items"][0]
    assert journal["status"] == "posted" and Decimal(journal["total"]) > gross
    trial = await dept.ok("GET", "/finance/v1/reports/trial-balance?period=2026-12", FINANCE_SCOPES)
    salaries = [a for a in trial["lines"] if a["account_code"] == "21100000"]
    assert salaries and Decimal(salaries[0]["debit"]) >= gross, trial
    batch = await dept.ok(
        "GET", f"/finance/v1/payment-batches/{run['payment_batch_id']}", FINANCE_SCOPES
    )
    assert (
        batch["status"] == "submitted"
        and Decimal(batch["total"]) == net
        and batch["payment_count"] == 6
    )
    bacs = await gw.get(
        f"/finance/v1/payment-batches/{run['payment_batch_id']}/bacs-file",
        headers=dept.h(FINANCE_SCOPES),
    )
    assert bacs.status_code == 200, bacs.text
    utl1 = bacs.text.rstrip("\r\n").split("\r\n")[-1]
    assert utl1.startswith("UTL1") and Decimal(int(utl1[17:30])) / 100 == net

    # HMRC: the FPS validates against HMRC's schema and rules; payslips are there.
    fps = await gw.get(f"/payroll/v1/pay-runs/{run_id}/fps/1", headers=dept.h(PAYROLL_SCOPES))
    assert fps.status_code == 200 and validate_fps(fps.content) == []
    assert fps.content.count(b"<PayId>") == 6
    slips = await dept.ok(
        "GET", f"/payroll/v1/payslips?employee_id={dept.employees[0]['id']}", PAYROLL_SCOPES
    )
    assert len(slips["items"]) == 1 and slips["items"][0]["reference"] == run["reference"]


async def test_a_worker_killed_mid_run_leaves_every_employee_paid_once(
    pay_stack: PayStack, gw: httpx.AsyncClient
) -> None:
    dept = await department(pay_stack, gw, "matrix", people=60)
    second = pay_stack.start_worker()
    first = pay_stack.workers[0]
    r = await gw.post(
        "/payroll/v1/pay-runs",
        headers=dept.h(PAYROLL_SCOPES),
        json={
            "pay_group_id": dept.group["id"],
            "tax_year": "2026-27",
            "period": 9,
        },
    )
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    # Kill a worker as soon as the run is under way (some chunks done, not all).
    deadline = time.monotonic() + 60
    while True:
        run = await dept.ok("GET", f"/payroll/v1/pay-runs/{run_id}", PAYROLL_SCOPES)
        if run["progress"]["chunks_done"] >= 1 or run["state"] != "calculating":
            break
        assert time.monotonic() < deadline, run
        await asyncio.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert run["state"] == "calculating", "the run finished before a worker could be killed"
    run = await wait_for(dept, run_id, "calculated", within=120)
    assert run["progress"]["employees_total"] == 60 and run["progress"]["employees_done"] == 60
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await dept.ok(
            "GET",
            f"/payroll/v1/pay-runs/{run_id}/items?limit=10"
            + (f"&cursor={cursor}" if cursor else ""),
            PAYROLL_SCOPES,
        )
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(i["employee_number"] for i in items) == [f"P{n:04d}" for n in range(1, 61)]
    assert Decimal(run["totals"]["gross"]) == sum(Decimal(i["totals"]["gross"]) for i in items)
    assert second.poll() is None  # the other worker carried on


async def test_a_run_reversed_before_payment_puts_finance_back(
    pay_stack: PayStack, gw: httpx.AsyncClient
) -> None:
    """Reversal through the real finance: the BACS batch is withdrawn (its file no longer
    served), the payroll journal mirrored, and a new run for the period can start."""
    dept = await department(pay_stack, gw, "matrix", people=3)
    r = await gw.post(
        "/payroll/v1/pay-runs",
        headers=dept.h(PAYROLL_SCOPES),
        json={"pay_group_id": dept.group["id"], "tax_year": "2026-27", "period": 9},
    )
    run_id = r.json()["id"]
    await wait_for(dept, run_id, "calculated")
    await dept.ok(
        "POST", f"/payroll/v1/pay-runs/{run_id}/approve", APPROVER_SCOPES, sub="approver-1"
    )
    r = await gw.post(
        f"/payroll/v1/pay-runs/{run_id}/finalise",
        headers=dept.h(APPROVER_SCOPES, sub="approver-1", **{"Idempotency-Key": "f-rev"}),
    )
    assert r.status_code == 202, r.text
    run = await wait_for(dept, run_id, "finalised")
    before = await dept.ok(
        "GET", "/finance/v1/reports/trial-balance?period=2026-12", FINANCE_SCOPES
    )
    assert any(line["account_code"] == "21100000" for line in before["lines"])
    r = await gw.post(
        f"/payroll/v1/pay-runs/{run_id}/reverse",
        json={"reason": "Paid at the wrong rate"},
        headers=dept.h(APPROVER_SCOPES, sub="approver-1", **{"Idempotency-Key": "rev-1"}),
    )
    assert r.status_code == 202, r.text
    await wait_for(dept, run_id, "reversed")
    batch = await dept.ok(
        "GET", f"/finance/v1/payment-batches/{run['payment_batch_id']}", FINANCE_SCOPES
    )
    assert batch["status"] == "withdrawn"
    bacs = await gw.get(
        f"/finance/v1/payment-batches/{run['payment_batch_id']}/bacs-file",
        headers=dept.h(FINANCE_SCOPES),
    )
    assert bacs.status_code == 409
    after = await dept.ok("GET", "/finance/v1/reports/trial-balance?period=2026-12", FINANCE_SCOPES)
    salaries = [line for line in after["lines"] if line["account_code"] == "21100000"]
    assert not salaries or Decimal(salaries[0]["debit"]) == Decimal(salaries[0]["credit"]) == 0
    again = await gw.post(
        "/payroll/v1/pay-runs",
        headers=dept.h(PAYROLL_SCOPES),
        json={"pay_group_id": dept.group["id"], "tax_year": "2026-27", "period": 9},
    )
    assert again.status_code == 202, again.text
