"""The cross-reference between HR's canonical ids and a vendor backend's keys for the same
records (15-digit ids and UniqID hashes, personIdExternal/userId/externalCode...), with the
canonical version and timestamps HR keeps for each, in HR's own database."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Select, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, col

from sop_hr.db import Base
from sop_hr.ports import StaleRecord
from sop_shared.db import utcnow
from sop_shared.errors import Conflict
from sop_shared.platform_config import AdapterBinding

# Resource types, as the audit events name them.
EMPLOYEE = "employee"
TERMS = "employment_terms"
ORG_UNIT = "org_unit"
POSITION = "position"
LEAVE_TYPE = "leave_type"
ABSENCE = "absence"

# Values unique per tenant that a vendor does not keep unique for HR: each is claimed here
# (the unique vendor key constraint holds the claim) before the vendor is asked to store it.
EMPLOYEE_NUMBER = "employee_number"
ORG_UNIT_CODE = "org_unit_code"
POSITION_CODE = "position_code"
LEAVE_TYPE_CODE = "leave_type_code"

_CHUNK = 500  # keep IN lists well inside every driver's limits


def backend_id(binding: AdapterBinding) -> str:
    """Names the vendor instance whose keys a cross-reference holds. A binding may set
    `instance` so its references survive a change of URL; else adapter and base URL."""
    extra = binding.model_extra or {}
    return str(extra.get("instance") or f"{binding.adapter} {binding.base_url or ''}".strip())


class VendorRef(Base, table=True):
    """One record of one tenant in one vendor instance: its canonical id and the vendor's keys.

    `vendor_key` is the key HR looks the record up by when the vendor names it (a PersonId,
    an externalCode); `vendor_data` holds whatever other keys the adapter needs to address it
    (a UniqID, the work relationship, the assignment). The version and timestamps are HR's:
    clients' ETags and `updated_since` stay the same whichever backend holds the record."""

    __tablename__ = "vendor_refs"
    __table_args__ = (
        UniqueConstraint("backend", "resource_type", "vendor_key"),
        Index("ix_vendor_refs_tenant_type", "backend", "tenant", "resource_type"),
        Index("ix_vendor_refs_parent", "backend", "resource_type", "parent_id"),
    )

    backend: str = Field(max_length=255, primary_key=True)
    resource_type: str = Field(max_length=30, primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    tenant: str = Field(max_length=63)
    # The record this one belongs to (a terms row's employee), for listing its children.
    parent_id: uuid.UUID | None = Field(default=None)
    vendor_key: str = Field(max_length=255)
    vendor_data: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    version: int = Field(default=1)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class CrossReferences:
    """The cross-references of one vendor instance, always filtered by tenant."""

    def __init__(self, session: AsyncSession, backend: str) -> None:
        self.session = session
        self.backend = backend

    def _select(self, tenant: str, resource_type: str) -> Select[VendorRef]:
        if not tenant:
            raise PermissionError("cross-references need the current tenant")
        return select(VendorRef).where(
            col(VendorRef.backend) == self.backend,
            col(VendorRef.resource_type) == resource_type,
            col(VendorRef.tenant) == tenant,
        )

    async def get(
        self, tenant: str, resource_type: str, record_id: uuid.UUID, *, for_update: bool = False
    ) -> VendorRef | None:
        """The record's cross-reference. `for_update` holds it until the request's transaction
        ends, so HR's requests (and replicas) change one record in turn, and reads it afresh
        once held: the version a caller then checks is the one stored, not one this session
        read before a concurrent change committed."""
        stmt = self._select(tenant, resource_type).where(col(VendorRef.id) == record_id)
        if for_update:
            await self._hold(tenant, resource_type, record_id)
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def _hold(self, tenant: str, resource_type: str, record_id: uuid.UUID) -> None:
        """SQLite has no row locks and ignores FOR UPDATE: a write (this one changes nothing)
        takes the database's write lock, which the transaction keeps until it ends; a
        concurrent request waits here (busy timeout) and then reads what was committed.
        PostgreSQL's FOR UPDATE holds the row itself."""
        if self.session.get_bind().dialect.name != "sqlite":
            return
        await self.session.execute(
            update(VendorRef)
            .where(
                col(VendorRef.backend) == self.backend,
                col(VendorRef.resource_type) == resource_type,
                col(VendorRef.tenant) == tenant,
                col(VendorRef.id) == record_id,
            )
            .values(version=VendorRef.version)
            .execution_options(synchronize_session=False)
        )

    async def many(
        self, tenant: str, resource_type: str, record_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, VendorRef]:
        wanted = sorted(set(record_ids))
        found: dict[uuid.UUID, VendorRef] = {}
        for i in range(0, len(wanted), _CHUNK):
            stmt = self._select(tenant, resource_type).where(
                col(VendorRef.id).in_(wanted[i : i + _CHUNK])
            )
            found.update((r.id, r) for r in (await self.session.execute(stmt)).scalars())
        return found

    async def by_vendor_keys(
        self, tenant: str, resource_type: str, keys: Collection[str]
    ) -> dict[str, VendorRef]:
        wanted = sorted(set(keys))
        found: dict[str, VendorRef] = {}
        for i in range(0, len(wanted), _CHUNK):
            stmt = self._select(tenant, resource_type).where(
                col(VendorRef.vendor_key).in_(wanted[i : i + _CHUNK])
            )
            found.update((r.vendor_key, r) for r in (await self.session.execute(stmt)).scalars())
        return found

    async def children(
        self, tenant: str, resource_type: str, parent_id: uuid.UUID
    ) -> list[VendorRef]:
        stmt = self._select(tenant, resource_type).where(col(VendorRef.parent_id) == parent_id)
        return list((await self.session.execute(stmt)).scalars())

    async def every(self, tenant: str, resource_type: str) -> list[VendorRef]:
        return list((await self.session.execute(self._select(tenant, resource_type))).scalars())

    async def add(
        self,
        tenant: str,
        resource_type: str,
        record_id: uuid.UUID,
        vendor_key: str,
        *,
        data: dict[str, Any] | None = None,
        parent_id: uuid.UUID | None = None,
        created_at: datetime | None = None,
    ) -> VendorRef:
        now = utcnow()
        ref = VendorRef(
            backend=self.backend,
            resource_type=resource_type,
            id=record_id,
            tenant=tenant,
            parent_id=parent_id,
            vendor_key=vendor_key,
            vendor_data=dict(data or {}),
            version=1,
            created_at=created_at or now,
            updated_at=created_at or now,
        )
        self.session.add(ref)
        await self.session.flush()
        return ref

    @staticmethod
    def check_version(ref: VendorRef, version: int) -> None:
        if ref.version != version:
            raise StaleRecord(
                f"the record is at version {ref.version}, not {version}; read it again"
            )

    async def touch(self, ref: VendorRef, *, data: dict[str, Any] | None = None) -> VendorRef:
        """A change stored in the vendor: the next version, now."""
        ref.version += 1
        ref.updated_at = utcnow()
        if data is not None:
            ref.vendor_data = {**ref.vendor_data, **data}
        self.session.add(ref)
        await self.session.flush()
        return ref

    async def claim(self, tenant: str, kind: str, record_id: uuid.UUID, value: str) -> None:
        """Hold `value` (an employee number, a code) for this record within the tenant, or
        refuse it with 409 if another record holds it. A concurrent request claiming the same
        value waits here until this one's transaction ends, then is refused: two requests
        cannot both pass the service's uniqueness check and both store the value."""
        claimed = f"{tenant}/{value}"
        existing = await self.session.get(VendorRef, (self.backend, kind, record_id))
        if existing is not None and existing.vendor_key == claimed:
            return
        try:
            async with self.session.begin_nested():
                if existing is None:
                    now = utcnow()
                    self.session.add(
                        VendorRef(
                            backend=self.backend,
                            resource_type=kind,
                            id=record_id,
                            tenant=tenant,
                            vendor_key=claimed,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                else:
                    existing.vendor_key = claimed
                    existing.updated_at = utcnow()
                await self.session.flush()
        except IntegrityError:
            raise Conflict(
                f"{value} is already in use (by a concurrent request?)",
                errors=[(kind, "already in use")],
            ) from None

    async def remember(self, ref: VendorRef, **data: Any) -> None:
        """More vendor keys for a record (e.g. its first assignment), version unchanged."""
        ref.vendor_data = {**ref.vendor_data, **data}
        self.session.add(ref)
        await self.session.flush()

    async def repoint(self, ref: VendorRef, vendor_key: str, **data: Any) -> None:
        """The vendor holds the record under new keys now (it was rebuilt there)."""
        ref.vendor_key = vendor_key
        await self.remember(ref, **data)

    async def stamp(
        self, ref: VendorRef, *, version: int, created_at: datetime, updated_at: datetime
    ) -> None:
        """Give a copied record the version and timestamps it had in the backend it came
        from (the supplier switch), so clients' ETags and sync positions stay valid."""
        ref.version, ref.created_at, ref.updated_at = version, created_at, updated_at
        self.session.add(ref)
        await self.session.flush()
