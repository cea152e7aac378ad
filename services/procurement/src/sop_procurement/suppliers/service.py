"""Supplier rules: unique Companies House and VAT numbers per tenant, statuses, and bank
details that change only by a request a second person approves, in effect after a hold."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from sop_procurement.context import ProcurementContext
from sop_procurement.ports import PageRequest, RecordPage
from sop_procurement.problems import DuplicateSupplier, InvalidState, SelfApproval
from sop_procurement.suppliers import events
from sop_procurement.suppliers.ports import BankChange, BankDetails, Supplier, SupplierFilter
from sop_procurement.suppliers.schemas import (
    BankChangeCreate,
    SupplierCreate,
    SupplierUpdate,
)
from sop_shared.calendar import Division
from sop_shared.errors import NotFound

BANK_FIELDS = ("bank_sort_code", "bank_account_number", "bank_account_name")
CHANGE_FIELDS = ("sort_code", "account_number", "account_name")


@dataclass(frozen=True, slots=True)
class SupplierView:
    """A supplier as readers see it: its record, the bank details payments use today and
    the change waiting for approval or for its hold to pass."""

    supplier: Supplier
    bank_details: BankDetails | None
    pending_bank_change: BankChange | None


async def _unique(
    ctx: ProcurementContext, supplier: Supplier, *, company: str | None, vat: str | None
) -> None:
    for name, value in (("company_number", company), ("vat_number", vat)):
        if value is None:
            continue
        found = await ctx.backend.suppliers.find(**{name: value})
        if found is not None and found.id != supplier.id:
            raise DuplicateSupplier(
                f"supplier {found.id} already has {name.replace('_', ' ')} {value}",
                errors=[(name, "already used by another supplier")],
                supplier_id=str(found.id),
            )


async def create_supplier(ctx: ProcurementContext, data: SupplierCreate) -> SupplierView:
    now = ctx.clock.now()
    supplier = Supplier(
        legal_name=data.legal_name,
        trading_name=data.trading_name,
        company_number=data.company_number,
        vat_number=data.vat_number,
        addresses=[a.model_dump() for a in data.addresses],
        contacts=[c.model_dump() for c in data.contacts],
        sme=data.sme,
        vcse=data.vcse,
        bank_sort_code=data.bank_details.sort_code if data.bank_details else None,
        bank_account_number=data.bank_details.account_number if data.bank_details else None,
        bank_account_name=data.bank_details.account_name if data.bank_details else None,
        created_at=now,
        updated_at=now,
    )
    await _unique(ctx, supplier, company=supplier.company_number, vat=supplier.vat_number)
    supplier = await ctx.backend.suppliers.add(supplier)
    await ctx.audit.record("create", "supplier", supplier.id, after=supplier, sensitive=BANK_FIELDS)
    await events.publish(ctx, events.CREATED, supplier)
    return await view(ctx, supplier)


async def get_supplier(
    ctx: ProcurementContext, supplier_id: uuid.UUID, *, lock: bool = False
) -> Supplier:
    supplier = await ctx.backend.suppliers.get(supplier_id, lock=lock)
    if supplier is None:
        raise NotFound(f"supplier {supplier_id} not found")
    return supplier


async def view(ctx: ProcurementContext, supplier: Supplier) -> SupplierView:
    today = ctx.today()
    changes = await ctx.backend.suppliers.bank_changes(supplier.id)
    details = (
        BankDetails(
            sort_code=supplier.bank_sort_code,
            account_number=supplier.bank_account_number,
            account_name=supplier.bank_account_name or "",
        )
        if supplier.bank_sort_code and supplier.bank_account_number
        else None
    )
    pending = None
    for change in changes:  # oldest first: the latest change in effect wins
        if change.status == "approved" and change.effective_from is not None:
            if change.effective_from <= today:
                details = BankDetails(
                    sort_code=change.sort_code,
                    account_number=change.account_number,
                    account_name=change.account_name,
                )
                pending = None
            else:
                pending = change
        elif change.status == "pending":
            pending = change
    return SupplierView(supplier, details, pending)


async def list_suppliers(
    ctx: ProcurementContext, *, flt: SupplierFilter, page: PageRequest
) -> RecordPage[Supplier]:
    return await ctx.backend.suppliers.search(flt, page)


async def update_supplier(
    ctx: ProcurementContext, supplier: Supplier, data: SupplierUpdate
) -> SupplierView:
    changes: dict[str, Any] = {}
    for name in data.model_fields_set:
        value = getattr(data, name)
        if name in {"legal_name", "status", "sme", "vcse"} and value is None:
            continue  # these cannot be cleared
        if name == "addresses":
            value = [a.model_dump() for a in (data.addresses or [])]
        elif name == "contacts":
            value = [c.model_dump() for c in (data.contacts or [])]
        changes[name] = value
    company = changes.get("company_number", supplier.company_number)
    vat = changes.get("vat_number", supplier.vat_number)
    await _unique(ctx, supplier, company=company, vat=vat)
    updated = replace(supplier, **changes)
    if updated == supplier:
        return await view(ctx, supplier)
    saved = await ctx.backend.suppliers.update(updated)
    await ctx.audit.record(
        "update", "supplier", saved.id, before=supplier, after=saved, sensitive=BANK_FIELDS
    )
    status_changed = supplier.status != saved.status
    await events.publish(
        ctx,
        {"suspended": events.SUSPENDED, "archived": events.ARCHIVED}.get(
            saved.status, events.UPDATED
        )
        if status_changed
        else events.UPDATED,
        saved,
    )
    return await view(ctx, saved)


# --- bank details ----------------------------------------------------------------------------


async def request_bank_change(
    ctx: ProcurementContext, supplier: Supplier, data: BankChangeCreate
) -> BankChange:
    current = await view(ctx, supplier)
    if current.pending_bank_change is not None:
        raise InvalidState(
            f"supplier {supplier.id} already has a bank detail change "
            f"({current.pending_bank_change.id}, {current.pending_bank_change.status}): "
            "reject it, or wait until it takes effect",
            change_id=str(current.pending_bank_change.id),
        )
    if supplier.status == "archived":
        raise InvalidState("an archived supplier's bank details do not change")
    now = ctx.clock.now()
    change = await ctx.backend.suppliers.add_bank_change(
        BankChange(
            supplier_id=supplier.id,
            sort_code=data.sort_code,
            account_number=data.account_number,
            account_name=data.account_name,
            reason=data.reason,
            requested_by=ctx.actor,
            requested_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    await ctx.audit.record(
        "bank-change.request", "supplier", supplier.id, after=change, sensitive=CHANGE_FIELDS
    )
    await events.publish_bank_change(ctx, events.BANK_CHANGE_REQUESTED, supplier, change)
    return change


async def bank_changes(ctx: ProcurementContext, supplier: Supplier) -> list[BankChange]:
    return await ctx.backend.suppliers.bank_changes(supplier.id)


async def get_bank_change(
    ctx: ProcurementContext, supplier: Supplier, change_id: uuid.UUID
) -> BankChange:
    change = await ctx.backend.suppliers.get_bank_change(change_id)
    if change is None or change.supplier_id != supplier.id:
        raise NotFound(f"bank detail change {change_id} not found for supplier {supplier.id}")
    return change


async def decide_bank_change(
    ctx: ProcurementContext,
    supplier: Supplier,
    change: BankChange,
    *,
    approve: bool,
    reason: str | None = None,
) -> BankChange:
    """Approve (from `today + hold` working days) or reject a pending change: never by the
    person who asked for it."""
    if change.status != "pending":
        raise InvalidState(f"the change is {change.status}, not pending")
    if change.requested_by == ctx.actor:
        raise SelfApproval(
            "bank details change only with a second person: the requester cannot decide it"
        )
    policy = await ctx.backend.controls.policy()
    now = ctx.clock.now()
    decided = replace(
        change,
        status="approved" if approve else "rejected",
        decided_by=ctx.actor,
        decided_at=now,
        reason=reason or change.reason,
        effective_from=(
            ctx.calendar.add_working_days(
                Division.ENGLAND_AND_WALES, ctx.today(), policy.bank_change_hold_days
            )
            if approve
            else None
        ),
    )
    saved = await ctx.backend.suppliers.update_bank_change(decided)
    await ctx.audit.record(
        "bank-change.approve" if approve else "bank-change.reject",
        "supplier",
        supplier.id,
        before=change,
        after=saved,
        sensitive=CHANGE_FIELDS,
    )
    await events.publish_bank_change(
        ctx,
        events.BANK_CHANGE_APPROVED if approve else events.BANK_CHANGE_REJECTED,
        supplier,
        saved,
    )
    return saved
