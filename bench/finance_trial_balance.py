"""Trial-balance latency on PostgreSQL as the ledger grows to 1,000,000 journal lines (JSON)."""

# Balanced ten-line journals go in through the native ledger's bulk path (COPY, plus the same
# balance upserts a posting makes); GET /finance/v1/reports/trial-balance is then timed through
# the whole app in process (internal token, middleware, SQL, JSON) at 10k, 100k and 1M lines,
# with API postings timed alongside, and each size is checked against a full scan of the lines.
# Database: SOP_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres; the
# bench creates (and drops) its own database there.

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from sop_finance.accounts.service import DEFAULT_CHART
from sop_finance.adapters.native.bulk import bulk_post
from sop_finance.app import create_app
from sop_finance.journals.ports import Journal, JournalLine
from sop_finance.periods.ports import PeriodRef
from sop_finance.settings import FinanceSettings
from sop_shared.migrations import upgrade_async
from sop_shared.testing.platform import native_platform
from sop_shared.testing.tokens import TokenMinter

SIZES = (10_000, 100_000, 1_000_000)
LINES_PER_JOURNAL = 10
BATCH_LINES = 100_000
TB_REQUESTS = 500
POSTINGS = 100
COST_CENTRES = 50
FY = 2026
TENANT = "bench-dept"
CLUSTER = "bench"  # bound to the native ledger
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "finance" / "alembic.ini"
OPERATING = [
    c for c, _, kind, _, postable, _ in DEFAULT_CHART if postable and kind in ("income", "expense")
]
BALANCING = ["43100000", "51100000", "52100000"]  # bank, trade payables, net pay


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def journals(count: int, rng: random.Random) -> list[Journal]:
    """Ten-line journals: nine income/expense lines on random cost centres, balanced on one
    balance-sheet account, dated across the twelve months of the year."""
    out = []
    for _ in range(count):
        day = date(FY, 4, 1) + timedelta(days=rng.randrange(365))
        lines, net = [], Decimal(0)
        for _ in range(LINES_PER_JOURNAL - 1):
            amount = Decimal(rng.randrange(1, 500_000)).scaleb(-2)
            is_debit = rng.random() < 0.8
            lines.append(
                JournalLine(
                    account_code=rng.choice(OPERATING),
                    cost_centre_code=f"CC{rng.randrange(COST_CENTRES):03d}",
                    debit=amount if is_debit else Decimal("0.00"),
                    credit=Decimal("0.00") if is_debit else amount,
                )
            )
            net += amount if is_debit else -amount
        if net == 0:
            net = Decimal("0.01")
            lines[0].debit += net
        lines.append(
            JournalLine(
                account_code=rng.choice(BALANCING),
                debit=max(-net, Decimal("0.00")),
                credit=max(net, Decimal("0.00")),
            )
        )
        out.append(
            Journal(
                description="bench",
                posting_date=day,
                period_code=PeriodRef.of_date(day).code,
                lines=lines,
                prepared_by="bench",
                status="posted",
                source="bench",
                source_reference=uuid.uuid4().hex,
            )
        )
    return out


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(pick(0.95), 2),
        "p99_ms": round(pick(0.99), 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }


async def main() -> dict:
    base = os.environ.get("SOP_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    admin = make_url(base)
    name = f"sop_bench_finance_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(
        host=admin.host, port=admin.port or 5432, user=admin.username,
        password=admin.password, database=admin.database or "postgres",
    )  # fmt: skip
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        return await run(url)
    finally:
        conn = await asyncpg.connect(
            host=admin.host, port=admin.port or 5432, user=admin.username,
            password=admin.password, database=admin.database or "postgres",
        )  # fmt: skip
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def run(url: str) -> dict:
    await upgrade_async(ALEMBIC_INI, url)
    keys = Path(tempfile.mkdtemp(prefix="sop-bench-"))
    mint = TokenMinter(keys)
    settings = FinanceSettings(
        database_url=url,
        env="test",
        log_level="WARNING",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
    )
    app = create_app(settings, platform=native_platform([CLUSTER]))
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://finance")

    def headers(key: str | None = None) -> dict[str, str]:
        h = mint.headers(
            tenant=TENANT,
            cluster=CLUSTER,
            audience="sop-finance",
            scopes="finance:read finance:write finance:approve",
        )
        if key:
            h["Idempotency-Key"] = key
        return h

    admin_headers = mint.headers(tenant=None, scopes="platform:admin", audience="sop-finance")
    r = await client.put(
        f"/_internal/tenants/{TENANT}", json={"cluster": CLUSTER}, headers=admin_headers
    )
    r.raise_for_status()
    h = headers()
    for year in (FY, FY + 1):
        await client.post("/finance/v1/financial-years", json={"start_year": year}, headers=h)
    for i in range(COST_CENTRES):
        r = await client.post(
            "/finance/v1/cost-centres",
            json={"code": f"CC{i:03d}", "name": f"Cost centre {i}"},
            headers=h,
        )
        r.raise_for_status()

    rng = random.Random(20260401)
    database = app.state.kernel.database
    loaded, results = 0, []
    for size in SIZES:
        started, bulk = time.perf_counter(), 0
        while size - loaded >= LINES_PER_JOURNAL:
            batch = journals(min(BATCH_LINES, size - loaded) // LINES_PER_JOURNAL, rng)
            async with database.transaction() as session:
                written = await bulk_post(session, TENANT, batch)
            loaded, bulk = loaded + written, bulk + written
        load_seconds = time.perf_counter() - started
        log(f"{loaded:,} lines loaded (+{load_seconds:.1f}s)")
        # What autovacuum does after a bulk load in production: fresh statistics and a clean
        # visibility map, so the timings are not of a just-loaded, never-analysed table.
        async with database.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in (
                "ledger_balances",
                "ledger_account_balances",
                "journals",
                "journal_lines",
            ):
                await conn.execute(text(f"VACUUM (ANALYZE) {table}"))

        h = headers()
        tb_url = "/finance/v1/reports/trial-balance?period=2027-03"
        for _ in range(50):  # warm the pool, caches and plans
            (await client.get(tb_url, headers=h)).raise_for_status()
        samples = []
        for _ in range(TB_REQUESTS):
            t0 = time.perf_counter()
            r = await client.get(tb_url, headers=h)
            samples.append((time.perf_counter() - t0) * 1000)
            r.raise_for_status()
        tb = r.json()

        posting = []
        for i in range(POSTINGS):
            lines = [
                {
                    "account_code": OPERATING[i % len(OPERATING)],
                    "cost_centre_code": f"CC{i % COST_CENTRES:03d}",
                    "debit": "12.34",
                }
                for _ in range(LINES_PER_JOURNAL - 1)
            ]
            lines.append(
                {
                    "account_code": "43100000",
                    "credit": str(Decimal("12.34") * (LINES_PER_JOURNAL - 1)),
                }
            )
            body = {
                "description": "api posting",
                "posting_date": "2026-10-15",
                "lines": lines,
                "post": True,
            }
            t0 = time.perf_counter()
            r = await client.post(
                "/finance/v1/journals", json=body, headers=headers(key=uuid.uuid4().hex)
            )
            posting.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 201:
                raise RuntimeError(r.text)
        loaded += POSTINGS * LINES_PER_JOURNAL

        # Outside the timings: the maintained balances must equal a full scan of the lines.
        async with database.engine.connect() as conn:
            scan = {
                row.account_code: row.net
                for row in await conn.execute(
                    text(
                        "SELECT account_code, (sum(debit) - sum(credit)) / 100.0 AS net "
                        "FROM journal_lines l JOIN journals j ON j.id = l.journal_id "
                        "WHERE l.tenant = :t AND j.status = 'posted' GROUP BY account_code"
                    ),
                    {"t": TENANT},
                )
            }
            balance_rows = (
                await conn.execute(
                    text("SELECT count(*) FROM ledger_balances WHERE tenant = :t"), {"t": TENANT}
                )
            ).scalar_one()
        tb_now = (await client.get(tb_url, headers=h)).json()
        reported = {
            ln["account_code"]: Decimal(ln["debit"]) - Decimal(ln["credit"])
            for ln in tb_now["lines"]
        }
        consistent = reported == {
            k: Decimal(v).quantize(Decimal("0.01")) for k, v in scan.items() if v != 0
        }
        consistent = consistent and tb_now["total_debit"] == tb_now["total_credit"]
        results.append(
            {
                "journal_lines": loaded,
                "balance_rows": balance_rows,
                "trial_balance": summary(samples),
                "trial_balance_accounts": len(tb["lines"]),
                "posting_10_lines": summary(posting),
                "bulk_load_lines_per_s": round(bulk / max(load_seconds, 1e-9)),
                "consistent_with_full_scan": consistent,
            }
        )
        log(json.dumps(results[-1]))
        if not consistent:
            raise RuntimeError("trial balance differs from a full scan of the journal lines")
    await client.aclose()
    await database.dispose()
    p50s = [r["trial_balance"]["p50_ms"] for r in results]
    return {
        "database": "postgresql",
        "target_p50_ms": 50,
        "sizes": results,
        "trial_balance_p50_ms_by_lines": {
            str(r["journal_lines"]): r["trial_balance"]["p50_ms"] for r in results
        },
        "p50_growth_1m_over_10k": round(p50s[-1] / p50s[0], 2),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
