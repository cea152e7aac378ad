"""The payroll worker: takes pay-run work off the JetStream work queue and does it
(`python -m sop_payroll worker`; `make run` starts one, more processes finish a run sooner).

A calculation chunk is one page of HR's employees. The worker reads the page, queues the next
page at once (so other workers start on it while this one calculates), calculates, and stores
the page's items in one transaction with the chunk's claim: a chunk redelivered after a worker
died, or delivered twice, is stored once. Memory stays bounded by the page size."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from nats.aio.msg import Msg
from pydantic import ValidationError

from sop_payroll.adapters.platform import GatewayFinance, GatewayHr
from sop_payroll.adapters.registry import backend_for
from sop_payroll.adapters.work_queue import (
    CONSUMER,
    MAX_DELIVER,
    STREAM,
    SUBJECT_PREFIX,
    JetStreamWorkQueue,
    consumer_config,
    decode,
    ensure_stream,
)
from sop_payroll.context import PayrollContext
from sop_payroll.engine.errors import PayrollEngineError
from sop_payroll.pay_groups import service as pay_groups
from sop_payroll.pay_runs import service
from sop_payroll.pay_runs.ports import (
    FinanceLedger,
    HrAbsence,
    HrDirectory,
    RunPeriod,
    RunState,
    WorkItem,
    WorkQueue,
)
from sop_payroll.problems import PaymentsSent
from sop_payroll.settings import PayrollSettings
from sop_shared.audit import SessionAuditTrail
from sop_shared.calendar import WorkingCalendar
from sop_shared.clock import Clock, SystemClock
from sop_shared.context import Principal
from sop_shared.db import Database
from sop_shared.errors import Problem
from sop_shared.events.jetstream import connect, nats_url_from_env
from sop_shared.events.outbox import SessionOutbox
from sop_shared.observability import configure_logging
from sop_shared.platform_client import PlatformClient
from sop_shared.platform_config import PlatformConfigSource

log = logging.getLogger("sop.payroll.worker")

WORKER_SCOPES = frozenset({"payroll:read", "payroll:run", "payroll:approve"})


@dataclass
class PayRunJobs:
    """Everything a worker needs, built once per process (tests build one in process)."""

    database: Database
    settings: PayrollSettings
    platform: PlatformConfigSource
    hr: HrDirectory
    finance: FinanceLedger
    work: WorkQueue
    clock: Clock
    calendar: WorkingCalendar

    def __post_init__(self) -> None:
        self._cost_centres: OrderedDict[tuple[str, Any, int], dict[Any, str]] = OrderedDict()
        self._absences: OrderedDict[tuple[str, Any, int], dict[Any, list[HrAbsence]]] = (
            OrderedDict()
        )

    @contextlib.asynccontextmanager
    async def context(self, item: WorkItem) -> AsyncIterator[PayrollContext]:
        """A transaction and a context acting as the payroll service for the item's tenant."""
        principal = Principal(
            subject="payroll-worker",
            client_id="sop-payroll",
            tenant=item.tenant,
            cluster=item.cluster,
            scopes=WORKER_SCOPES,
            acting_service="payroll",
        )
        binding = self.platform.binding(item.cluster, self.settings.service)
        async with self.database.transaction() as session:
            yield PayrollContext(
                principal=principal,
                backend=backend_for(binding, session, cluster=item.cluster, tenant=item.tenant),
                clock=self.clock,
                calendar=self.calendar,
                settings=self.settings,
                audit=SessionAuditTrail(session, principal),
                events=SessionOutbox(session, principal, self.settings.service, clock=self.clock),
                work=self.work,
                hr=self.hr,
                finance=self.finance,
            )

    async def handle(self, item: WorkItem) -> None:
        if item.stage == "calculate":
            await self.calculate(item)
        elif item.stage == "finalise":
            await self.finalise(item)
        elif item.stage == "reverse":
            await self.reverse(item)
        else:
            log.warning("ignoring pay-run work of unknown stage %r", item.stage)

    async def _cost_centres_for(self, item: WorkItem) -> dict[Any, str]:
        key = (item.tenant, item.run_id, item.calculation)
        found = self._cost_centres.get(key)
        if found is None:
            found = await self.hr.cost_centres(item.tenant)
            self._cost_centres[key] = found
            while len(self._cost_centres) > 64:
                self._cost_centres.popitem(last=False)
        return found

    async def _absences_for(self, item: WorkItem, period: RunPeriod) -> dict[Any, list[HrAbsence]]:
        """The run's absences that pay depends on, read from HR once per run and process: from
        40 weeks before the period (SSP's linked spells, family leave's weeks) to its end."""
        key = (item.tenant, item.run_id, item.calculation)
        found = self._absences.get(key)
        if found is None:
            rows = await self.hr.absences(
                item.tenant, start=period.start - timedelta(weeks=40), end=period.end
            )
            found = {}
            for row in rows:
                found.setdefault(row.employee_id, []).append(row)
            self._absences[key] = found
            while len(self._absences) > 16:
                self._absences.popitem(last=False)
        return found

    async def calculate(self, item: WorkItem) -> None:
        async with self.context(item) as ctx:
            run = await ctx.backend.pay_runs.get(item.run_id)
            if run is None:
                raise RunNotYetVisible(item)  # queued before its transaction committed
            if item.calculation > run.calculation:
                raise RunNotYetVisible(item)  # a recalculation queued before it committed
            if run.state is not RunState.CALCULATING or run.calculation != item.calculation:
                return  # cancelled, or recalculated since: this chunk is no longer wanted
            group = await pay_groups.get_group(ctx, run.pay_group_id)
        period = run.period
        page = await self.hr.employees(
            item.tenant, as_of=period.end, cursor=item.cursor, limit=self.settings.pay_run_page_size
        )
        if page.next_cursor:
            await self.work.put(replace(item, seq=item.seq + 1, cursor=page.next_cursor))
        else:
            async with self.context(item) as ctx:
                await service.pages_known(ctx, item)
        members = [e for e in page.employees if service.in_period(e, period, group.frequency)]
        histories = {
            e.id: await self.hr.terms_history(item.tenant, e.id)
            for e in members
            if service.needs_history(e, period)
        }
        cost_centres = await self._cost_centres_for(item)
        absences = await self._absences_for(item, period)
        ids = [e.id for e in members]
        async with self.context(item) as ctx:
            ytd = await ctx.backend.pay_runs.year_to_date(ids, period.tax_year)
            previous = await ctx.backend.pay_runs.previous_net(ids, group.id, period.pay_date)
            details = await ctx.backend.rti_details.many(ids)
            tax_codes = await ctx.backend.tax_codes.latest(ids, period.pay_date)
            adjustments = await ctx.backend.adjustments.for_employees(
                group.id, period.tax_year, period.number, [e.employee_number for e in members]
            )
        inputs = service.PageInputs(
            year_to_date=ytd,
            previous_net=previous,
            cost_centres=cost_centres,
            histories=histories,
            rti=details,
            absences={e.id: absences[e.id] for e in members if e.id in absences},
            adjustments=adjustments,
            tax_codes=tax_codes,
        )
        items = []
        for employee in members:
            try:
                calculated = service.calculate_employee(group, run, employee, inputs)
            except (ValidationError, Problem, PayrollEngineError) as error:
                # One person's data the calculator refuses stops that person, not the run.
                calculated = service.not_calculated(run, employee, error)
            if calculated is not None:
                items.append(service.with_cost_centre_exception(calculated))
        async with self.context(item) as ctx:
            await service.record_chunk(
                ctx, item, items, last=page.next_cursor is None, seen=len(page.employees)
            )

    async def finalise(self, item: WorkItem) -> None:
        async with self.context(item) as ctx:
            run = await ctx.backend.pay_runs.get(item.run_id)
            if run is None:
                raise RunNotYetVisible(item)
            if run.state is RunState.APPROVED:
                raise RunNotYetVisible(item)  # queued before the request's commit
            if run.state is not RunState.FINALISING:
                return
            group = await pay_groups.get_group(ctx, run.pay_group_id)
            await service.finalise_ytd(ctx, run)
        async with self.context(item) as ctx:
            run = await service.get_run(ctx, item.run_id, for_update=True)
            run = await service.finalise_fps(ctx, run, group)
        async with self.context(item) as ctx:
            run = await service.get_run(ctx, item.run_id, for_update=True)
            run = await service.finalise_payments(ctx, run, group)
        async with self.context(item) as ctx:
            run = await service.get_run(ctx, item.run_id, for_update=True)
            run = await service.finalise_journal(ctx, run, group)
        async with self.context(item) as ctx:
            run = await service.get_run(ctx, item.run_id, for_update=True)
            if run.state is RunState.FINALISING:
                await service.finalised(ctx, run)

    async def reverse(self, item: WorkItem) -> None:
        async with self.context(item) as ctx:
            run = await ctx.backend.pay_runs.get(item.run_id)
            if run is None:
                raise RunNotYetVisible(item)
            if run.state is RunState.FINALISED and not (run.error or "").startswith("not reversed"):
                raise RunNotYetVisible(item)  # queued before the request's commit
            if run.state is not RunState.REVERSING:
                return
        async with self.context(item) as ctx:
            try:
                await service.reverse_payments(ctx, run)
            except PaymentsSent as sent:
                async with self.context(item) as refused:
                    locked = await service.get_run(refused, item.run_id, for_update=True)
                    await service.reversal_refused(refused, locked, str(sent.detail))
                return
        async with self.context(item) as ctx:
            await service.reverse_journal(ctx, run)
        async with self.context(item) as ctx:
            run = await service.get_run(ctx, item.run_id, for_update=True)
            if run.state is RunState.REVERSING:
                await service.reversed_(ctx, run)

    async def give_up(self, item: WorkItem, reason: str) -> None:
        async with self.context(item) as ctx:
            await service.fail(ctx, item, reason)


class RunNotYetVisible(Exception):
    def __init__(self, item: WorkItem) -> None:
        super().__init__(f"pay run {item.run_id} is not (yet) in the database")


def deliveries(msg: Msg) -> int:
    try:
        return int(msg.metadata.num_delivered)
    except Exception:
        return 1


async def serve(
    jobs: PayRunJobs,
    nats_url: str,
    *,
    stop: asyncio.Event,
    on_message: Callable[[], None] | None = None,
) -> None:
    """Take work until `stop` is set: one message at a time per process (a chunk is CPU-bound;
    run more processes for more throughput)."""
    nc = await connect(nats_url, name="sop-payroll-worker")
    try:
        await ensure_stream(nc)
        js = nc.jetstream()
        config = consumer_config(jobs.settings.work_ack_wait_seconds)
        sub = await js.pull_subscribe(
            f"{SUBJECT_PREFIX}.>", durable=CONSUMER, stream=STREAM, config=config
        )
        log.info("payroll worker taking pay-run work from %s", nats_url)
        while not stop.is_set():
            try:
                msgs = await sub.fetch(1, timeout=1.0)
            except TimeoutError:
                continue
            except Exception as exc:  # NATS away: wait and try again
                log.warning("work queue: %s", exc)
                await asyncio.sleep(1.0)
                continue
            for msg in msgs:
                await _process(jobs, msg, beat=jobs.settings.work_ack_wait_seconds / 3)
                if on_message is not None:
                    on_message()
    finally:
        with contextlib.suppress(Exception):
            await nc.drain()


async def _process(jobs: PayRunJobs, msg: Msg, *, beat: float) -> None:
    item = decode(msg.data)

    async def keep_alive() -> None:
        while True:
            await asyncio.sleep(beat)
            with contextlib.suppress(Exception):
                await msg.in_progress()

    beating = asyncio.create_task(keep_alive())
    try:
        await jobs.handle(item)
    except Exception as exc:
        beating.cancel()
        delivered = deliveries(msg)
        permanent = isinstance(exc, Problem) and exc.status < 500  # bad data: retrying won't help
        if delivered >= MAX_DELIVER or permanent:
            log.error("giving up on %s after %d deliveries: %s", item.message_id, delivered, exc)
            with contextlib.suppress(Exception):
                await jobs.give_up(item, f"{type(exc).__name__}: {exc}")
            await msg.term()
            return
        delay = min(30.0, 0.5 * 2 ** (delivered - 1))
        log.warning("pay-run work %s failed (%s); again in %.1fs", item.message_id, exc, delay)
        await msg.nak(delay=delay)
        return
    finally:
        beating.cancel()
    await msg.ack()


def build_jobs(settings: PayrollSettings) -> tuple[PayRunJobs, PlatformClient]:
    platform_client = PlatformClient.from_settings(settings)
    jobs = PayRunJobs(
        database=Database(settings.database_url, pool_size=settings.database_pool_size),
        settings=settings,
        platform=PlatformConfigSource(settings.platform_config),
        hr=GatewayHr(platform_client),
        finance=GatewayFinance(platform_client),
        work=JetStreamWorkQueue(nats_url_from_env()),
        clock=SystemClock(),
        calendar=WorkingCalendar.load(),
    )
    return jobs, platform_client


def main() -> None:
    settings = PayrollSettings()
    configure_logging(settings.log_level, json_logs=settings.log_json)
    nats_url = nats_url_from_env()
    if not nats_url:
        raise SystemExit("the payroll worker needs NATS: set SOP_NATS_URL")

    async def go() -> None:
        jobs, client = build_jobs(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await serve(jobs, nats_url, stop=stop)
        finally:
            await client.aclose()
            if isinstance(jobs.work, JetStreamWorkQueue):
                await jobs.work.close()
            await jobs.database.dispose()

    asyncio.run(go())
