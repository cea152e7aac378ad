"""What the vendor adapters share: the resilient HTTP client per backend kept in the app's
`shared` dict, opaque list cursors wrapping the vendor's paging, pages filled across vendor
pages, and vendor error statuses mapped to HR's canonical errors."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

import httpx
import orjson

from sop_hr.adapters.crossref import VendorRef
from sop_hr.employees.ports import LeavingReason
from sop_hr.ports import (
    BackendUnavailable,
    InvalidCursor,
    RecordGone,
    RecordPage,
    StaleRecord,
)
from sop_shared.errors import Conflict, ValidationFailed
from sop_shared.platform_config import AdapterBinding
from sop_shared.resilience import BackendConnections, BackendPolicy, ResilientClient
from sop_shared.timeutil import as_utc

log = logging.getLogger("sop.hr.adapters")

T = TypeVar("T")
Row = dict[str, Any]


class Stamped(Protocol):
    """A canonical record with HR's own timestamp of its last change."""

    @property
    def updated_at(self) -> datetime | None: ...


S = TypeVar("S", bound=Stamped)

# `updated_since` is asked of the vendor with this much slack (its clock and ours may differ,
# and its own stamps move with changes HR did not make); HR's own timestamps then decide.
UPDATED_SINCE_SLACK = timedelta(minutes=5)
# A canonical page may need several vendor pages when records HR does not know are skipped.
MAX_VENDOR_PAGES = 20


def unavailable(detail: str, retry_after: int) -> BackendUnavailable:
    return BackendUnavailable(detail, retry_after=retry_after)


def client_for(
    backends: BackendConnections,
    binding: AdapterBinding,
    *,
    name: str,
    auth: httpx.Auth | tuple[str, str] | None,
    headers: dict[str, str],
) -> ResilientClient:
    """The app-lifetime client of one backend (and its breaker, one per base URL)."""
    if not binding.base_url:
        raise BackendUnavailable(f"the {binding.adapter} binding names no base_url", retry_after=30)
    policy = BackendPolicy.from_binding(binding)
    # Clusters bound to one backend share its connections when they share its settings;
    # the circuit breaker is the backend's (its base URL), whichever cluster calls.
    credentials = hashlib.sha256(
        f"{binding.username}\0{binding.password}\0{binding.token}".encode()
    ).hexdigest()[:16]
    return backends.client(
        f"{binding.adapter} {binding.base_url} {credentials} {policy}",
        name=f"{name} at {binding.base_url}",
        base_url=binding.base_url,
        policy=policy,
        auth=auth,
        headers=headers,
        unavailable=unavailable,
    )


def parse_json(response: httpx.Response) -> Any:
    """A vendor body, with numbers kept exact; a garbled body is the backend failing."""
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise BackendUnavailable(
            f"the backend answered {response.status_code} with a body that is not JSON",
            retry_after=5,
        ) from exc


def json_bytes(body: Any) -> bytes:
    """A request body; decimals go as JSON numbers (exact for the values HR holds)."""

    def number(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        raise TypeError(type(value))

    return orjson.dumps(body, default=number)


# --- cursors -------------------------------------------------------------------------------


def encode_cursor(kind: str, position: Any) -> str:
    raw = orjson.dumps({"k": kind, "p": position})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(kind: str, cursor: str | None) -> Any:
    """The vendor position a cursor of ours holds (None: the first page)."""
    if not cursor:
        return None
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or data.get("k") != kind or data.get("p") is None:
            raise ValueError(cursor)
        return data["p"]
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise InvalidCursor() from None


VendorFetch = Callable[[Any, int], Awaitable[tuple[list[Row], Any]]]


@dataclass
class Filler(Generic[T]):
    """Fills a canonical page from vendor pages. `fetch(position, size)` answers the vendor's
    rows from `position` and the position after them (None at the end); `keep(rows)` maps
    rows to canonical items, None for rows HR skips (records it did not create, or changed
    before `updated_since`)."""

    fetch: VendorFetch
    keep: Callable[[list[Row]], Awaitable[Sequence[T | None]]]
    kind: str

    async def page(self, limit: int, cursor: str | None) -> RecordPage[T]:
        position = decode_cursor(self.kind, cursor)
        items: list[T] = []
        for _ in range(MAX_VENDOR_PAGES):
            rows, following = await self.fetch(position, limit - len(items))
            items += [item for item in await self.keep(rows) if item is not None]
            position = following
            if position is None or len(items) >= limit:
                break
        next_cursor = encode_cursor(self.kind, position) if position is not None else None
        return RecordPage(items=items, next_cursor=next_cursor)

    async def every(self, size: int = 500) -> list[T]:
        """Every match, page after page (for the service's unpaged questions)."""
        position, items = None, []
        while True:
            rows, position = await self.fetch(position, size)
            items += [item for item in await self.keep(rows) if item is not None]
            if position is None:
                return items


def leaving_reason(code: str | None) -> LeavingReason | None:
    """A termination reason code, as HR names it; a code someone chose in the suite itself
    that HR has no name for is `other`, not an error."""
    if not code:
        return None
    try:
        return LeavingReason(code.lower())
    except ValueError:
        return LeavingReason.OTHER


def stamps(ref: VendorRef) -> dict[str, Any]:
    """A canonical record's version and timestamps: HR's own, kept in the cross-reference."""
    return {
        "version": ref.version,
        "created_at": as_utc(ref.created_at),
        "updated_at": as_utc(ref.updated_at),
    }


def stamped(record: Any, ref: VendorRef) -> Any:
    """A record as stored: with the version and timestamps of its cross-reference."""
    return dataclasses.replace(record, **stamps(ref))


def changed_since(records: Sequence[S | None], since: datetime | None) -> list[S | None]:
    """`updated_since` as HR's own timestamps answer it (the vendor was asked with slack):
    records changed before `since` are dropped; Nones (rows HR skips) stay."""
    if since is None:
        return list(records)
    return [r for r in records if r is None or (r.updated_at and r.updated_at >= since)]


def since_for_vendor(updated_since: datetime | None) -> datetime | None:
    return updated_since - UPDATED_SINCE_SLACK if updated_since is not None else None


# --- errors --------------------------------------------------------------------------------


def raise_for_vendor_error(
    status: int, message: str, field: str | None, *, vendor: str, code: str | None = None
) -> None:
    """A vendor's refusal as the canonical error the service and its clients understand."""
    detail = f"{vendor} refused the change: {message}" + (f" ({code})" if code else "")
    if status == 412:
        raise StaleRecord("the record changed in the system of record; read it again")
    if status == 404:
        raise RecordGone(f"{vendor} no longer holds the record: {message}")
    if status == 409:
        raise Conflict(detail)
    if status in (400, 422):
        raise ValidationFailed(detail, errors=[(field or "record", message)])
    if status in (401, 403):
        log.error("%s refused HR's credentials (%s): %s", vendor, status, message)
        raise BackendUnavailable(f"{vendor} refused HR's credentials", retry_after=30)
    log.error("%s answered %s unexpectedly: %s", vendor, status, message)
    raise BackendUnavailable(f"{vendor} answered {status}", retry_after=5)
