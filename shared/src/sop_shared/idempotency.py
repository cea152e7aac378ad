"""Idempotency-Key store: a POST repeated with the same key and body replays the stored
response; the same key with another body is refused (422); a key still in flight gets 409.

A key belongs to one person: tenant, client and subject. Two users of one OAuth client never
share a replay, and a replay goes only to a caller holding every scope the first request had
(a stored response may show what those scopes show): otherwise 422, naming the key."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, cast

from fastapi import Depends, Header
from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sop_shared.db import Database, utcnow
from sop_shared.errors import PreconditionRequired
from sop_shared.kernel_tables import idempotency_keys as t
from sop_shared.timeutil import as_utc

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
RETENTION = timedelta(hours=24)
# A claim older than this belongs to a request that died (process killed mid-flight).
STALE_CLAIM = timedelta(seconds=120)
# Headers worth replaying; per-request ones (request id, date, trace) are made fresh.
REPLAYED_HEADERS = {"content-type", "location", "etag", "link", "content-location"}


@dataclass(frozen=True)
class Claim:
    tenant: str
    client_id: str
    subject: str
    key: str

    def where(self) -> Any:
        return and_(
            t.c.tenant == self.tenant,
            t.c.client_id == self.client_id,
            t.c.subject == self.subject,
            t.c.key == self.key,
        )


@dataclass(frozen=True)
class Replay:
    status_code: int
    headers: list[tuple[str, str]]
    body: bytes


class KeyReusedWithOtherRequest(Exception):
    pass


class KeyInFlight(Exception):
    pass


class KeyUsedWithOtherScopes(Exception):
    """The key's first request had scopes the caller now lacks: its response is not theirs."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(" ".join(missing))
        self.missing = missing


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def claim(
        self,
        *,
        tenant: str,
        client_id: str,
        subject: str,
        scopes: frozenset[str],
        key: str,
        fingerprint: str,
        method: str,
        path: str,
    ) -> Claim | Replay:
        claim = Claim(tenant, client_id, subject, key)
        now = utcnow()
        row_values = {
            "tenant": tenant,
            "client_id": client_id,
            "subject": subject,
            "key": key,
            "request_hash": fingerprint,
            "method": method,
            "path": path[:2048],
            "state": "in_flight",
            "scopes": sorted(scopes),
            "locked_at": now,
            "created_at": now,
            "expires_at": now + RETENTION,
        }
        for _attempt in range(3):
            try:
                async with self.database.transaction() as session:
                    await session.execute(insert(t).values(**row_values))
                return claim
            except IntegrityError:
                pass
            async with self.database.transaction() as session:
                row = (await session.execute(select(t).where(claim.where()))).first()
                if row is None:
                    continue  # expired and removed meanwhile: try to insert again
                if as_utc(row.expires_at) <= now:
                    await session.execute(delete(t).where(claim.where()))
                    continue
                if row.request_hash != fingerprint:
                    raise KeyReusedWithOtherRequest
                missing = sorted(set(row.scopes or []) - scopes)
                if missing:
                    raise KeyUsedWithOtherScopes(missing)
                if row.state == "completed":
                    return Replay(
                        status_code=int(row.status_code),
                        headers=[(k, v) for k, v in (row.response_headers or [])],
                        body=bytes(row.response_body or b""),
                    )
                if as_utc(row.locked_at) < now - STALE_CLAIM:
                    taken = await session.execute(
                        update(t)
                        .where(claim.where(), t.c.locked_at == row.locked_at)
                        .values(locked_at=now)
                    )
                    if rowcount(taken) == 1:
                        return claim
                raise KeyInFlight
        raise KeyInFlight

    @staticmethod
    async def complete(
        session: AsyncSession,
        claim: Claim,
        status_code: int,
        headers: list[tuple[str, str]],
        body: bytes,
    ) -> None:
        """Store the response in the request's own transaction: it commits with the change."""
        kept = [(k, v) for k, v in headers if k.lower() in REPLAYED_HEADERS]
        await session.execute(
            update(t)
            .where(claim.where())
            .values(
                state="completed",
                status_code=status_code,
                response_headers=kept,
                response_body=body,
            )
        )

    async def release(self, claim: Claim) -> None:
        """Forget a claim whose request failed, so the client may retry with the same key."""
        async with self.database.transaction() as session:
            await session.execute(delete(t).where(claim.where(), t.c.state == "in_flight"))

    async def purge_expired(self, now: datetime | None = None) -> int:
        async with self.database.transaction() as session:
            result = await session.execute(delete(t).where(t.c.expires_at < (now or utcnow())))
            return rowcount(result)


class IdempotencyKeyRequired(PreconditionRequired):
    slug, title = "idempotency-key-required", "Idempotency-Key required"


def require_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Required: a repeat of this request must not act twice.",
        ),
    ] = None,
) -> str:
    """Dependency for POSTs a repeat would harm (postings, payments, pay runs): 428 without a
    key. A key that is present was already claimed (or replayed) by the transaction middleware."""
    if idempotency_key is None:
        raise IdempotencyKeyRequired(
            "this operation must not run twice: send an Idempotency-Key header, and the same "
            "key when you retry",
            errors=[("Idempotency-Key", "required for this operation")],
        )
    return idempotency_key


RequiredIdempotencyKey = Annotated[str, Depends(require_idempotency_key)]


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (its result is a CursorResult; `execute` is typed as
    returning the general Result)."""
    return cast("CursorResult[Any]", result).rowcount or 0
