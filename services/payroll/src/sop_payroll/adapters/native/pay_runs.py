"""Pay groups and pay runs in payroll's own database (the native adapter's stores, bound to a
tenant and to the request's or the worker's transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, and_, delete, func, insert, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from sop_payroll.adapters.native.tables import (
    PENCE_COLUMNS,
    employee_rti_details,
    pay_adjustments,
    pay_groups,
    pay_run_chunks,
    pay_run_documents,
    pay_run_items,
    pay_runs,
    tax_code_notices,
    year_to_date,
)
from sop_payroll.adjustments.ports import Adjustment, AdjustmentKind
from sop_payroll.employees.ports import P45, Address, RtiDetails, TaxCodeNotice
from sop_payroll.engine.frequency import PayFrequency
from sop_payroll.pay_groups.calendar import PayDayRule
from sop_payroll.pay_groups.ports import EmployerScheme, PayGroup, Proration
from sop_payroll.pay_runs.ports import (
    BankDetails,
    ItemException,
    ItemFilter,
    PayRun,
    PayRunItem,
    RunPeriod,
    RunState,
    RunTotals,
)
from sop_shared.db import utcnow
from sop_shared.errors import PreconditionFailed
from sop_shared.pagination import PageRequest, RecordPage, keyset_page
from sop_shared.rows import insert_for
from sop_shared.timeutil import as_utc

ZERO = Decimal("0.00")


def _utc(value: datetime | None) -> datetime | None:
    """An instant as stored: SQLite hands back naive UTC, PostgreSQL aware; always aware."""
    return None if value is None else as_utc(value)


def _pence_sum(column: str) -> Any:
    """SUM of a money column in whole pence (the Pence type is for single values)."""
    return func.sum(type_coerce(pay_run_items.c[column], BigInteger), type_=BigInteger)


# --- pay groups ---------------------------------------------------------------------------------


def _group(row: Any) -> PayGroup:
    return PayGroup(
        id=row.id,
        code=row.code,
        name=row.name,
        frequency=PayFrequency(row.frequency),
        pay_date_rule=PayDayRule(row.pay_date_rule),
        scheme=EmployerScheme(
            row.tax_office_number, row.paye_reference, row.accounts_office_reference
        ),
        pay_day=row.pay_day,
        anchor_date=row.anchor_date,
        proration=Proration(row.proration),
        region=row.region,
        bank_account_id=row.bank_account_id,
        variance_percent=Decimal(row.variance_percent),
        active=row.active,
        version=row.version,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        extra=dict(row.extra or {}),
    )


def _group_values(g: PayGroup) -> dict[str, Any]:
    return {
        "code": g.code,
        "name": g.name,
        "frequency": g.frequency.value,
        "pay_date_rule": g.pay_date_rule.value,
        "pay_day": g.pay_day,
        "anchor_date": g.anchor_date,
        "region": g.region,
        "proration": g.proration.value,
        "tax_office_number": g.scheme.tax_office_number,
        "paye_reference": g.scheme.paye_reference,
        "accounts_office_reference": g.scheme.accounts_office_reference,
        "bank_account_id": g.bank_account_id,
        "variance_percent": g.variance_percent,
        "active": g.active,
        "extra": g.extra,
    }


class NativePayGroups:
    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    async def list(self, page: PageRequest) -> RecordPage[PayGroup]:
        stmt = select(pay_groups).where(pay_groups.c.tenant == self.tenant)
        rows, cursor = await keyset_page(self.session, stmt, pay_groups.c.id, page, scalars=False)
        return RecordPage([_group(r) for r in rows], cursor)

    async def get(self, group_id: uuid.UUID) -> PayGroup | None:
        row = (
            await self.session.execute(
                select(pay_groups).where(
                    pay_groups.c.tenant == self.tenant, pay_groups.c.id == group_id
                )
            )
        ).first()
        return None if row is None else _group(row)

    async def by_code(self, code: str) -> PayGroup | None:
        row = (
            await self.session.execute(
                select(pay_groups).where(
                    pay_groups.c.tenant == self.tenant, pay_groups.c.code == code
                )
            )
        ).first()
        return None if row is None else _group(row)

    async def add(self, group: PayGroup) -> PayGroup:
        now = utcnow()
        await self.session.execute(
            insert(pay_groups).values(
                id=group.id,
                tenant=self.tenant,
                version=1,
                created_at=now,
                updated_at=now,
                **_group_values(group),
            )
        )
        return replace(group, version=1, created_at=now, updated_at=now)

    async def update(self, group: PayGroup, *, expected_version: int) -> PayGroup:
        now = utcnow()
        result = await self.session.execute(
            update(pay_groups)
            .where(
                pay_groups.c.tenant == self.tenant,
                pay_groups.c.id == group.id,
                pay_groups.c.version == expected_version,
            )
            .values(version=expected_version + 1, updated_at=now, **_group_values(group))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise PreconditionFailed("the pay group has changed; read it again")
        return replace(group, version=expected_version + 1, updated_at=now)


# --- pay runs -----------------------------------------------------------------------------------


def _totals(data: dict[str, Any] | None) -> RunTotals:
    data = data or {}
    return RunTotals(**{k: Decimal(str(data.get(k, "0.00"))) for k in PENCE_COLUMNS})


def _totals_json(t: RunTotals) -> dict[str, str]:
    return {k: f"{getattr(t, k):.2f}" for k in PENCE_COLUMNS}


def _run(row: Any) -> PayRun:
    return PayRun(
        id=row.id,
        pay_group_id=row.pay_group_id,
        pay_group_code=row.pay_group_code,
        period=RunPeriod(
            tax_year=row.tax_year,
            number=row.number,
            start=row.period_start,
            end=row.period_end,
            pay_date=row.pay_date,
            payment_date=row.payment_date,
            tax_period=row.tax_period,
            week_or_month_number=row.week_or_month_number,
            week53_basis=row.week53_basis,
        ),
        state=RunState(row.state),
        started_by=row.started_by,
        calculation=row.calculation,
        employees_total=row.employees_total,
        employees_done=row.employees_done,
        chunks_total=row.chunks_total,
        chunks_done=row.chunks_done,
        exceptions=row.exceptions,
        held=row.held,
        totals=_totals(row.totals),
        approved_by=row.approved_by,
        error=row.error,
        journal_id=row.journal_id,
        payment_batch_id=row.payment_batch_id,
        fps_documents=row.fps_documents,
        calculation_started_at=_utc(row.calculation_started_at),
        calculated_at=_utc(row.calculated_at),
        approved_at=_utc(row.approved_at),
        finalised_at=_utc(row.finalised_at),
        version=row.version,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _run_values(r: PayRun) -> dict[str, Any]:
    p = r.period
    return {
        "pay_group_id": r.pay_group_id,
        "pay_group_code": r.pay_group_code,
        "tax_year": p.tax_year,
        "number": p.number,
        "period_start": p.start,
        "period_end": p.end,
        "pay_date": p.pay_date,
        "payment_date": p.payment_date,
        "tax_period": p.tax_period,
        "week_or_month_number": p.week_or_month_number,
        "week53_basis": p.week53_basis,
        "state": r.state.value,
        "started_by": r.started_by,
        "calculation": r.calculation,
        "employees_total": r.employees_total,
        "employees_done": r.employees_done,
        "chunks_total": r.chunks_total,
        "chunks_done": r.chunks_done,
        "exceptions": r.exceptions,
        "held": r.held,
        "totals": _totals_json(r.totals),
        "approved_by": r.approved_by,
        "error": r.error,
        "journal_id": r.journal_id,
        "payment_batch_id": r.payment_batch_id,
        "fps_documents": r.fps_documents,
        "calculation_started_at": r.calculation_started_at,
        "calculated_at": r.calculated_at,
        "approved_at": r.approved_at,
        "finalised_at": r.finalised_at,
    }


def _item(row: Any) -> PayRunItem:
    bank = row.bank
    return PayRunItem(
        id=row.id,
        run_id=row.run_id,
        employee_id=row.employee_id,
        employee_number=row.employee_number,
        name=row.name,
        cost_centre=row.cost_centre,
        totals=RunTotals(**{k: getattr(row, k) for k in PENCE_COLUMNS}),
        payslip=row.payslip,
        inputs=row.inputs,
        exceptions=tuple(ItemException(e["code"], e["message"]) for e in row.exceptions),
        held=row.held,
        accepted=row.accepted,
        bank=None if not bank else BankDetails(**bank),
        national_insurance_number=row.national_insurance_number,
        tax_code=row.tax_code,
        ni_category=row.ni_category,
        leaving_date=row.leaving_date,
        ytd_after=row.ytd_after,
        user_subject=row.user_subject,
        person=row.person,
        version=row.version,
        updated_at=_utc(row.updated_at),
    )


def _item_values(tenant: str, i: PayRunItem, now: Any) -> dict[str, Any]:
    return {
        "id": i.id,
        "tenant": tenant,
        "run_id": i.run_id,
        "employee_id": i.employee_id,
        "employee_number": i.employee_number,
        "name": i.name,
        "cost_centre": i.cost_centre,
        **{k: getattr(i.totals, k) for k in PENCE_COLUMNS},
        "payslip": i.payslip,
        "inputs": i.inputs,
        "exceptions": [{"code": e.code, "message": e.message} for e in i.exceptions],
        "blocking": i.blocking,
        "held": i.held,
        "accepted": i.accepted,
        "bank": None
        if i.bank is None
        else {
            "sort_code": i.bank.sort_code,
            "account_number": i.bank.account_number,
            "account_name": i.bank.account_name,
        },
        "national_insurance_number": i.national_insurance_number,
        "tax_code": i.tax_code,
        "ni_category": i.ni_category,
        "leaving_date": i.leaving_date,
        "ytd_after": i.ytd_after,
        "user_subject": i.user_subject,
        "person": i.person,
        "version": 1,
        "updated_at": now,
    }


class NativePayRuns:
    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def _mine(self) -> Any:
        return pay_runs.c.tenant == self.tenant

    async def list(
        self, page: PageRequest, *, pay_group_id: uuid.UUID | None, state: RunState | None
    ) -> RecordPage[PayRun]:
        stmt = select(pay_runs).where(self._mine())
        if pay_group_id is not None:
            stmt = stmt.where(pay_runs.c.pay_group_id == pay_group_id)
        if state is not None:
            stmt = stmt.where(pay_runs.c.state == state.value)
        rows, cursor = await keyset_page(self.session, stmt, pay_runs.c.id, page, scalars=False)
        return RecordPage([_run(r) for r in rows], cursor)

    async def get(self, run_id: uuid.UUID, *, for_update: bool = False) -> PayRun | None:
        stmt = select(pay_runs).where(self._mine(), pay_runs.c.id == run_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return None if row is None else _run(row)

    async def open_for_period(
        self, pay_group_id: uuid.UUID, tax_year: str, number: int
    ) -> PayRun | None:
        row = (
            await self.session.execute(
                select(pay_runs).where(
                    self._mine(),
                    pay_runs.c.pay_group_id == pay_group_id,
                    pay_runs.c.tax_year == tax_year,
                    pay_runs.c.number == number,
                    pay_runs.c.state.not_in([RunState.CANCELLED.value, RunState.REVERSED.value]),
                )
            )
        ).first()
        return None if row is None else _run(row)

    async def add(self, run: PayRun) -> PayRun:
        now = utcnow()
        await self.session.execute(
            insert(pay_runs).values(
                id=run.id,
                tenant=self.tenant,
                version=1,
                created_at=now,
                updated_at=now,
                **_run_values(run),
            )
        )
        return replace(run, version=1, created_at=now, updated_at=now)

    async def update(self, run: PayRun, *, expected_version: int | None = None) -> PayRun:
        """Write the run back at the next version (callers hold the row: read `for_update`)."""
        now = utcnow()
        expected = run.version if expected_version is None else expected_version
        result = await self.session.execute(
            update(pay_runs)
            .where(self._mine(), pay_runs.c.id == run.id, pay_runs.c.version == expected)
            .values(version=expected + 1, updated_at=now, **_run_values(run))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise PreconditionFailed("the pay run has changed; read it again")
        return replace(run, version=expected + 1, updated_at=now)

    async def items(
        self, run_id: uuid.UUID, page: PageRequest, flt: ItemFilter
    ) -> RecordPage[PayRunItem]:
        stmt = select(pay_run_items).where(
            pay_run_items.c.tenant == self.tenant, pay_run_items.c.run_id == run_id
        )
        if flt.with_exceptions is not None:
            stmt = stmt.where(pay_run_items.c.blocking == flt.with_exceptions)
        if flt.employee_id is not None:
            stmt = stmt.where(pay_run_items.c.employee_id == flt.employee_id)
        rows, cursor = await keyset_page(
            self.session, stmt, pay_run_items.c.id, page, scalars=False
        )
        return RecordPage([_item(r) for r in rows], cursor)

    async def item(self, run_id: uuid.UUID, employee_id: uuid.UUID) -> PayRunItem | None:
        row = (
            await self.session.execute(
                select(pay_run_items).where(
                    pay_run_items.c.tenant == self.tenant,
                    pay_run_items.c.run_id == run_id,
                    pay_run_items.c.employee_id == employee_id,
                )
            )
        ).first()
        return None if row is None else _item(row)

    async def set_held(self, item: PayRunItem, held: bool) -> PayRunItem:
        now = utcnow()
        await self.session.execute(
            update(pay_run_items)
            .where(pay_run_items.c.id == item.id, pay_run_items.c.tenant == self.tenant)
            .values(held=held, version=pay_run_items.c.version + 1, updated_at=now)
        )
        return replace(item, held=held, version=item.version + 1, updated_at=now)

    async def accept(self, item: PayRunItem) -> PayRunItem:
        now = utcnow()
        accepted = replace(item, accepted=True, version=item.version + 1, updated_at=now)
        await self.session.execute(
            update(pay_run_items)
            .where(pay_run_items.c.id == item.id, pay_run_items.c.tenant == self.tenant)
            .values(
                accepted=True,
                blocking=accepted.blocking,
                version=pay_run_items.c.version + 1,
                updated_at=now,
            )
        )
        return accepted

    async def clear_items(self, run_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(pay_run_items).where(
                pay_run_items.c.tenant == self.tenant, pay_run_items.c.run_id == run_id
            )
        )

    async def clear_documents(self, run_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(pay_run_documents).where(pay_run_documents.c.run_id == run_id)
        )

    async def claim_chunk(self, run_id: uuid.UUID, calculation: int, seq: int) -> bool:
        stmt = (
            insert_for(self.session)(pay_run_chunks)
            .values(run_id=run_id, calculation=calculation, seq=seq, done_at=utcnow())
            .on_conflict_do_nothing()
        )
        result = await self.session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def save_items(self, items: Sequence[PayRunItem]) -> None:
        if not items:
            return
        now = utcnow()
        # A recalculation clears the run's items first, so a chunk's rows are always new; a
        # chunk stored twice is stopped by its claim in the same transaction.
        await self.session.execute(
            insert(pay_run_items), [_item_values(self.tenant, i, now) for i in items]
        )

    async def summarise(self, run_id: uuid.UUID) -> tuple[RunTotals, int, int, int]:
        mine = and_(pay_run_items.c.tenant == self.tenant, pay_run_items.c.run_id == run_id)
        paid = and_(mine, pay_run_items.c.held.is_(False))
        sums = (
            await self.session.execute(
                select(*(func.coalesce(_pence_sum(k), 0) for k in PENCE_COLUMNS)).where(paid)
            )
        ).one()
        counts = (
            await self.session.execute(
                select(
                    func.count(),
                    func.count().filter(
                        and_(pay_run_items.c.blocking.is_(True), pay_run_items.c.held.is_(False))
                    ),
                    func.count().filter(pay_run_items.c.held.is_(True)),
                ).where(mine)
            )
        ).one()
        totals = RunTotals(
            **{k: Decimal(int(v)).scaleb(-2) for k, v in zip(PENCE_COLUMNS, sums, strict=True)}
        )
        return totals, int(counts[0]), int(counts[1]), int(counts[2])

    async def previous_net(
        self, employee_ids: Sequence[uuid.UUID], pay_group_id: uuid.UUID, before: date
    ) -> dict[uuid.UUID, Decimal]:
        if not employee_ids:
            return {}
        last = (
            await self.session.execute(
                select(pay_runs.c.id)
                .where(
                    self._mine(),
                    pay_runs.c.pay_group_id == pay_group_id,
                    pay_runs.c.state == RunState.FINALISED.value,
                    pay_runs.c.pay_date < before,
                )
                .order_by(pay_runs.c.pay_date.desc())
                .limit(1)
            )
        ).scalar()
        if last is None:
            return {}
        rows = await self.session.execute(
            select(pay_run_items.c.employee_id, pay_run_items.c.net).where(
                pay_run_items.c.tenant == self.tenant,
                pay_run_items.c.run_id == last,
                pay_run_items.c.held.is_(False),
                pay_run_items.c.employee_id.in_(list(employee_ids)),
            )
        )
        return {r.employee_id: r.net for r in rows}

    async def year_to_date(
        self, employee_ids: Sequence[uuid.UUID], tax_year: str
    ) -> dict[uuid.UUID, dict[str, Any]]:
        if not employee_ids:
            return {}
        rows = await self.session.execute(
            select(year_to_date.c.employee_id, year_to_date.c.figures).where(
                year_to_date.c.tenant == self.tenant,
                year_to_date.c.tax_year == tax_year,
                year_to_date.c.employee_id.in_(list(employee_ids)),
            )
        )
        return {r.employee_id: r.figures for r in rows}

    async def later_runs(self, run: PayRun) -> Sequence[PayRun]:
        rows = await self.session.execute(
            select(pay_runs).where(
                self._mine(),
                pay_runs.c.pay_group_id == run.pay_group_id,
                pay_runs.c.pay_date > run.period.pay_date,
                pay_runs.c.state.not_in([RunState.CANCELLED.value, RunState.REVERSED.value]),
            )
        )
        return [_run(r) for r in rows]

    async def restore_year_to_date(self, run: PayRun) -> int:
        now = utcnow()
        restored = 0
        cursor: str | None = None
        while True:
            page = await self.paid_items(run.id, PageRequest(limit=2000, cursor=cursor))
            ids = [i.employee_id for i in page.items]
            if ids:
                rows = await self.session.execute(
                    select(
                        pay_run_items.c.employee_id,
                        pay_run_items.c.ytd_after,
                        pay_runs.c.id,
                        pay_runs.c.pay_date,
                    )
                    .join(pay_runs, pay_runs.c.id == pay_run_items.c.run_id)
                    .where(
                        pay_run_items.c.tenant == self.tenant,
                        pay_run_items.c.employee_id.in_(ids),
                        pay_run_items.c.held.is_(False),
                        pay_runs.c.tax_year == run.period.tax_year,
                        pay_runs.c.state == RunState.FINALISED.value,
                        pay_runs.c.id != run.id,
                        pay_runs.c.pay_date <= run.period.pay_date,
                    )
                )
                previous: dict[uuid.UUID, Any] = {}
                for row in rows:
                    best = previous.get(row.employee_id)
                    if best is None or row.pay_date > best.pay_date:
                        previous[row.employee_id] = row
                mine = and_(
                    year_to_date.c.tenant == self.tenant,
                    year_to_date.c.tax_year == run.period.tax_year,
                    year_to_date.c.last_run_id == run.id,
                )
                for employee_id in ids:
                    before = previous.get(employee_id)
                    where = and_(mine, year_to_date.c.employee_id == employee_id)
                    if before is None:
                        await self.session.execute(delete(year_to_date).where(where))
                    else:
                        await self.session.execute(
                            update(year_to_date)
                            .where(where)
                            .values(
                                figures=before.ytd_after,
                                last_run_id=before.id,
                                last_pay_date=before.pay_date,
                                updated_at=now,
                            )
                        )
                    restored += 1
            if not page.next_cursor:
                return restored
            cursor = page.next_cursor

    async def store_year_to_date(self, run: PayRun) -> int:
        """Upsert every paid item's YTD; rows already carrying this run (or a later pay date)
        are left alone, so finalising again changes nothing."""
        now = utcnow()
        stored = 0
        cursor: str | None = None
        while True:
            page = await self.paid_items(run.id, PageRequest(limit=2000, cursor=cursor))
            rows = [
                {
                    "tenant": self.tenant,
                    "employee_id": i.employee_id,
                    "tax_year": run.period.tax_year,
                    "figures": i.ytd_after,
                    "last_run_id": run.id,
                    "last_pay_date": run.period.pay_date,
                    "updated_at": now,
                }
                for i in page.items
            ]
            if rows:
                stmt = insert_for(self.session)(year_to_date).values(rows)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["tenant", "employee_id", "tax_year"],
                    set_={
                        "figures": stmt.excluded.figures,
                        "last_run_id": stmt.excluded.last_run_id,
                        "last_pay_date": stmt.excluded.last_pay_date,
                        "updated_at": stmt.excluded.updated_at,
                    },
                    where=year_to_date.c.last_pay_date <= stmt.excluded.last_pay_date,
                )
                await self.session.execute(stmt)
                stored += len(rows)
            if not page.next_cursor:
                return stored
            cursor = page.next_cursor

    async def paid_items(self, run_id: uuid.UUID, page: PageRequest) -> RecordPage[PayRunItem]:
        stmt = select(pay_run_items).where(
            pay_run_items.c.tenant == self.tenant,
            pay_run_items.c.run_id == run_id,
            pay_run_items.c.held.is_(False),
        )
        rows, cursor = await keyset_page(
            self.session, stmt, pay_run_items.c.id, page, scalars=False
        )
        return RecordPage([_item(r) for r in rows], cursor)

    async def payment_totals(self, run_id: uuid.UUID) -> tuple[int, Decimal]:
        count, pence = (
            await self.session.execute(
                select(func.count(), func.coalesce(_pence_sum("net"), 0)).where(
                    pay_run_items.c.tenant == self.tenant,
                    pay_run_items.c.run_id == run_id,
                    pay_run_items.c.held.is_(False),
                    pay_run_items.c.net > 0,
                )
            )
        ).one()
        return int(count), Decimal(int(pence)).scaleb(-2)

    async def cost_centre_totals(self, run_id: uuid.UUID) -> dict[str, RunTotals]:
        rows = await self.session.execute(
            select(
                pay_run_items.c.cost_centre,
                *(_pence_sum(k).label(k) for k in PENCE_COLUMNS),
            )
            .where(
                pay_run_items.c.tenant == self.tenant,
                pay_run_items.c.run_id == run_id,
                pay_run_items.c.held.is_(False),
            )
            .group_by(pay_run_items.c.cost_centre)
        )
        return {
            str(r.cost_centre): RunTotals(
                **{k: Decimal(int(getattr(r, k))).scaleb(-2) for k in PENCE_COLUMNS}
            )
            for r in rows
        }

    async def store_document(self, run_id: uuid.UUID, kind: str, name: str, body: bytes) -> None:
        stmt = (
            insert_for(self.session)(pay_run_documents)
            .values(run_id=run_id, kind=kind, name=name, body=body, created_at=utcnow())
            .on_conflict_do_nothing()
        )
        await self.session.execute(stmt)

    async def document(self, run_id: uuid.UUID, kind: str) -> tuple[str, bytes] | None:
        run = await self.get(run_id)
        if run is None:
            return None
        row = (
            await self.session.execute(
                select(pay_run_documents.c.name, pay_run_documents.c.body).where(
                    pay_run_documents.c.run_id == run_id, pay_run_documents.c.kind == kind
                )
            )
        ).first()
        return None if row is None else (row.name, bytes(row.body))

    async def payslips(
        self,
        page: PageRequest,
        *,
        employee_id: uuid.UUID | None,
        tax_year: str | None,
        user_subject: str | None = None,
        run_id: uuid.UUID | None = None,
    ) -> RecordPage[tuple[PayRun, PayRunItem]]:
        stmt = (
            select(pay_run_items)
            .join(pay_runs, pay_runs.c.id == pay_run_items.c.run_id)
            .where(
                pay_run_items.c.tenant == self.tenant,
                pay_runs.c.state == RunState.FINALISED.value,
                pay_run_items.c.held.is_(False),
            )
        )
        if employee_id is not None:
            stmt = stmt.where(pay_run_items.c.employee_id == employee_id)
        if tax_year is not None:
            stmt = stmt.where(pay_runs.c.tax_year == tax_year)
        if user_subject is not None:
            stmt = stmt.where(pay_run_items.c.user_subject == user_subject)
        if run_id is not None:
            stmt = stmt.where(pay_run_items.c.run_id == run_id)
        rows, cursor = await keyset_page(
            self.session, stmt, pay_run_items.c.id, page, scalars=False
        )
        items = [_item(r) for r in rows]
        runs: dict[uuid.UUID, PayRun] = {}
        for run_id in {i.run_id for i in items}:
            found = await self.get(run_id)
            if found is not None:
                runs[run_id] = found
        return RecordPage([(runs[i.run_id], i) for i in items], cursor)


# --- employees' RTI details ---------------------------------------------------------------------


def _details(row: Any) -> RtiDetails:
    address, p45 = row.address, row.p45
    return RtiDetails(
        employee_id=row.employee_id,
        gender=row.gender,
        address=None
        if not address
        else Address(tuple(address["lines"]), address.get("postcode"), address.get("country")),
        starter_declaration=row.starter_declaration,
        p45=None
        if not p45
        else P45(
            tax_code=p45["tax_code"],
            week1_month1=bool(p45["week1_month1"]),
            taxable_pay=Decimal(p45["taxable_pay"]),
            tax_paid=Decimal(p45["tax_paid"]),
            leaving_date=None
            if not p45.get("leaving_date")
            else date.fromisoformat(p45["leaving_date"]),
        ),
        version=row.version,
        updated_at=_utc(row.updated_at),
    )


def _details_values(d: RtiDetails) -> dict[str, Any]:
    a, p = d.address, d.p45
    return {
        "gender": d.gender,
        "address": None
        if a is None
        else {"lines": list(a.lines), "postcode": a.postcode, "country": a.country},
        "starter_declaration": d.starter_declaration,
        "p45": None
        if p is None
        else {
            "tax_code": p.tax_code,
            "week1_month1": p.week1_month1,
            "taxable_pay": f"{p.taxable_pay:.2f}",
            "tax_paid": f"{p.tax_paid:.2f}",
            "leaving_date": None if p.leaving_date is None else p.leaving_date.isoformat(),
        },
    }


class NativeRtiDetails:
    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    async def get(self, employee_id: uuid.UUID) -> RtiDetails | None:
        found = await self.many([employee_id])
        return found.get(employee_id)

    async def many(self, employee_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, RtiDetails]:
        if not employee_ids:
            return {}
        rows = await self.session.execute(
            select(employee_rti_details).where(
                employee_rti_details.c.tenant == self.tenant,
                employee_rti_details.c.employee_id.in_(list(employee_ids)),
            )
        )
        return {r.employee_id: _details(r) for r in rows}

    async def put(self, details: RtiDetails, *, expected_version: int | None) -> RtiDetails:
        now = utcnow()
        if expected_version is None:
            await self.session.execute(
                insert(employee_rti_details).values(
                    tenant=self.tenant,
                    employee_id=details.employee_id,
                    version=1,
                    updated_at=now,
                    **_details_values(details),
                )
            )
            return replace(details, version=1, updated_at=now)
        result = await self.session.execute(
            update(employee_rti_details)
            .where(
                employee_rti_details.c.tenant == self.tenant,
                employee_rti_details.c.employee_id == details.employee_id,
                employee_rti_details.c.version == expected_version,
            )
            .values(version=expected_version + 1, updated_at=now, **_details_values(details))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise PreconditionFailed("the RTI details have changed; read them again")
        return replace(details, version=expected_version + 1, updated_at=now)


# --- adjustments ----------------------------------------------------------------------------------


def _adjustment(row: Any) -> Adjustment:
    return Adjustment(
        id=row.id,
        pay_group_id=row.pay_group_id,
        tax_year=row.tax_year,
        period=row.period,
        employee_number=row.employee_number,
        kind=AdjustmentKind(row.kind),
        amount=row.amount,
        description=row.description,
        created_by=row.created_by,
        created_at=_utc(row.created_at),
    )


class NativeAdjustments:
    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def _period(self, pay_group_id: uuid.UUID, tax_year: str, period: int) -> Any:
        return and_(
            pay_adjustments.c.tenant == self.tenant,
            pay_adjustments.c.pay_group_id == pay_group_id,
            pay_adjustments.c.tax_year == tax_year,
            pay_adjustments.c.period == period,
        )

    async def in_period(
        self, pay_group_id: uuid.UUID, tax_year: str, period: int, page: PageRequest
    ) -> RecordPage[Adjustment]:
        stmt = select(pay_adjustments).where(self._period(pay_group_id, tax_year, period))
        rows, cursor = await keyset_page(
            self.session, stmt, pay_adjustments.c.id, page, scalars=False
        )
        return RecordPage([_adjustment(r) for r in rows], cursor)

    async def for_employees(
        self, pay_group_id: uuid.UUID, tax_year: str, period: int, numbers: Sequence[str]
    ) -> dict[str, list[Adjustment]]:
        if not numbers:
            return {}
        rows = await self.session.execute(
            select(pay_adjustments)
            .where(
                self._period(pay_group_id, tax_year, period),
                pay_adjustments.c.employee_number.in_(list(numbers)),
            )
            .order_by(pay_adjustments.c.id)
        )
        found: dict[str, list[Adjustment]] = {}
        for row in rows:
            found.setdefault(row.employee_number, []).append(_adjustment(row))
        return found

    async def add(self, adjustments: Sequence[Adjustment]) -> None:
        if not adjustments:
            return
        await self.session.execute(
            insert(pay_adjustments),
            [
                {
                    "id": a.id,
                    "tenant": self.tenant,
                    "pay_group_id": a.pay_group_id,
                    "tax_year": a.tax_year,
                    "period": a.period,
                    "employee_number": a.employee_number,
                    "kind": a.kind.value,
                    "amount": a.amount,
                    "description": a.description,
                    "created_by": a.created_by,
                    "created_at": a.created_at or utcnow(),
                }
                for a in adjustments
            ],
        )

    async def get(self, adjustment_id: uuid.UUID) -> Adjustment | None:
        row = (
            await self.session.execute(
                select(pay_adjustments).where(
                    pay_adjustments.c.tenant == self.tenant, pay_adjustments.c.id == adjustment_id
                )
            )
        ).first()
        return None if row is None else _adjustment(row)

    async def delete(self, adjustment_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(pay_adjustments).where(
                pay_adjustments.c.tenant == self.tenant, pay_adjustments.c.id == adjustment_id
            )
        )


# --- tax code notices -----------------------------------------------------------------------------


def _notice(row: Any) -> TaxCodeNotice:
    return TaxCodeNotice(
        id=row.id,
        employee_id=row.employee_id,
        tax_code=row.tax_code,
        week1_month1=row.week1_month1,
        effective_from=row.effective_from,
        form=row.form,
        created_by=row.created_by,
        created_at=_utc(row.created_at),
    )


class NativeTaxCodes:
    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    async def add(self, notice: TaxCodeNotice) -> None:
        await self.session.execute(
            insert(tax_code_notices).values(
                id=notice.id,
                tenant=self.tenant,
                employee_id=notice.employee_id,
                tax_code=notice.tax_code,
                week1_month1=notice.week1_month1,
                effective_from=notice.effective_from,
                form=notice.form,
                created_by=notice.created_by,
                created_at=notice.created_at or utcnow(),
            )
        )

    async def of(self, employee_id: uuid.UUID) -> list[TaxCodeNotice]:
        rows = await self.session.execute(
            select(tax_code_notices)
            .where(
                tax_code_notices.c.tenant == self.tenant,
                tax_code_notices.c.employee_id == employee_id,
            )
            .order_by(tax_code_notices.c.effective_from, tax_code_notices.c.id)
        )
        return [_notice(r) for r in rows]

    async def latest(
        self, employee_ids: Sequence[uuid.UUID], on: date
    ) -> dict[uuid.UUID, TaxCodeNotice]:
        if not employee_ids:
            return {}
        rows = await self.session.execute(
            select(tax_code_notices)
            .where(
                tax_code_notices.c.tenant == self.tenant,
                tax_code_notices.c.employee_id.in_(list(employee_ids)),
                tax_code_notices.c.effective_from <= on,
            )
            .order_by(tax_code_notices.c.effective_from, tax_code_notices.c.id)
        )
        found: dict[uuid.UUID, TaxCodeNotice] = {}
        for row in rows:  # ascending: the last one seen is the newest
            found[row.employee_id] = _notice(row)
        return found
