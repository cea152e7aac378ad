"""Pay runs through payroll's API on PostgreSQL: a group's month from HR's records to a
finalised run, with HR and finance as in-memory stand-ins (what lies outside this service) and
the work queue drained by the real worker code in process. The same run over real processes,
real NATS and the real HR and finance is in tests/e2e/test_pay_runs_e2e.py."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_payroll.app import create_app
from sop_payroll.pay_runs.ports import (
    BankDetails,
    HrAbsence,
    HrEmployee,
    HrPage,
    PaymentSource,
    TermsSlice,
    WorkItem,
)
from sop_payroll.pay_runs.worker import PayRunJobs
from sop_payroll.problems import PaymentsSent
from sop_payroll.rti.fps import validate_fps
from sop_payroll.settings import PayrollSettings
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import FixedClock
from sop_shared.db import Database
from sop_shared.errors import ServiceUnavailable
from sop_shared.migrations import upgrade_async
from sop_shared.testing.platform import native_platform

PAYROLL_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
OFFICER, APPROVER = "officer-1", "approver-1"
ORG = uuid.UUID("00000000-0000-7000-8000-0000000000a1")
ANOTHER_ORG = uuid.UUID("00000000-0000-7000-8000-0000000000a2")
BANK_ACCOUNT = uuid.UUID("00000000-0000-7000-8000-0000000000b1")


def employee(number: int, salary: str = "36000.00", **changes: Any) -> HrEmployee:
    person = HrEmployee(
        id=uuid.UUID(int=number),
        employee_number=f"E{number:04d}",
        first_name="Ada",
        last_name=f"Person {'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[number % 26]}",
        home_region="england",
        start_date=date(2020, 1, 6),
        leaving_date=None,
        terms=TermsSlice(date(2024, 4, 1), None, Decimal(salary), Decimal("1"), ORG, "monthly"),
        tax_code="1257L",
        ni_category="A",
        student_loan_plans=(),
        postgraduate_loan=False,
        pension_scheme=None,
        national_insurance_number=f"AB{number:06d}C",
        date_of_birth=date(1990, 1, 1),
        bank=BankDetails("123456", f"{number:08d}", f"A NUMBER{number}"),
    )
    return replace(person, **changes)


@dataclass
class FakeHr:
    """HR as payroll sees it through the gateway: pages of employees, terms, cost centres."""

    people: list[HrEmployee] = field(default_factory=list)
    history: dict[uuid.UUID, list[TermsSlice]] = field(default_factory=dict)
    leave: list[HrAbsence] = field(default_factory=list)
    page_size: int | None = 2  # small pages: a run of a few people still has several chunks
    reads: int = 0

    async def employees(
        self, tenant: str, *, as_of: date, cursor: str | None, limit: int
    ) -> HrPage:
        self.reads += 1
        size = self.page_size or limit
        start = int(cursor or 0)
        page = self.people[start : start + size]
        more = start + size < len(self.people)
        return HrPage(page, str(start + size) if more else None)

    async def terms_history(self, tenant: str, employee_id: uuid.UUID) -> list[TermsSlice]:
        found = self.history.get(employee_id)
        if found is not None:
            return found
        person = next(p for p in self.people if p.id == employee_id)
        return [person.terms] if person.terms else []

    async def cost_centres(self, tenant: str) -> dict[uuid.UUID, str]:
        return {ORG: "CC100", ANOTHER_ORG: "CC200"}

    async def absences(self, tenant: str, *, start: date, end: date) -> list[HrAbsence]:
        return [a for a in self.leave if a.end_date >= start and a.start_date <= end]


@dataclass
class FakeFinance:
    journals: dict[str, dict[str, Any]] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    down: bool = False
    sent_before: date = date(2000, 1, 1)  # payments on or before this day have gone

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
        if self.down:
            raise ServiceUnavailable("finance is down", retry_after=5)
        self.journals.setdefault(
            reference, {"tenant": tenant, "date": posting_date, "lines": list(lines)}
        )
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
        if self.down:
            raise ServiceUnavailable("finance is down", retry_after=5)
        rows = [p async for page in payments.pages(2) for p in page]
        self.batches.setdefault(
            reference,
            {
                "count": payments.count,
                "total": payments.total,
                "payments": rows,
                "date": payment_date,
            },
        )
        return f"batch-{reference}"

    async def withdraw_payments(self, tenant: str, *, batch_id: str, reason: str, key: str) -> None:
        if self.down:
            raise ServiceUnavailable("finance is down", retry_after=5)
        reference = batch_id.removeprefix("batch-")
        if self.batches[reference]["date"] <= self.sent_before:
            raise PaymentsSent("the BACS file is past its processing day")
        self.batches[reference]["withdrawn"] = True

    async def reverse_journal(self, tenant: str, *, journal_id: str, reason: str, key: str) -> str:
        reference = journal_id.removeprefix("journal-")
        self.journals[reference]["reversed"] = True
        return f"reversal-{reference}"


@dataclass
class CollectingQueue:
    items: list[WorkItem] = field(default_factory=list)

    async def put(self, item: WorkItem) -> None:
        self.items.append(item)


@dataclass
class Payroll:
    client: httpx.AsyncClient
    mint: Any
    tenant: str
    jobs: PayRunJobs
    queue: CollectingQueue
    hr: FakeHr
    finance: FakeFinance

    def headers(
        self,
        subject: str = OFFICER,
        scopes: str = "payroll:read payroll:run",
        tenant: str | None = None,
        **extra: str,
    ) -> dict[str, str]:
        token = self.mint(
            tenant=tenant or self.tenant, scopes=scopes, audience="sop-payroll", subject=subject
        )
        return {"Authorization": f"Bearer {token}", **extra}

    async def drain(self, *, twice: bool = False) -> int:
        """Do every queued piece of work as a worker would (each twice: a redelivery)."""
        done = 0
        while self.queue.items:
            item = self.queue.items.pop(0)
            await self.jobs.handle(item)
            if twice:
                await self.jobs.handle(item)
            done += 1
        return done

    async def details(self, number: int, **changes: Any) -> None:
        """What HMRC needs that HR does not hold, for employee `number`."""
        body = {
            "gender": "F" if number % 2 else "M",
            "address": {"lines": [f"{number} High Street", "Leeds"], "postcode": "LS1 1AA"},
            **changes,
        }
        r = await self.client.put(
            f"/payroll/v1/employees/{uuid.UUID(int=number)}/rti-details",
            json=body,
            headers=self.headers(),
        )
        assert r.status_code == 201, r.text

    async def group(self, **changes: Any) -> dict[str, Any]:
        body = {
            "code": "MONTHLY",
            "name": "Monthly staff",
            "frequency": "monthly",
            "pay_day": "last_working_day",
            "tax_office_number": "123",
            "paye_reference": "AB45678",
            "accounts_office_reference": "123PA00012345",
            "bank_account_id": str(BANK_ACCOUNT),
            **changes,
        }
        r = await self.client.post("/payroll/v1/pay-groups", json=body, headers=self.headers())
        assert r.status_code == 201, r.text
        return r.json()

    async def start(self, group_id: str, period: int = 9, status: int = 202) -> dict[str, Any]:
        r = await self.client.post(
            "/payroll/v1/pay-runs",
            json={"pay_group_id": group_id, "tax_year": "2026-27", "period": period},
            headers=self.headers(),
        )
        assert r.status_code == status, r.text
        return r.json()

    async def run(self, run_id: str) -> dict[str, Any]:
        r = await self.client.get(f"/payroll/v1/pay-runs/{run_id}", headers=self.headers())
        assert r.status_code == 200, r.text
        return r.json()

    async def act(
        self,
        run_id: str,
        action: str,
        subject: str = APPROVER,
        scopes: str = "payroll:read payroll:approve",
        **headers: str,
    ) -> httpx.Response:
        return await self.client.post(
            f"/payroll/v1/pay-runs/{run_id}/{action}",
            headers=self.headers(subject=subject, scopes=scopes, **headers),
        )

    async def items(self, run_id: str, query: str = "") -> list[dict[str, Any]]:
        found, url = [], f"/payroll/v1/pay-runs/{run_id}/items?limit=100{query}"
        while url:
            r = await self.client.get(url, headers=self.headers())
            assert r.status_code == 200, r.text
            found += r.json()["items"]
            cursor = r.json()["next_cursor"]
            url = (
                f"/payroll/v1/pay-runs/{run_id}/items?limit=100{query}&cursor={cursor}"
                if cursor
                else ""
            )
        return found


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pay_run_database(make_postgres_database) -> AsyncIterator[Database]:

    url = await make_postgres_database("payroll_pay_runs")
    await upgrade_async(PAYROLL_INI, url)
    database = Database(url)
    yield database
    await database.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pay_run_sqlite(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('pay-runs') / 'payroll.db'}"
    await upgrade_async(PAYROLL_INI, url)
    database = Database(url)
    yield database
    await database.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def payroll(pay_run_database: Database, mint, tenant: str) -> AsyncIterator[Payroll]:
    async for made in _payroll(pay_run_database, mint, tenant):
        yield made


@pytest_asyncio.fixture(loop_scope="session")
async def payroll_on_sqlite(pay_run_sqlite: Database, mint, tenant: str) -> AsyncIterator[Payroll]:
    async for made in _payroll(pay_run_sqlite, mint, tenant):
        yield made


async def _payroll(pay_run_database: Database, mint: Any, tenant: str) -> AsyncIterator[Payroll]:
    hr, finance, queue = FakeHr(), FakeFinance(), CollectingQueue()
    hr.people = [
        employee(1, user_subject="ada-1"),
        employee(2, "52000.00"),
        employee(3, "24000.00"),
    ]
    clock = FixedClock(datetime.fromisoformat("2026-12-01T09:00:00+00:00"))
    settings = PayrollSettings(
        database_url="postgresql://unused",
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(mint.jwks_file),
    )
    platform = native_platform()
    app = create_app(
        settings,
        database=pay_run_database,
        clock=clock,
        platform=platform,
        work=queue,
        hr=hr,
        finance=finance,
    )
    jobs = PayRunJobs(
        database=pay_run_database,
        settings=settings,
        platform=platform,
        hr=hr,
        finance=finance,
        work=queue,
        clock=clock,
        calendar=WorkingCalendar.load(),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://payroll") as client:
        payroll = Payroll(client, mint, tenant, jobs, queue, hr, finance)
        for number in range(1, 11):
            await payroll.details(number)
        yield payroll


async def test_a_month_goes_from_hr_records_to_a_finalised_run(payroll: Payroll) -> None:
    group = await payroll.group()
    started = await payroll.start(group["id"])
    assert started["state"] == "calculating"
    assert started["pay_date"] == "2026-12-31" and started["tax_period"] == 9
    assert started["reference"] == "PAYRUN-MONTHLY-2026-27-09"
    assert await payroll.drain() == 2  # two pages of HR's employees (page size 2)
    run = await payroll.run(started["id"])
    assert run["state"] == "calculated", run
    assert run["progress"]["employees_total"] == 3 and run["exceptions"] == 0
    items = await payroll.items(run["id"])
    assert {i["employee_number"] for i in items} == {"E0001", "E0002", "E0003"}
    first = next(i for i in items if i["employee_number"] == "E0001")
    assert first["totals"]["gross"] == "3000.00"  # 36,000 / 12
    assert first["cost_centre"] == "CC100"

    # The starter cannot approve; someone else can.
    refused = await payroll.act(run["id"], "approve", subject=OFFICER)
    assert refused.status_code == 403 and refused.json()["type"].endswith("self-approval")
    approved = await payroll.act(run["id"], "approve")
    assert approved.status_code == 200 and approved.json()["approved_by"] == APPROVER

    finalising = await payroll.act(run["id"], "finalise", **{"Idempotency-Key": "fin-1"})
    assert finalising.status_code == 202, finalising.text
    await payroll.drain()
    run = await payroll.run(run["id"])
    assert run["state"] == "finalised", run
    assert run["journal_id"] and run["payment_batch_id"] and run["fps_documents"] == 1
    fps = await payroll.client.get(
        f"/payroll/v1/pay-runs/{run['id']}/fps/1", headers=payroll.headers()
    )
    assert fps.status_code == 200 and fps.headers["content-type"] == "application/xml"
    assert validate_fps(fps.content) == []
    assert fps.content.count(b"<PayId>") == 3 and b"<MonthNo>9</MonthNo>" in fps.content

    # Reconciliation: payslips = journal = BACS + liabilities.
    net = sum(Decimal(i["totals"]["net"]) for i in items)
    gross = sum(Decimal(i["totals"]["gross"]) for i in items)
    assert Decimal(run["totals"]["net"]) == net and Decimal(run["totals"]["gross"]) == gross
    batch = payroll.finance.batches[run["reference"]]
    assert batch["total"] == net and batch["count"] == 3 and len(batch["payments"]) == 3
    assert batch["date"] == date(2026, 12, 31)
    lines = payroll.finance.journals[run["reference"]]["lines"]
    debits = sum(Decimal(line["debit"]) for line in lines)
    credits = sum(Decimal(line["credit"]) for line in lines)
    assert debits == credits
    net_line = sum(Decimal(line["credit"]) for line in lines if line["account_code"] == "52100000")
    assert net_line == net

    # Self-service: Ada sees her own payslip, and only hers; another person sees none.
    mine = await payroll.client.get(
        "/payroll/v1/me/payslips", headers=payroll.headers(subject="ada-1", scopes="payroll:self")
    )
    assert mine.status_code == 200
    assert [p["employee_number"] for p in mine.json()["items"]] == ["E0001"]
    others = await payroll.client.get(
        "/payroll/v1/me/payslips", headers=payroll.headers(subject="bob-2", scopes="payroll:self")
    )
    assert others.status_code == 200 and others.json()["items"] == []
    no_scope = await payroll.client.get(
        "/payroll/v1/payslips", headers=payroll.headers(subject="ada-1", scopes="payroll:self")
    )
    assert no_scope.status_code == 403

    # The payslip as a PDF, for payroll and for Ada herself.
    pdf = await payroll.client.get(
        f"/payroll/v1/pay-runs/{run['id']}/items/{uuid.UUID(int=1)}/payslip.pdf",
        headers=payroll.headers(),
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"PAYRUN-MONTHLY-2026-27-09 E0001" in pdf.content
    own = await payroll.client.get(
        f"/payroll/v1/me/payslips/{run['id']}/payslip.pdf",
        headers=payroll.headers(subject="ada-1", scopes="payroll:self"),
    )
    assert own.status_code == 200 and own.content.startswith(b"%PDF-")
    stranger = await payroll.client.get(
        f"/payroll/v1/me/payslips/{run['id']}/payslip.pdf",
        headers=payroll.headers(subject="bob-2", scopes="payroll:self"),
    )
    assert stranger.status_code == 404

    # Reports: gross to net per employee (CSV), and by cost centre (what the journal posts).
    r = await payroll.client.get(
        f"/payroll/v1/pay-runs/{run['id']}/reports/gross-to-net", headers=payroll.headers()
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["employee_number"] for row in rows] == ["E0001", "E0002", "E0003", "TOTAL"]
    assert sum(Decimal(row["net"]) for row in rows[:-1]) == Decimal(rows[-1]["net"]) == net
    r = await payroll.client.get(
        f"/payroll/v1/pay-runs/{run['id']}/reports/cost-centres", headers=payroll.headers()
    )
    assert [c["cost_centre"] for c in r.json()["cost_centres"]] == ["CC100"]
    assert r.json()["cost_centres"][0]["totals"] == r.json()["totals"] == run["totals"]

    # A second run for the period is refused; payslips are there for each employee.
    again = await payroll.start(group["id"], status=409)
    assert again["type"].endswith("pay-run-exists") and again["run_id"] == run["id"]
    r = await payroll.client.get(
        f"/payroll/v1/payslips?employee_id={uuid.UUID(int=1)}", headers=payroll.headers()
    )
    assert r.status_code == 200 and [p["net_pay"] for p in r.json()["items"]] == [
        first["totals"]["net"]
    ]


async def test_each_payslip_is_the_calculators_answer_and_year_to_date_carries(
    payroll: Payroll,
) -> None:
    group = await payroll.group(code="MCARRY")
    for period in (9, 10):
        started = await payroll.start(group["id"], period=period)
        await payroll.drain()
        run = await payroll.run(started["id"])
        assert run["state"] == "calculated", run
        for item in await payroll.items(run["id"]):
            r = await payroll.client.post(
                "/payroll/v1/calculations/payslip",
                json=item["inputs"],
                headers=payroll.headers(),
            )
            assert r.status_code == 200, r.text
            expected = r.json()
            slip = {k: v for k, v in item["payslip"].items() if k != "basic_pay_explanation"}
            assert slip == expected
        assert (await payroll.act(run["id"], "approve")).status_code == 200
        assert (
            await payroll.act(run["id"], "finalise", **{"Idempotency-Key": f"c{period}"})
        ).status_code == 202
        await payroll.drain()
        assert (await payroll.run(run["id"]))["state"] == "finalised"
    december = next(i for i in await payroll.items(run["id"]) if i["employee_number"] == "E0001")
    # January's YTD is December's plus January's: taxable pay to date doubled.
    assert december["inputs"]["year_to_date"]["taxable_pay"] == "3000.00"
    assert december["payslip"]["year_to_date"]["taxable_pay"] == "6000.00"


async def test_exceptions_block_approval_until_held_back(payroll: Payroll) -> None:
    payroll.hr.people = [
        employee(1),
        employee(2, bank=None),
        employee(3, tax_code=None),
        employee(4, national_insurance_number=None),
        employee(11),
        employee(5, tax_code="ZZZ"),  # a code the calculator refuses: this person, not the run
    ]
    group = await payroll.group(code="MEXC")
    started = await payroll.start(group["id"])
    await payroll.drain()
    run = await payroll.run(started["id"])
    assert run["state"] == "calculated" and run["exceptions"] == 5
    flagged = await payroll.items(run["id"], "&exceptions=true")
    codes = {i["employee_number"]: [e["code"] for e in i["exceptions"]] for i in flagged}
    assert codes == {
        "E0002": ["missing-bank-details"],
        "E0003": ["missing-tax-code"],
        "E0004": ["missing-ni-number"],
        "E0011": ["missing-rti-details"],
        "E0005": ["cannot-calculate"],
    }
    emergency = next(i for i in flagged if i["employee_number"] == "E0003")
    assert (
        emergency["inputs"]["tax_code"] == "1257L" and emergency["inputs"]["week1_month1"] is True
    )
    blocked = await payroll.act(run["id"], "approve")
    assert blocked.status_code == 409 and blocked.json()["type"].endswith("exceptions-outstanding")
    assert (await payroll.run(run["id"]))["state"] == "calculated"
    early = await payroll.client.get(
        f"/payroll/v1/pay-runs/{run['id']}/items/{uuid.UUID(int=1)}/payslip.pdf",
        headers=payroll.headers(),
    )
    assert early.status_code == 409  # payslips are issued when the run is finalised
    refused = await payroll.client.post(
        f"/payroll/v1/pay-runs/{run['id']}/items/{uuid.UUID(int=2)}/accept",
        headers=payroll.headers(),
    )
    assert refused.status_code == 409 and "missing-bank-details" in refused.json()["detail"]
    for number in (2, 3, 4, 11, 5):
        r = await payroll.client.post(
            f"/payroll/v1/pay-runs/{run['id']}/items/{uuid.UUID(int=number)}/hold",
            headers=payroll.headers(),
        )
        assert r.status_code == 200 and r.json()["held"] is True
    run = await payroll.run(run["id"])
    assert run["exceptions"] == 0 and run["held"] == 5
    assert run["totals"]["gross"] == "3000.00"  # only the one paid
    assert (await payroll.act(run["id"], "approve")).status_code == 200


async def test_a_chunk_delivered_twice_is_calculated_once(payroll: Payroll) -> None:
    payroll.hr.people = [employee(n) for n in range(1, 8)]
    group = await payroll.group(code="MTWICE")
    started = await payroll.start(group["id"])
    await payroll.drain(twice=True)
    run = await payroll.run(started["id"])
    assert run["state"] == "calculated"
    assert run["progress"]["employees_total"] == 7 and run["progress"]["chunks_done"] == 4
    assert len(await payroll.items(run["id"])) == 7
    assert run["totals"]["gross"] == "21000.00"


async def test_recalculation_takes_hr_as_it_is_now(payroll: Payroll) -> None:
    group = await payroll.group(code="MRECALC")
    started = await payroll.start(group["id"])
    await payroll.drain()
    payroll.hr.people = [employee(1, "48000.00")]
    r = await payroll.client.post(
        f"/payroll/v1/pay-runs/{started['id']}/recalculate", headers=payroll.headers()
    )
    assert r.status_code == 202 and r.json()["calculation"] == 2
    await payroll.drain()
    run = await payroll.run(started["id"])
    assert run["state"] == "calculated" and run["totals"]["gross"] == "4000.00"
    assert len(await payroll.items(run["id"])) == 1


async def test_finance_down_leaves_the_run_finalising_and_a_retry_completes(
    payroll: Payroll,
) -> None:
    group = await payroll.group(code="MDOWN")
    started = await payroll.start(group["id"])
    await payroll.drain()
    assert (await payroll.act(started["id"], "approve")).status_code == 200
    payroll.finance.down = True
    assert (
        await payroll.act(started["id"], "finalise", **{"Idempotency-Key": "d1"})
    ).status_code == 202
    item = payroll.queue.items.pop(0)
    with pytest.raises(ServiceUnavailable):
        await payroll.jobs.handle(item)  # the worker naks it: redelivered later
    assert (await payroll.run(started["id"]))["state"] == "finalising"
    assert payroll.finance.journals == {}
    payroll.finance.down = False
    await payroll.jobs.handle(item)
    run = await payroll.run(started["id"])
    assert run["state"] == "finalised" and len(payroll.finance.batches) == 1


async def test_a_run_is_its_tenants_and_needs_its_scopes(
    payroll: Payroll, other_tenant: str
) -> None:
    group = await payroll.group(code="MTEN")
    started = await payroll.start(group["id"])
    stranger = payroll.headers(tenant=other_tenant)
    assert (
        await payroll.client.get(f"/payroll/v1/pay-runs/{started['id']}", headers=stranger)
    ).status_code == 404
    assert (
        await payroll.client.get(f"/payroll/v1/pay-groups/{group['id']}", headers=stranger)
    ).status_code == 404
    reader = payroll.headers(scopes="payroll:read")
    r = await payroll.client.post(
        "/payroll/v1/pay-runs",
        json={"pay_group_id": group["id"], "tax_year": "2026-27", "period": 10},
        headers=reader,
    )
    assert r.status_code == 403
    runner = await payroll.act(started["id"], "approve", scopes="payroll:read payroll:run")
    assert runner.status_code == 403


async def test_bad_requests_change_nothing(payroll: Payroll) -> None:
    group = await payroll.group(code="MBAD")
    for body, field_name in (
        ({"pay_group_id": group["id"], "tax_year": "2026-27", "period": 13}, "period"),
        ({"pay_group_id": str(uuid.uuid4()), "tax_year": "2026-27", "period": 1}, None),
        ({"pay_group_id": group["id"], "tax_year": "1999-00", "period": 1}, "tax_year"),
    ):
        r = await payroll.client.post("/payroll/v1/pay-runs", json=body, headers=payroll.headers())
        assert r.status_code in (404, 422), r.text
        assert r.headers["content-type"] == "application/problem+json"
        if field_name:
            assert field_name in {e["field"] for e in r.json().get("errors", [])}, r.json()
    r = await payroll.client.get("/payroll/v1/pay-runs", headers=payroll.headers())
    assert r.json()["items"] == [] and payroll.queue.items == []
    r = await payroll.client.post(
        "/payroll/v1/pay-groups",
        json={
            "code": "X",
            "name": "X",
            "frequency": "monthly",
            "pay_day": "cycle",
            "tax_office_number": "123",
            "paye_reference": "AB1",
            "accounts_office_reference": "123PA00012345",
        },
        headers=payroll.headers(),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "pay_day"


async def test_starters_take_their_code_from_the_p45_or_the_starter_declaration(
    payroll: Payroll,
) -> None:
    november = date(2026, 11, 16)
    payroll.hr.people = [
        employee(15, tax_code=None, start_date=november),
        employee(16, tax_code=None, start_date=november),
    ]
    await payroll.details(15, starter_declaration="B")
    await payroll.details(16)
    p45 = {"tax_code": "1257L", "taxable_pay": "20000.00", "tax_paid": "2000.00"}
    r = await payroll.client.get(
        f"/payroll/v1/employees/{uuid.UUID(int=16)}/rti-details", headers=payroll.headers()
    )
    changed = await payroll.client.put(
        f"/payroll/v1/employees/{uuid.UUID(int=16)}/rti-details",
        json={
            "gender": "M",
            "p45": p45,
            "starter_declaration": "C",
            "address": {"lines": ["6 High St", "York"]},
        },
        headers=payroll.headers(**{"If-Match": r.headers["etag"]}),
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = await payroll.client.put(
        f"/payroll/v1/employees/{uuid.UUID(int=16)}/rti-details",
        json={"gender": "M"},
        headers=payroll.headers(**{"If-Match": r.headers["etag"]}),
    )
    assert stale.status_code == 412
    group = await payroll.group(code="MSTART")
    started = await payroll.start(group["id"], period=8)  # November
    await payroll.drain()
    run = await payroll.run(started["id"])
    assert run["exceptions"] == 0, await payroll.items(run["id"], "&exceptions=true")
    items = {i["employee_number"]: i for i in await payroll.items(run["id"])}
    declared, with_p45 = items["E0015"]["inputs"], items["E0016"]["inputs"]
    assert (declared["tax_code"], declared["week1_month1"]) == ("1257L", True)
    assert "year_to_date" not in declared
    assert (with_p45["tax_code"], with_p45["week1_month1"]) == ("1257L", False)
    assert with_p45["year_to_date"]["taxable_pay"] == "20000.00"
    assert (await payroll.act(run["id"], "approve")).status_code == 200
    assert (
        await payroll.act(run["id"], "finalise", **{"Idempotency-Key": "st"})
    ).status_code == 202
    await payroll.drain()
    fps = (
        await payroll.client.get(
            f"/payroll/v1/pay-runs/{run['id']}/fps/1", headers=payroll.headers()
        )
    ).content
    assert validate_fps(fps) == []
    assert fps.count(b"<Starter>") == 2 and b"<StartDec>B</StartDec>" in fps
    # The FPS's figures to date are this employment's: the P45's pay is not in them.
    taxable = Decimal(items["E0016"]["payslip"]["taxable_pay"])
    assert f"<TaxablePay>{taxable}</TaxablePay>".encode() in fps


async def test_unpaid_leave_sick_pay_and_maternity_pay_come_from_hr_absences(
    payroll: Payroll,
) -> None:
    ada, grace, mary = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
    payroll.hr.leave = [
        HrAbsence(ada, "unpaid", date(2026, 12, 14), date(2026, 12, 16), paid=False),
        HrAbsence(grace, "sick", date(2026, 12, 1), date(2026, 12, 10), paid=True),
        HrAbsence(mary, "maternity", date(2026, 11, 2), date(2027, 8, 1), paid=False),
    ]
    group = await payroll.group(code="MLEAVE")
    started = await payroll.start(group["id"])
    await payroll.drain()
    items = {i["employee_number"]: i for i in await payroll.items(started["id"])}
    # Ada: three unpaid working days of December's 21 (two bank holidays) come off.
    ada_pay = items["E0001"]["payslip"]
    assert Decimal(ada_pay["gross_pay"]) == (Decimal("3000") * 18 / 21).quantize(Decimal("0.01"))
    assert any("unpaid" in line.lower() for line in ada_pay["basic_pay_explanation"])
    # Grace: sick on full pay; SSP from the first day (2026-27 rules) is part of that pay.
    grace_pay = items["E0002"]["payslip"]
    assert grace_pay["gross_pay"] == "4333.33"
    ssp = [line for line in grace_pay["lines"] if line["code"] == "statutory_pay"]
    assert len(ssp) == 1 and Decimal(ssp[0]["amount"]) > 0
    assert Decimal(ssp[0]["amount"]) == Decimal("123.25") / 5 * 8  # 8 working days
    # Mary: on maternity leave without contractual pay: SMP only, 90% of AWE then the rate.
    mary_pay = items["E0003"]["payslip"]
    assert Decimal(mary_pay["gross_pay"]) == sum(
        Decimal(line["amount"]) for line in mary_pay["lines"] if line["code"] == "statutory_pay"
    )
    assert Decimal("0") < Decimal(mary_pay["gross_pay"]) < Decimal("2000.00")


async def test_one_off_additions_and_deductions_by_api_and_csv(payroll: Payroll) -> None:
    group = await payroll.group(code="MADJ")
    base = f"/payroll/v1/pay-groups/{group['id']}/adjustments"
    for kind, amount, what in (
        ("overtime", "240.00", "Overtime 12 hours"),
        ("expenses", "50.00", "Train fares"),
        ("deduction", "30.00", "Union subscription"),
    ):
        r = await payroll.client.post(
            base,
            json={
                "tax_year": "2026-27",
                "period": 9,
                "employee_number": "E0001",
                "kind": kind,
                "amount": amount,
                "description": what,
            },
            headers=payroll.headers(),
        )
        assert r.status_code == 201, r.text
    bad = (
        "employee_number,kind,amount,description\n"
        "E0002,bonus,500.00,Bonus\nE0003,gift,10.00,X\nE0003,bonus,-5.00,Y\n"
    )
    r = await payroll.client.post(
        f"{base}/imports?tax_year=2026-27&period=9",
        content=bad,
        headers=payroll.headers(**{"Content-Type": "text/csv"}),
    )
    assert r.status_code == 422, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"rows.3.kind", "rows.4.amount"}
    listed = await payroll.client.get(
        f"{base}?tax_year=2026-27&period=9", headers=payroll.headers()
    )
    assert len(listed.json()["items"]) == 3  # nothing of the bad file
    good = "employee_number,kind,amount,description\nE0002,bonus,500.00,Annual bonus\n"
    r = await payroll.client.post(
        f"{base}/imports?tax_year=2026-27&period=9",
        content=good,
        headers=payroll.headers(**{"Content-Type": "text/csv"}),
    )
    assert r.status_code == 201 and r.json() == {"created": 1}
    started = await payroll.start(group["id"])
    await payroll.drain()
    items = {i["employee_number"]: i for i in await payroll.items(started["id"])}
    ada = items["E0001"]
    assert ada["totals"]["gross"] == "3290.00" and ada["totals"]["other_deductions"] == "30.00"
    assert ada["payslip"]["post_tax_deductions"] == "30.00"
    assert ada["payslip"]["taxable_pay"] == "3240.00"  # expenses are not taxed
    assert items["E0002"]["totals"]["gross"] == "4833.33"
    assert (await payroll.act(started["id"], "approve")).status_code == 200
    locked = await payroll.client.post(
        base,
        json={
            "tax_year": "2026-27",
            "period": 9,
            "employee_number": "E0001",
            "kind": "bonus",
            "amount": "1.00",
            "description": "Late",
        },
        headers=payroll.headers(),
    )
    assert locked.status_code == 409 and locked.json()["type"].endswith("period-locked")
    assert (
        await payroll.act(started["id"], "finalise", **{"Idempotency-Key": "adj"})
    ).status_code == 202
    await payroll.drain()
    run = await payroll.run(started["id"])
    lines = payroll.finance.journals[run["reference"]]["lines"]
    assert [line["credit"] for line in lines if line["account_code"] == "52400000"] == ["30.00"]
    assert sum(Decimal(x["debit"]) for x in lines) == sum(Decimal(x["credit"]) for x in lines)


async def test_a_year_of_runs_carries_year_to_date_that_an_independent_sum_agrees_with(
    payroll: Payroll,
) -> None:
    """Twelve monthly runs for a cohort (a starter in July, a leaver in October, a tax code
    change in September, a week of sickness in June): every employee's stored year to date at
    March equals the sum of their twelve payslips, and for someone paid all year on one code the
    cumulative tax equals the calculator's tax on the year's pay worked out in one go."""
    sick = uuid.UUID(int=5)
    await payroll.details(12, starter_declaration="A")
    payroll.hr.people = [
        employee(1, "41000.00"),
        employee(12, tax_code="1257L", start_date=date(2026, 7, 6)),
        employee(3, "28000.00", leaving_date=date(2026, 10, 16)),
        employee(4, "60000.00"),
        employee(5, "33000.00"),
    ]
    payroll.hr.leave = [HrAbsence(sick, "sick", date(2026, 6, 8), date(2026, 6, 12), paid=True)]
    group = await payroll.group(code="MYEAR")
    slips: dict[str, list[dict[str, Any]]] = {}
    runs: dict[int, str] = {}
    for period in range(1, 13):
        if period == 10:  # January: employee 5 reaches State Pension age (category C)
            payroll.hr.people[4] = replace(payroll.hr.people[4], ni_category="C")
        if period == 6:  # September: HMRC's P6 gives employee 4 a new code
            r = await payroll.client.post(
                f"/payroll/v1/employees/{uuid.UUID(int=4)}/tax-codes",
                json={"tax_code": "1100L", "effective_from": "2026-09-01", "form": "P6"},
                headers=payroll.headers(),
            )
            assert r.status_code == 201, r.text
        started = await payroll.start(group["id"], period=period)
        runs[period] = started["id"]
        await payroll.drain()
        run = await payroll.run(started["id"])
        assert run["state"] == "calculated", run
        for flagged in await payroll.items(run["id"], "&exceptions=true"):
            # The leaver's part month is a net pay change over the threshold: looked at, paid.
            assert [e["code"] for e in flagged["exceptions"]] == ["net-pay-variance"], flagged
            r = await payroll.client.post(
                f"/payroll/v1/pay-runs/{run['id']}/items/{flagged['employee_id']}/accept",
                headers=payroll.headers(),
            )
            assert r.status_code == 200 and r.json()["accepted"] is True
        assert (await payroll.run(run["id"]))["exceptions"] == 0
        for item in await payroll.items(run["id"]):
            slips.setdefault(item["employee_number"], []).append(item["payslip"])
        assert (await payroll.act(run["id"], "approve")).status_code == 200
        finalise = await payroll.act(run["id"], "finalise", **{"Idempotency-Key": f"y{period}"})
        assert finalise.status_code == 202
        await payroll.drain()
        assert (await payroll.run(run["id"]))["state"] == "finalised"
    assert len(slips["E0001"]) == 12 and len(slips["E0012"]) == 9  # July to March
    assert len(slips["E0003"]) == 7  # April to October
    for number, payslips in slips.items():
        last = payslips[-1]["year_to_date"]
        for field_name, figure in (
            ("gross_pay", "gross_pay"),
            ("taxable_pay", "taxable_pay"),
            ("tax_paid", "income_tax"),
            ("net_pay", "net_pay"),
        ):
            assert Decimal(last[field_name]) == sum(Decimal(p[figure]) for p in payslips), (
                number,
                field_name,
            )
        letter = payslips[-1]["ni_category"]
        assert Decimal(last["ni"]["employee_contribution"]) == sum(
            Decimal(p["employee_ni"]) for p in payslips if p["ni_category"] == letter
        ), number
    assert any(line["code"] == "statutory_pay" for p in slips["E0005"] for line in p["lines"])
    assert [p["tax_code"] for p in slips["E0004"]] == ["1257L"] * 5 + ["1100L"] * 7
    # March's FPS reports both of employee 5's letters, each with its own figures to date.
    fps = await payroll.client.get(
        f"/payroll/v1/pay-runs/{runs[12]}/fps/1", headers=payroll.headers()
    )
    assert validate_fps(fps.content) == []
    assert fps.content.count(b"<NIletter>C</NIletter>") == 1
    assert fps.content.count(b"<NIletter>A</NIletter>") == 4  # employees 1, 12, 4 and 5
    assert [p["ni_category"] for p in slips["E0005"]] == ["A"] * 9 + ["C"] * 3
    # The leaver's P45 from October's run: code at leaving, pay and tax to date.
    r = await payroll.client.get(
        f"/payroll/v1/pay-runs/{runs[7]}/items/{uuid.UUID(int=3)}/p45", headers=payroll.headers()
    )
    assert r.status_code == 200, r.text
    p45 = r.json()
    assert p45["leaving_date"] == "2026-10-16" and p45["last_period"] == 7
    assert Decimal(p45["total_pay_to_date"]) == sum(
        Decimal(p["taxable_pay"]) for p in slips["E0003"]
    )
    assert p45["total_tax_to_date"] == slips["E0003"][-1]["year_to_date"]["tax_paid"]
    assert p45["employer_paye_reference"] == "123/AB45678"
    not_a_leaver = await payroll.client.get(
        f"/payroll/v1/pay-runs/{runs[7]}/items/{uuid.UUID(int=1)}/p45", headers=payroll.headers()
    )
    assert not_a_leaver.status_code == 404
    # Independent: the year's tax for someone on 1257L all year, in one cumulative step.
    year_pay = sum(Decimal(p["taxable_pay"]) for p in slips["E0001"])
    r = await payroll.client.post(
        "/payroll/v1/calculations/income-tax",
        json={
            "tax_year": "2026-27",
            "pay_frequency": "monthly",
            "period": 12,
            "tax_code": "1257L",
            "taxable_pay": f"{year_pay:.2f}",
        },
        headers=payroll.headers(),
    )
    assert r.status_code == 200, r.text
    assert Decimal(r.json()["tax_due"]) == Decimal(slips["E0001"][-1]["year_to_date"]["tax_paid"])


async def test_progress_is_announced_and_the_time_left_estimated(payroll: Payroll) -> None:
    from sqlalchemy import select

    from sop_shared.kernel_tables import outbox

    payroll.hr.people = [employee(n) for n in range(1, 13)]
    payroll.hr.page_size = 1  # twelve chunks
    group = await payroll.group(code="MPROG")
    started = await payroll.start(group["id"])
    for _ in range(6):  # half the pages: the last page is not read yet
        await payroll.jobs.handle(payroll.queue.items.pop(0))
    halfway = await payroll.run(started["id"])
    assert halfway["progress"]["chunks_done"] == 6 and halfway["progress"]["chunks_total"] is None
    assert halfway["progress"]["eta_seconds"] is None
    await payroll.drain()
    run = await payroll.run(started["id"])
    assert run["state"] == "calculated" and run["progress"]["chunks_total"] == 12
    assert run["progress"]["eta_seconds"] == 0.0
    async with payroll.jobs.database.transaction() as session:
        types = (
            (
                await session.execute(
                    select(outbox.c.type).where(outbox.c.subject == f"pay-runs/{run['id']}")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(types) == [
        "uk.gov.sop.payroll.pay_run.calculated.v1",
        "uk.gov.sop.payroll.pay_run.progressed.v1",  # at ten chunks
        "uk.gov.sop.payroll.pay_run.started.v1",
    ]


async def test_a_run_reversed_before_payment_withdraws_the_money_and_frees_the_period(
    payroll: Payroll,
) -> None:
    group = await payroll.group(code="MREV")

    async def finalised(period: int) -> dict[str, Any]:
        started = await payroll.start(group["id"], period=period)
        await payroll.drain()
        assert (await payroll.act(started["id"], "approve")).status_code == 200
        r = await payroll.act(started["id"], "finalise", **{"Idempotency-Key": f"r{period}"})
        assert r.status_code == 202
        await payroll.drain()
        return await payroll.run(started["id"])

    november, december = await finalised(8), await finalised(9)

    async def reverse(run: dict[str, Any], key: str) -> httpx.Response:
        return await payroll.client.post(
            f"/payroll/v1/pay-runs/{run['id']}/reverse",
            json={"reason": "Paid at the wrong rate"},
            headers=payroll.headers(
                subject=APPROVER, scopes="payroll:read payroll:approve", **{"Idempotency-Key": key}
            ),
        )

    blocked = await reverse(november, "rev-nov")
    assert blocked.status_code == 409 and "PAYRUN-MREV-2026-27-09" in blocked.json()["detail"]
    r = await reverse(december, "rev-dec")
    assert r.status_code == 202 and r.json()["state"] == "reversing"
    await payroll.drain()
    run = await payroll.run(december["id"])
    assert run["state"] == "reversed"
    assert payroll.finance.batches[run["reference"]]["withdrawn"] is True
    assert payroll.finance.journals[run["reference"]]["reversed"] is True
    # Year to date is November's again: December's new run starts from it.
    again = await payroll.start(group["id"], period=9)
    await payroll.drain()
    ada = next(i for i in await payroll.items(again["id"]) if i["employee_number"] == "E0001")
    assert ada["inputs"]["year_to_date"]["taxable_pay"] == "3000.00"  # November's alone

    # November's money has gone: its reversal is refused and the run stays finalised.
    payroll.finance.sent_before = date(2026, 11, 30)
    await payroll.client.post(
        f"/payroll/v1/pay-runs/{again['id']}/cancel", headers=payroll.headers()
    )
    r = await reverse(november, "rev-nov-2")
    assert r.status_code == 202
    await payroll.drain()
    run = await payroll.run(november["id"])
    assert run["state"] == "finalised" and run["error"].startswith("not reversed")


@pytest.mark.sqlite
async def test_a_run_goes_through_on_sqlite_as_make_run_keeps_it(
    payroll_on_sqlite: Payroll,
) -> None:
    """`make run` keeps payroll in SQLite: the whole life of a run, and reading it back (SQLite
    returns naive datetimes; the API answers UTC instants all the same)."""
    payroll = payroll_on_sqlite
    group = await payroll.group(code="MLITE")
    started = await payroll.start(group["id"])
    await payroll.drain()
    listed = await payroll.client.get("/payroll/v1/pay-runs", headers=payroll.headers())
    assert listed.status_code == 200, listed.text
    run = listed.json()["items"][0]
    assert run["state"] == "calculated" and run["progress"]["elapsed_seconds"] is not None
    assert run["created_at"].endswith("Z") or run["created_at"].endswith("+00:00")
    assert (await payroll.act(run["id"], "approve")).status_code == 200
    assert (
        await payroll.act(run["id"], "finalise", **{"Idempotency-Key": "lite"})
    ).status_code == 202
    await payroll.drain()
    run = await payroll.run(started["id"])
    assert run["state"] == "finalised" and run["fps_documents"] == 1
    pdf = await payroll.client.get(
        f"/payroll/v1/pay-runs/{run['id']}/items/{uuid.UUID(int=1)}/payslip.pdf",
        headers=payroll.headers(),
    )
    assert pdf.status_code == 200
    again = await payroll.start(group["id"], status=409)
    assert again["run_id"] == run["id"]


async def test_finalising_stopped_by_bad_data_can_be_recalculated_and_a_worker_waits_for_commits(
    payroll: Payroll,
) -> None:
    from sop_payroll.pay_runs.worker import RunNotYetVisible
    from sop_shared.errors import ValidationFailed

    payroll.hr.people = [employee(1), employee(6, ni_category="B", date_of_birth=date(1990, 2, 1))]
    group = await payroll.group(code="MSTUCK")
    started = await payroll.start(group["id"])
    await payroll.drain()
    run = await payroll.run(started["id"])
    flagged = await payroll.items(run["id"], "&exceptions=true")
    assert [e["code"] for e in flagged[0]["exceptions"]] == ["ni-category-not-allowed"]
    payroll.hr.people[1] = replace(payroll.hr.people[1], ni_category="A")  # corrected in HR
    r = await payroll.client.post(
        f"/payroll/v1/pay-runs/{run['id']}/recalculate", headers=payroll.headers()
    )
    assert r.status_code == 202
    await payroll.drain()
    assert (await payroll.act(run["id"], "approve")).status_code == 200
    # A finalise message taken before its request committed (the run still approved) waits.
    early = WorkItem(payroll.tenant, "matrix", uuid.UUID(run["id"]), 2, "finalise", seq=99)
    with pytest.raises(RunNotYetVisible):
        await payroll.jobs.handle(early)
    assert (
        await payroll.act(run["id"], "finalise", **{"Idempotency-Key": "s1"})
    ).status_code == 202
    real_pay = payroll.finance.pay_by_bacs

    async def refused(*args: Any, **kwargs: Any) -> str:
        raise ValidationFailed("sort code 200000 is not a reachable account")

    payroll.finance.pay_by_bacs = refused
    item = payroll.queue.items.pop(0)
    with pytest.raises(ValidationFailed) as failure:
        await payroll.jobs.handle(item)
    await payroll.jobs.give_up(item, str(failure.value))  # what the worker does at once for a 4xx
    stuck = await payroll.run(run["id"])
    assert stuck["state"] == "finalising" and "reachable" in stuck["error"]
    payroll.finance.pay_by_bacs = real_pay
    r = await payroll.client.post(
        f"/payroll/v1/pay-runs/{run['id']}/recalculate", headers=payroll.headers()
    )
    assert r.status_code == 202, r.text
    await payroll.drain()
    again = await payroll.run(run["id"])
    assert again["state"] == "calculated" and again["approved_by"] is None
    assert (await payroll.act(run["id"], "approve")).status_code == 200
    assert (
        await payroll.act(run["id"], "finalise", **{"Idempotency-Key": "s2"})
    ).status_code == 202
    await payroll.drain()
    done = await payroll.run(run["id"])
    assert done["state"] == "finalised" and done["fps_documents"] == 1
