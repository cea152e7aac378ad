"""Audit events: who changed what, with before and after, written in the same transaction as
the change and readable at `/{area}/v1/audit-events`."""

# No `from __future__ import annotations` here: FastAPI must resolve the routes' annotations,
# which name variables local to the router factory.

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from sop_shared.context import Principal, principal_var, request_id_var, trace_id_var
from sop_shared.db import SessionDep, utcnow
from sop_shared.errors import problem_responses
from sop_shared.ids import uuid7
from sop_shared.kernel_tables import audit_events as t
from sop_shared.pagination import Page, PageRequestDep, keyset_page, link_next
from sop_shared.security import scopes
from sop_shared.timeutil import as_utc

MASK = "***"


async def record_event(
    session: AsyncSession,
    *,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    sensitive: tuple[str, ...] | list[str] = (),
    principal: Principal | None = None,
) -> None:
    who = principal or principal_var.get()
    if who is None or not who.tenant:
        raise PermissionError("audit events need the current tenant principal")
    await session.execute(
        insert(t).values(
            id=uuid7(),
            tenant=who.tenant,
            occurred_at=utcnow(),
            actor=who.subject,
            client_id=who.client_id,
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id),
            before=before,
            after=after,
            sensitive_fields=list(sensitive) or None,
            request_id=request_id_var.get() or None,
            trace_id=trace_id_var.get() or None,
            # A service acting for `actor` (token exchange, ADR 0108), so the event names both.
            acting_service=who.acting_service,
        )
    )


class AuditTrail(Protocol):
    """Where a service records who changed what (every service's context carries one).
    `before` and `after` are the resource's records (dataclasses, dicts); `sensitive` names
    their fields that readers without the sensitive scope see masked."""

    async def record(
        self,
        action: str,
        resource_type: str,
        resource_id: uuid.UUID | str,
        *,
        before: Any = None,
        after: Any = None,
        sensitive: Sequence[str] = (),
    ) -> None: ...


def snapshot(record: Any) -> dict[str, Any] | None:
    """A record as JSON-safe data (money and dates as strings) for an audit event."""
    if record is None:
        return None
    data: dict[str, Any] = to_jsonable_python(record)
    return data


class SessionAuditTrail:
    """Audit events written in the request's transaction, so they commit with the change and
    vanish with a rollback."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self._session = session
        self._principal = principal

    async def record(
        self,
        action: str,
        resource_type: str,
        resource_id: uuid.UUID | str,
        *,
        before: Any = None,
        after: Any = None,
        sensitive: Sequence[str] = (),
    ) -> None:
        await record_event(
            self._session,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            before=snapshot(before),
            after=snapshot(after),
            sensitive=list(sensitive),
            principal=self._principal,
        )


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event a `MemoryAuditTrail` holds (what the audit_events row would say)."""

    tenant: str
    actor: str
    action: str
    resource_type: str
    resource_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    sensitive_fields: list[str] | None
    acting_service: str | None = None


@dataclass
class MemoryAuditTrail:
    """An audit trail kept in memory, for unit tests of service rules on in-memory fakes."""

    principal: Principal
    events: list[RecordedEvent] = field(default_factory=list)

    async def record(
        self,
        action: str,
        resource_type: str,
        resource_id: uuid.UUID | str,
        *,
        before: Any = None,
        after: Any = None,
        sensitive: Sequence[str] = (),
    ) -> None:
        if not self.principal.tenant:
            raise PermissionError("audit events need the current tenant principal")
        self.events.append(
            RecordedEvent(
                tenant=self.principal.tenant,
                actor=self.principal.subject,
                action=action,
                resource_type=resource_type,
                resource_id=str(resource_id),
                before=snapshot(before),
                after=snapshot(after),
                sensitive_fields=list(sensitive) or None,
                acting_service=self.principal.acting_service,
            )
        )


class AuditEvent(BaseModel):
    id: uuid.UUID
    occurred_at: datetime
    actor: str
    client_id: str
    action: str
    resource_type: str
    resource_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    trace_id: str | None
    # The service that made the change for `actor` (a service-to-service call), if any.
    acting_service: str | None = None


def _mask(data: dict[str, Any] | None, fields: list[str]) -> dict[str, Any] | None:
    if data is None:
        return None
    return {k: (MASK if k in fields and v is not None else v) for k, v in data.items()}


def audit_router(area: str, *, read_scope: str, sensitive_scope: str | None = None) -> APIRouter:
    router = APIRouter(prefix=f"/{area}/v1", tags=["audit"])

    @router.get(
        "/audit-events",
        response_model=Page[AuditEvent],
        summary="List audit events",
        responses=problem_responses(401, 403, 422),
    )
    async def list_audit_events(
        request: Request,
        response: Response,
        session: SessionDep,
        page: PageRequestDep,
        principal: Annotated[Principal, scopes(read_scope)],
        resource_type: Annotated[str | None, Query(max_length=100)] = None,
        resource_id: Annotated[str | None, Query(max_length=100)] = None,
        action: Annotated[str | None, Query(max_length=100)] = None,
        since: Annotated[
            datetime | None, Query(description="Events at or after this time.")
        ] = None,
    ) -> Page[AuditEvent]:
        stmt = select(t).where(t.c.tenant == principal.tenant)
        if resource_type:
            stmt = stmt.where(t.c.resource_type == resource_type)
        if resource_id:
            stmt = stmt.where(t.c.resource_id == resource_id)
        if action:
            stmt = stmt.where(t.c.action == action)
        if since:
            stmt = stmt.where(t.c.occurred_at >= as_utc(since))
        rows, next_cursor = await keyset_page(session, stmt, t.c.id, page, scalars=False)
        see_sensitive = sensitive_scope is None or sensitive_scope in principal.scopes
        items = []
        for row in rows:
            fields = row.sensitive_fields or []
            before = row.before if see_sensitive else _mask(row.before, fields)
            after = row.after if see_sensitive else _mask(row.after, fields)
            items.append(
                AuditEvent(
                    id=row.id,
                    occurred_at=as_utc(row.occurred_at),
                    actor=row.actor,
                    client_id=row.client_id,
                    action=row.action,
                    resource_type=row.resource_type,
                    resource_id=row.resource_id,
                    before=before,
                    after=after,
                    request_id=row.request_id,
                    trace_id=row.trace_id,
                    acting_service=row.acting_service,
                )
            )
        link_next(request, response, next_cursor)
        return Page[AuditEvent](items=items, next_cursor=next_cursor)

    return router
