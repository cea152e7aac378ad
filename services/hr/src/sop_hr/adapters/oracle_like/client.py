"""Speaking the Oracle-Fusion-like HCM REST API: resource paths, framework version 4 `q`
expressions, ADF collections paged by limit/offset/hasMore, change indicators as ETags,
Effective-Of headers, and the ADF error envelope mapped to HR's canonical errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from sop_hr.adapters.crossref import CrossReferences, backend_id
from sop_hr.adapters.vendor import (
    Row,
    client_for,
    json_bytes,
    parse_json,
    raise_for_vendor_error,
)
from sop_shared.clock import SYSTEM_CLOCK, Clock
from sop_shared.errors import ValidationFailed
from sop_shared.resilience import ResilientClient
from sop_shared.timeutil import as_utc

API = "/hcmRestApi/resources/11.13.18.05"
ITEM_TYPE = "application/vnd.oracle.adf.resourceitem+json"
ERROR_TYPE = "application/vnd.oracle.adf.error+json"
OPEN_END = date(4712, 12, 31)
# Setup data (departments, positions) is dated from Oracle's customary beginning of time, so
# it is in force on any date a record refers to it.
BEGINNING = date(1951, 1, 1)
PAGE = 500  # Oracle's largest page
CHUNK = 100  # values per IN list of a chunked query
VENDOR = "the Oracle-like HCM suite"

# Where an ADF error names an attribute, the canonical field it carries.
FIELDS = {
    "DateOfBirth": "date_of_birth",
    "NationalIdentifierNumber": "national_insurance_number",
    "EmailAddress": "work_email",
    "FirstName": "first_name",
    "LastName": "last_name",
    "WorkerNumber": "employee_number",
    "TerminationDate": "leaving_date",
    "StartDate": "start_date",
    "NormalHours": "fte",
    "DepartmentId": "org_unit_id",
    "PositionId": "position_id",
    "ParentOrganizationId": "parent_id",
    "PositionCode": "code",
    "CostCenter": "cost_centre",
    "FTE": "budgeted_fte",
    "startDate": "start_date",
    "endDate": "end_date",
    "absenceType": "leave_type",
    "EntitlementDays": "annual_entitlement_days",
}


def lit(value: Any) -> str:
    """A value as a `q` literal (framework version 2 and later)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        text = as_utc(value).isoformat()
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text.replace("'", "''") + "'"


def lits(values: Iterable[Any]) -> str:
    return "(" + ",".join(lit(v) for v in values) + ")"


def q_all(*terms: str | None) -> str | None:
    kept = [t for t in terms if t]
    return " and ".join(f"({t})" if " or " in t else t for t in kept) or None


def day(value: Any) -> date | None:
    """An Oracle date, with the open end (4712-12-31) as None."""
    if value is None:
        return None
    parsed = date.fromisoformat(str(value)[:10])
    return None if parsed == OPEN_END else parsed


def vendor_day(value: date, field: str) -> str:
    """A date HR holds, as the suite takes it. Oracle's 4712-12-31 is not a date but its
    "no end date" (HR's None, which `day` reads it back as), and nothing comes after it: a
    date on or after it is refused, naming the field, rather than stored and read back as
    no date at all."""
    if value >= OPEN_END:
        raise ValidationFailed(
            f'{value} is on or after {OPEN_END}, which {VENDOR} uses for "no end date"',
            errors=[(field, f"must be before {OPEN_END}")],
        )
    return value.isoformat()


def moment(value: Any) -> datetime | None:
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def self_key(item: Row) -> str:
    """The item's key as its self link names it (a UniqID hash for workers)."""
    href = next(link["href"] for link in item.get("links", ()) if link["rel"] == "self")
    return str(href).rstrip("/").rsplit("/", 1)[-1]


def change_indicator(item: Row) -> str | None:
    for link in item.get("links", ()):
        if link.get("rel") == "self":
            value = (link.get("properties") or {}).get("changeIndicator")
            return f'"{value}"' if value else None
    return None


class OracleHcm:
    """One request's client for the suite, with the cross-references of its instance."""

    def __init__(
        self, client: ResilientClient, refs: CrossReferences, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.client = client
        self.refs = refs
        self.clock = clock  # "today" for dating what a new record shows from

    @classmethod
    def from_context(cls, context: Any) -> OracleHcm:
        binding = context.binding
        auth: Any = None
        headers = {
            "REST-Framework-Version": "4",
            "Accept": f"application/json, {ERROR_TYPE}",
        }
        if binding.token:
            headers["Authorization"] = f"Bearer {binding.token}"
        elif binding.username:
            auth = (binding.username, binding.password or "")
        client = client_for(
            context.backends, binding, name="oracle_like", auth=auth, headers=headers
        )
        return cls(client, CrossReferences(context.session, backend_id(binding)), context.clock)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        missing_ok: bool = False,
    ) -> tuple[Any, str | None]:
        """One call; answers (body, ETag), or (None, None) for a missing item if allowed."""
        sent = dict(headers or {})
        content = None
        if body is not None:
            sent["Content-Type"] = ITEM_TYPE
            content = json_bytes(body)
        response = await self.client.request(
            method, f"{API}/{path}", params=params, content=content, headers=sent
        )
        if response.status_code == 404 and missing_ok:
            return None, None
        if response.status_code >= 400:
            self.fail(response)
        etag = response.headers.get("etag")
        if response.status_code == 204 or not response.content:
            return None, etag
        return parse_json(response), etag

    @staticmethod
    def fail(response: httpx.Response) -> None:
        message, code, field = response.text.strip() or response.reason_phrase, None, None
        if ERROR_TYPE in response.headers.get("content-type", ""):
            try:
                detail = (response.json().get("o:errorDetails") or [{}])[0]
            except ValueError:
                detail = {}
            message = detail.get("detail") or message
            code = detail.get("o:errorCode")
            path = str(detail.get("o:errorPath") or "").strip("/")
            field = FIELDS.get(path, path or None)
        raise_for_vendor_error(response.status_code, message, field, vendor=VENDOR, code=code)

    async def get(self, path: str, **params: Any) -> tuple[Row | None, str | None]:
        return await self.call("GET", path, params=params or None, missing_ok=True)

    async def page(
        self, path: str, *, q: str | None, offset: int, limit: int, **params: Any
    ) -> tuple[list[Row], int | None]:
        """One page of a collection: its items and the offset of the next page (None when
        `hasMore` says this was the last)."""
        query = {"limit": str(min(limit, PAGE)), "offset": str(offset), **params}
        if q:
            query["q"] = q
        body, _ = await self.call("GET", path, params=query)
        items = list(body.get("items", []))
        return items, (offset + len(items) if body.get("hasMore") else None)

    async def every(self, path: str, *, q: str | None, **params: Any) -> list[Row]:
        offset: int | None = 0
        items: list[Row] = []
        while offset is not None:
            found, offset = await self.page(path, q=q, offset=offset, limit=PAGE, **params)
            items += found
        return items

    async def every_chunked(
        self, path: str, values: list[Any], q_for: Any, **params: Any
    ) -> list[Row]:
        """Every item matching `q_for(chunk)` for each chunk of `values` (IN lists stay short).
        `params` are query parameters only: none can be taken for another argument."""
        chunks = [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]
        found = await asyncio.gather(*(self.every(path, q=q_for(c), **params) for c in chunks))
        return [item for items in found for item in items]
