"""`migrate_cluster`: move one cluster's HR records to another backend while HR keeps serving.

Freeze the cluster's writes (reads go on), copy every tenant's records through the ports
(skipping or overwriting what a previous run copied, found by cross-reference), verify counts
and checksums of the canonical records on both sides, flip the binding in HR's database, wait
until every replica's cached binding has expired, and unfreeze. Any failure before the flip
unfreezes with the old binding still serving; running the switch again carries on."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sop_hr.absences.ports import Absence, AbsenceFilter, LeaveType
from sop_hr.adapters.crossref import (
    ABSENCE,
    EMPLOYEE,
    LEAVE_TYPE,
    ORG_UNIT,
    POSITION,
    TERMS,
    CrossReferences,
    backend_id,
)
from sop_hr.adapters.native import models as native
from sop_hr.adapters.registry import ADAPTERS, backend_for
from sop_hr.employees.ports import Employee, EmployeeFilter
from sop_hr.org_units.ports import OrgUnit, OrgUnitFilter
from sop_hr.ports import HRBackend, PageRequest
from sop_hr.positions.ports import Position, PositionFilter
from sop_hr.settings import HRSettings
from sop_hr.switch.bindings import ClusterBinding, ensure_cluster, resolve
from sop_hr.terms.ports import EmploymentTerms
from sop_shared.db import Database, utcnow
from sop_shared.kernel_tables import provisioned_tenants
from sop_shared.platform_config import AdapterBinding, PlatformConfig, load_platform_config
from sop_shared.resilience import BackendConnections

log = logging.getLogger("sop.hr.switch")

RESOURCE_TYPES = (LEAVE_TYPE, ORG_UNIT, POSITION, EMPLOYEE, TERMS, ABSENCE)
NATIVE_TABLES: dict[str, Any] = {
    EMPLOYEE: native.EmployeeRow,
    TERMS: native.EmploymentTermsRow,
    ORG_UNIT: native.OrgUnitRow,
    POSITION: native.PositionRow,
    LEAVE_TYPE: native.LeaveTypeRow,
    ABSENCE: native.AbsenceRow,
}
Progress = Callable[[str, str, uuid.UUID], Awaitable[None]]


class SwitchFailed(Exception):
    """The switch stopped before the flip: the old binding still serves; run it again."""


@dataclass
class SwitchReport:
    cluster: str
    source: str
    target: str
    tenants: list[str] = field(default_factory=list)
    copied: dict[str, int] = field(default_factory=dict)
    overwritten: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    # Per resource type, over every tenant: (count, sha256 of the canonical records).
    verified: dict[str, tuple[int, str]] = field(default_factory=dict)
    seconds: float = 0.0
    frozen_seconds: float = 0.0
    switched: bool = False

    def count(self, outcome: str, resource_type: str) -> None:
        tally: dict[str, int] = getattr(self, outcome)
        tally[resource_type] = tally.get(resource_type, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --- canonical representations --------------------------------------------------------------


def canonical(value: Any) -> Any:
    """A record as plain JSON values, the same whichever backend it was read from (times to
    the millisecond every vendor keeps, decimals without trailing zeros)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, tuple | list):
        return [canonical(v) for v in value]
    return value


def same_content(a: Any, b: Any) -> bool:
    """Whether two forms of a record hold the same data (versions and timestamps aside)."""
    blank = {"version": 0, "created_at": None, "updated_at": None}
    return canonical(dataclasses.replace(a, **blank)) == canonical(dataclasses.replace(b, **blank))


def checksum(records: Iterable[Any]) -> tuple[int, str]:
    """How many records and a digest of their canonical forms, in id order."""
    forms = sorted((canonical(r) for r in records), key=lambda r: r["id"])
    digest = hashlib.sha256(json.dumps(forms, sort_keys=True).encode()).hexdigest()
    return len(forms), digest


# --- reading every record of a tenant through the ports -----------------------------------


async def _all_pages(fetch: Callable[[PageRequest], Awaitable[Any]]) -> list[Any]:
    items: list[Any] = []
    cursor: str | None = None
    while True:
        page = await fetch(PageRequest(limit=500, cursor=cursor))
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items


@dataclass
class TenantRecords:
    leave_types: list[LeaveType]
    org_units: list[OrgUnit]
    positions: list[Position]
    employees: list[Employee]
    terms: dict[uuid.UUID, list[EmploymentTerms]]
    absences: list[Absence]

    def by_type(self) -> dict[str, Sequence[Any]]:
        return {
            LEAVE_TYPE: self.leave_types,
            ORG_UNIT: self.org_units,
            POSITION: self.positions,
            EMPLOYEE: self.employees,
            TERMS: [t for rows in self.terms.values() for t in rows],
            ABSENCE: self.absences,
        }


async def read_tenant(records: HRBackend, tenant: str) -> TenantRecords:
    employees = await _all_pages(lambda p: records.employees.list(tenant, EmployeeFilter(), p))
    terms: dict[uuid.UUID, list[EmploymentTerms]] = {}
    for employee in employees:
        terms[employee.id] = await records.terms.history(tenant, employee.id)
    return TenantRecords(
        leave_types=await records.leave_types.list(tenant),
        org_units=await _all_pages(lambda p: records.org_units.list(tenant, OrgUnitFilter(), p)),
        positions=await _all_pages(lambda p: records.positions.list(tenant, PositionFilter(), p)),
        employees=employees,
        terms=terms,
        absences=await _all_pages(lambda p: records.absences.list(tenant, AbsenceFilter(), p)),
    )


def parents_first(units: Sequence[OrgUnit]) -> list[OrgUnit]:
    by_id = {u.id: u for u in units}
    ordered: list[OrgUnit] = []
    placed: set[uuid.UUID] = set()

    def place(unit: OrgUnit) -> None:
        if unit.id in placed:
            return
        if unit.parent_id in by_id:
            place(by_id[unit.parent_id])
        placed.add(unit.id)
        ordered.append(unit)

    for unit in units:
        place(unit)
    return ordered


# --- the switch --------------------------------------------------------------------------


@dataclass
class _Switch:
    cluster: str
    database: Database
    source: AdapterBinding
    target: AdapterBinding
    report: SwitchReport
    progress: Progress | None
    source_backends: BackendConnections = field(default_factory=BackendConnections)
    target_backends: BackendConnections = field(default_factory=BackendConnections)

    def records(
        self, binding: AdapterBinding, session: AsyncSession, backends: BackendConnections
    ) -> HRBackend:
        return backend_for(binding, session, backends, cluster=self.cluster)

    async def restore(
        self, session: AsyncSession, resource_type: str, tenant: str, record: Any
    ) -> None:
        """The copy keeps the version and timestamps it had: clients' ETags stay valid and
        `updated_since` does not see every record as changed."""
        if self.target.adapter == "native":
            model = NATIVE_TABLES[resource_type]
            await session.execute(
                update(model.__table__)
                .where(model.__table__.c.id == record.id, model.__table__.c.tenant == tenant)
                .values(
                    version=record.version,
                    created_at=record.created_at,
                    updated_at=record.updated_at,
                )
            )
            return
        refs = CrossReferences(session, backend_id(self.target))
        ref = await refs.get(tenant, resource_type, record.id)
        if ref is None:
            raise SwitchFailed(f"{resource_type} {record.id} has no cross-reference after copy")
        await refs.stamp(
            ref, version=record.version, created_at=record.created_at, updated_at=record.updated_at
        )

    async def put(
        self,
        resource_type: str,
        tenant: str,
        record: Any,
        existing: Callable[[HRBackend, Any], Awaitable[Any]],
        add: Callable[[HRBackend, Any], Awaitable[Any]],
        change: Callable[[HRBackend, Any], Awaitable[Any]],
        stored_form: Any = None,
    ) -> None:
        """Copy one record in its own transaction: add it, overwrite what a previous run left
        there if it differs, or skip it; then restore its version and timestamps.
        `existing(target, record)` reads what the target holds of the record."""
        form = record if stored_form is None else stored_form
        async with self.database.transaction() as session:
            target = self.records(self.target, session, self.target_backends)
            there = await existing(target, record)
            if there is None:
                await add(target, form)
                self.report.count("copied", resource_type)
            elif not same_content(there, form):
                await change(target, dataclasses.replace(form, version=there.version))
                self.report.count("overwritten", resource_type)
            else:
                self.report.count("skipped", resource_type)
            await self.restore(session, resource_type, tenant, record)
        if self.progress is not None:
            await self.progress(resource_type, tenant, record.id)

    async def copy_tenant(self, tenant: str) -> None:
        async with self.database.transaction() as session:
            source = await read_tenant(
                self.records(self.source, session, self.source_backends), tenant
            )
        for t in source.leave_types:
            await self.put(
                LEAVE_TYPE,
                tenant,
                t,
                lambda r, x: _leave_type(r, tenant, x.id),
                lambda r, x: r.leave_types.add(tenant, x),
                lambda r, x: r.leave_types.update(tenant, x),
            )
        for u in parents_first(source.org_units):
            await self.put(
                ORG_UNIT,
                tenant,
                u,
                lambda r, x: r.org_units.get(tenant, x.id),
                lambda r, x: r.org_units.add(tenant, x),
                lambda r, x: r.org_units.update(tenant, x),
            )
        for p in source.positions:
            await self.put(
                POSITION,
                tenant,
                p,
                lambda r, x: r.positions.get(tenant, x.id),
                lambda r, x: r.positions.add(tenant, x),
                lambda r, x: r.positions.update(tenant, x),
            )
        for e in source.employees:
            # A leaver is copied as still employed, their terms and absences after, and the
            # leaving last: a backend books nothing on a terminated employment.
            employed = dataclasses.replace(e, leaving_date=None, leaving_reason=None)
            await self.put(
                EMPLOYEE,
                tenant,
                e,
                lambda r, x: _employed(r, tenant, x),
                lambda r, x: r.employees.add(tenant, x),
                lambda r, x: r.employees.update(tenant, x),
                stored_form=employed,
            )
            await self.copy_terms(tenant, e, source.terms.get(e.id, []))
        for a in source.absences:
            await self.put(
                ABSENCE,
                tenant,
                a,
                lambda r, x: r.absences.get(tenant, x.id),
                lambda r, x: r.absences.add(tenant, x),
                lambda r, x: r.absences.update(tenant, x),
            )
        for e in source.employees:
            if e.leaving_date is not None:
                await self.put(
                    EMPLOYEE,
                    tenant,
                    e,
                    lambda r, x: r.employees.get(tenant, x.id),
                    lambda r, x: r.employees.add(tenant, x),
                    lambda r, x: r.employees.update(tenant, x),
                )

    async def copy_terms(
        self, tenant: str, employee: Employee, history: list[EmploymentTerms]
    ) -> None:
        async with self.database.transaction() as session:
            target = self.records(self.target, session, self.target_backends)
            there = {t.id: t for t in await target.terms.history(tenant, employee.id)}
        # In date order, so each backend ends the row before the next change as it goes.
        for row in sorted(history, key=lambda t: t.effective_from):
            form = row
            if row.id in there and self.target.adapter != "native":
                # A vendor derives end dates from the next change: compare the rest.
                form = dataclasses.replace(row, effective_to=there[row.id].effective_to)
            await self.put(
                TERMS,
                tenant,
                row,
                lambda r, x: r.terms.get(tenant, x.id) if x.id in there else _none(),
                lambda r, x: r.terms.add(tenant, x),
                lambda r, x: r.terms.update(tenant, x),
                stored_form=form,
            )

    async def verify(self, tenant: str) -> dict[str, tuple[int, str]]:
        async with self.database.transaction() as session:
            source = await read_tenant(
                self.records(self.source, session, self.source_backends), tenant
            )
            target = await read_tenant(
                self.records(self.target, session, self.target_backends), tenant
            )
        sums: dict[str, tuple[int, str]] = {}
        for resource_type, records in source.by_type().items():
            mine = checksum(records)
            theirs = checksum(target.by_type()[resource_type])
            if mine != theirs:
                raise SwitchFailed(
                    f"tenant {tenant}: {resource_type} records differ after the copy "
                    f"({mine[0]} in {self.source.adapter}, {theirs[0]} in {self.target.adapter})"
                )
            sums[resource_type] = mine
        return sums


async def _none() -> None:
    return None


async def _leave_type(records: HRBackend, tenant: str, leave_type_id: uuid.UUID) -> Any:
    return next((t for t in await records.leave_types.list(tenant) if t.id == leave_type_id), None)


async def _employed(records: HRBackend, tenant: str, employee: Employee) -> Employee | None:
    there = await records.employees.get(tenant, employee.id)
    if there is not None and there.leaving_date is not None:
        # A previous run got as far as the leaving: compare it as it will end.
        return dataclasses.replace(there, leaving_date=None, leaving_reason=None)
    return there


def target_override(
    config: PlatformConfig, cluster: str, to: str, like_cluster: str | None, base_url: str | None
) -> dict[str, Any]:
    """What HR's database will say about the cluster's binding: the adapter, and which
    cluster's binding in the platform config lends it its URL and credentials."""
    if to not in ADAPTERS:
        raise SwitchFailed(f"HR has no {to!r} adapter; it has {', '.join(sorted(ADAPTERS))}")
    if to == "native":
        return {"adapter": "native"}
    like = like_cluster
    if like is None:
        candidates = [
            name
            for name, c in config.clusters.items()
            if (b := c.bindings.get("hr")) is not None and b.adapter == to
        ]
        # The cluster's own binding if it names that adapter, else the first in the file.
        candidates.sort(key=lambda name: name != cluster)
        if not candidates and base_url is None:
            raise SwitchFailed(
                f"no cluster in the platform config binds HR to {to}; name one with "
                "--like-cluster, or give --base-url"
            )
        like = candidates[0] if candidates else None
    override: dict[str, Any] = {"adapter": to}
    if like is not None:
        override["like_cluster"] = like
    if base_url is not None:
        override["base_url"] = base_url
    return override


def _same_backend(a: AdapterBinding, b: AdapterBinding) -> bool:
    return a.adapter == b.adapter and (a.adapter == "native" or backend_id(a) == backend_id(b))


async def _set(database: Database, cluster: str, **values: Any) -> None:
    async with database.transaction() as session:
        stmt = (
            update(ClusterBinding)
            .where(col(ClusterBinding.cluster) == cluster)
            .values(updated_at=utcnow(), **values)
        )
        # On PostgreSQL this waits for every write in flight on the cluster: each holds a
        # shared lock on this row until its transaction ends (see BindingDirectory).
        await session.execute(stmt)


async def migrate_cluster(
    *,
    cluster: str,
    to: str,
    settings: HRSettings | None = None,
    database: Database | None = None,
    like_cluster: str | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> SwitchReport:
    """Move every HR record of `cluster` to the `to` adapter's backend and bind the cluster
    to it. Returns what was copied and verified; raises SwitchFailed (old binding serving,
    writes unfrozen) if anything goes wrong before the flip. Safe to run again."""
    if to not in ADAPTERS:
        raise SwitchFailed(f"HR has no {to!r} adapter; it has {', '.join(sorted(ADAPTERS))}")
    settings = settings or HRSettings()
    own_database = database is None
    db = database or Database(settings.database_url)
    started = time.monotonic()
    try:
        config = load_platform_config(settings.platform_config)
        async with db.transaction() as session:
            row = await ensure_cluster(session, cluster)
            source = resolve(config, cluster, row.binding)
            tenants = [
                t
                for (t,) in await session.execute(
                    select(provisioned_tenants.c.tenant)
                    .where(provisioned_tenants.c.cluster == cluster)
                    .order_by(provisioned_tenants.c.tenant)
                )
            ]
        override = target_override(config, cluster, to, like_cluster, base_url)
        target = resolve(config, cluster, override)
        report = SwitchReport(cluster, source.adapter, target.adapter, tenants=tenants)
        if _same_backend(source, target):
            log.info("cluster %s already has its HR records in %s", cluster, backend_id(target))
            report.seconds = time.monotonic() - started
            return report
        switch = _Switch(cluster, db, source, target, report, progress)
        await _set(db, cluster, frozen=True, note=f"moving HR records to {to}")
        frozen_at = time.monotonic()
        log.info("cluster %s frozen: copying %d tenants to %s", cluster, len(tenants), to)
        try:
            for tenant in tenants:
                await switch.copy_tenant(tenant)
            for tenant in tenants:
                for resource_type, (count, digest) in (await switch.verify(tenant)).items():
                    total, digests = report.verified.get(resource_type, (0, ""))
                    combined = hashlib.sha256((digests + digest).encode()).hexdigest()
                    report.verified[resource_type] = (total + count, combined)
        except BaseException as exc:
            await _set(db, cluster, frozen=False, note=f"switch to {to} failed: {exc}"[:500])
            still = f"{source.adapter} still serves {cluster}; run the switch again to carry on"
            log.exception(
                "switch of cluster %s to %s failed; %s still serves", cluster, to, source.adapter
            )
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise SwitchFailed(f"the switch stopped: {exc}; {still}") from exc
        finally:
            for backends in (switch.source_backends, switch.target_backends):
                await backends.aclose()
        await _set(db, cluster, binding=override, note=f"switched to {to}")
        # Replicas read the binding from a cache; writes resume only once every copy of the
        # old one has expired, so no write can land in the old backend.
        await asyncio.sleep(settings.binding_cache_seconds)
        await _set(db, cluster, frozen=False)
        report.frozen_seconds = time.monotonic() - frozen_at
        report.switched = True
        report.seconds = time.monotonic() - started
        log.info("cluster %s switched to %s in %.1fs", cluster, to, report.seconds)
        return report
    finally:
        if own_database:
            await db.dispose()


async def unfreeze_cluster(
    *, cluster: str, settings: HRSettings | None = None, database: Database | None = None
) -> None:
    """Lift a freeze a switch left behind when its own process died mid-copy (the binding is
    untouched: the old backend serves). Running the switch again does this too."""
    settings = settings or HRSettings()
    db = database or Database(settings.database_url)
    try:
        await _set(db, cluster, frozen=False, note="unfrozen by hand")
    finally:
        if database is None:
            await db.dispose()
