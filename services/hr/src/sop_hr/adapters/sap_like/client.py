"""Speaking the SuccessFactors-like OData v2 API: entity keys and `$filter` literals,
`/Date(...)/` values, server paging through `__next` and `$skiptoken` (with `customPageSize`),
upsert's per-row results, MERGE with If-Match, and the OData error envelope mapped to HR's
canonical errors."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
from sop_shared.resilience import ResilientClient

ROOT = "/odata/v2"
OPEN_END = date(9999, 12, 31)
# Foundation objects (departments, positions) are dated from SuccessFactors' usual start.
BEGINNING = date(1900, 1, 1)
PAGE = 1000  # SuccessFactors' largest page
CHUNK = 100  # values per IN list of a chunked query
VENDOR = "the SAP-like SuccessFactors suite"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_JSON_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")

# Where an OData error names a property, the canonical field it carries.
FIELDS = {
    "dateOfBirth": "date_of_birth",
    "nationalId": "national_insurance_number",
    "emailAddress": "work_email",
    "firstName": "first_name",
    "lastName": "last_name",
    "cust_employeeNumber": "employee_number",
    "fte": "fte",
    "department": "org_unit_id",
    "position": "position_id",
    "parent": "parent_id",
    "costCenter": "cost_centre",
    "targetFTE": "budgeted_fte",
    "startDate": "start_date",
    "endDate": "end_date",
    "timeType": "leave_type",
    "cust_code": "code",
    "cust_entitlementDays": "annual_entitlement_days",
}


def sf_date(day: date) -> str:
    """A date as SuccessFactors JSON writes it: `/Date(1617235200000)/`."""
    return f"/Date({(day - date(1970, 1, 1)).days * 86_400_000})/"


def sf_moment(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    millis = (moment.astimezone(UTC) - _EPOCH) // timedelta(milliseconds=1)
    return f"/Date({millis}+0000)/"


def _parse(text: str) -> datetime:
    match = _JSON_DATE.match(text.strip())
    if not match:
        raise ValueError(text)
    moment = _EPOCH + timedelta(milliseconds=int(match.group(1)))
    if match.group(2):
        sign = 1 if match.group(2)[0] == "+" else -1
        moment -= sign * timedelta(hours=int(match.group(2)[1:3]), minutes=int(match.group(2)[3:]))
    return moment


def day(value: Any) -> date | None:
    """A `/Date(...)/` date, with the open end (9999-12-31) as None."""
    if value is None:
        return None
    parsed = _parse(str(value)).date()
    return None if parsed == OPEN_END else parsed


def moment(value: Any) -> datetime | None:
    return _parse(str(value)) if value is not None else None


def lit(value: Any) -> str:
    """A value as an OData v2 URI literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value}M"
    if isinstance(value, datetime):
        return f"datetimeoffset'{value.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}Z'"
    if isinstance(value, date):
        return f"datetime'{value.isoformat()}T00:00:00'"
    return "'" + str(value).replace("'", "''") + "'"


def lits(values: Iterable[Any]) -> str:
    """`in` operands, as SuccessFactors writes them: `'a', 'b'`."""
    return ", ".join(lit(v) for v in values)


def _key_literal(value: Any) -> str:
    # Edm.Int64 keys (seqNumber) carry the L suffix in a key predicate.
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value}L"
    return lit(value)


def key(**parts: Any) -> str:
    """An entity key predicate: `(externalCode='D1',startDate=datetime'1900-01-01T00:00:00')`."""
    if len(parts) == 1:
        return f"({_key_literal(next(iter(parts.values())))})"
    return "(" + ",".join(f"{k}={_key_literal(v)}" for k, v in parts.items()) + ")"


def f_all(*terms: str | None) -> str | None:
    kept = [t for t in terms if t]
    return " and ".join(f"({t})" if " or " in t else t for t in kept) or None


def decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def etag_of(entity: Row) -> str | None:
    return (entity.get("__metadata") or {}).get("etag")


def results(body: Any) -> list[Row]:
    d = body.get("d", {}) if isinstance(body, dict) else {}
    return list(d.get("results", [])) if isinstance(d, dict) else []


def nav(entity: Row, name: str) -> list[Row]:
    """An expanded to-many navigation's entities."""
    value = entity.get(name)
    if isinstance(value, dict):
        return list(value.get("results") or [])
    return []


class SuccessFactors:
    """One request's client for the suite, with the cross-references of its instance."""

    def __init__(
        self, client: ResilientClient, refs: CrossReferences, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.client = client
        self.refs = refs
        self.clock = clock  # "today" for dating what a new record shows from

    @classmethod
    def from_context(cls, context: Any) -> SuccessFactors:
        binding = context.binding
        headers = {"Accept": "application/json"}
        auth: Any = None
        if binding.token:
            headers["Authorization"] = f"Bearer {binding.token}"
        elif binding.username:
            auth = (binding.username, binding.password or "")
        client = client_for(context.backends, binding, name="sap_like", auth=auth, headers=headers)
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
        idempotent: bool | None = None,
    ) -> tuple[Any, str | None]:
        sent = dict(headers or {})
        content = None
        if body is not None:
            sent["Content-Type"] = "application/json"
            content = json_bytes(body)
        response = await self.client.request(
            method,
            f"{ROOT}/{path}",
            params=params,
            content=content,
            headers=sent,
            idempotent=idempotent,
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
        try:
            error = response.json().get("error") or {}
        except ValueError:
            error = {}
        if error:
            message = (error.get("message") or {}).get("value") or message
            code = error.get("code")
            details = (error.get("innererror") or {}).get("errordetails") or [{}]
            prop = details[0].get("propertyref")
            field = FIELDS.get(prop, prop) if prop else None
        raise_for_vendor_error(response.status_code, message, field, vendor=VENDOR, code=code)

    async def entity(self, path: str, **params: Any) -> tuple[Row | None, str | None]:
        body, etag = await self.call("GET", path, params=params or None, missing_ok=True)
        return (body.get("d") if body else None), etag

    async def merge(self, path: str, body: dict[str, Any], etag: str | None) -> str | None:
        """OData v2 MERGE (tunnelled through POST, as v2 clients do), guarded by If-Match."""
        headers = {"X-HTTP-Method": "MERGE", "If-Match": etag or "*"}
        _, new_etag = await self.call("POST", path, body=body, headers=headers)
        return new_etag

    async def delete(self, path: str, etag: str | None) -> None:
        await self.call("DELETE", path, headers={"If-Match": etag or "*"})

    async def create(self, entity_set: str, body: dict[str, Any]) -> tuple[Row, str | None]:
        created, etag = await self.call("POST", entity_set, body=body)
        return created["d"], etag

    async def upsert(self, *entities: dict[str, Any]) -> None:
        """`POST /upsert`: each row succeeds or fails on its own; a failed row is the change
        refused. Upserting by key twice changes nothing more, so it may be retried."""
        body, _ = await self.call("POST", "upsert", body=list(entities), idempotent=True)
        for row in body.get("d", []):
            if row.get("status") != "OK":
                entity = entities[row.get("index", 0)]
                name = str(entity["__metadata"]["uri"])
                raise_for_vendor_error(
                    int(row.get("httpCode") or 400),
                    f"{name}: {row.get('message')}",
                    None,
                    vendor=VENDOR,
                )

    async def page(
        self, entity_set: str, *, token: str | None, size: int, **params: Any
    ) -> tuple[list[Row], str | None]:
        """One server page of a collection (`customPageSize` entities) and the `$skiptoken`
        of the next, from the page's `__next` link (None on the last)."""
        query = {k: v for k, v in params.items() if v is not None}
        query["customPageSize"] = str(max(1, min(size, PAGE)))
        if token:
            query["$skiptoken"] = token
        body, _ = await self.call("GET", entity_set, params=query)
        following = body.get("d", {}).get("__next")
        next_token = None
        if following:
            next_token = parse_qs(urlsplit(following).query).get("$skiptoken", [None])[0]
        return results(body), next_token

    async def every(self, entity_set: str, **params: Any) -> list[Row]:
        token: str | None = None
        found: list[Row] = []
        while True:
            rows, token = await self.page(entity_set, token=token, size=PAGE, **params)
            found += rows
            if token is None:
                return found

    async def every_chunked(
        self, entity_set: str, values: list[Any], filter_for: Any, **params: Any
    ) -> list[Row]:
        """Every row matching `filter_for(chunk)` for each chunk of `values` (IN lists stay
        short). `params` are query options only: none can be taken for another argument."""
        chunks = [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]
        found = await asyncio.gather(
            *(self.every(entity_set, **{"$filter": filter_for(c)}, **params) for c in chunks)
        )
        return [row for rows in found for row in rows]
