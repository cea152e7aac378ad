"""The transaction middleware: one unit of work per request, committed before the response
is sent, with Idempotency-Key handling wrapped around it (pure ASGI, no per-request tasks)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sop_shared.db import Database, UnitOfWork
from sop_shared.errors import FieldError, Problem, problem_response
from sop_shared.idempotency import (
    KEY_PATTERN,
    Claim,
    IdempotencyStore,
    KeyInFlight,
    KeyReusedWithOtherRequest,
    KeyUsedWithOtherScopes,
    Replay,
    request_fingerprint,
)
from sop_shared.security import bearer_token

if TYPE_CHECKING:
    from sop_shared.kernel import TokenVerifier

log = logging.getLogger("sop.transactions")


class TransactionMiddleware:
    """Given its parts at construction: the database whose unit of work each request gets, the
    idempotency store, and the verifier that names the caller a key is scoped to."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        database: Database,
        idempotency: IdempotencyStore,
        verifier: TokenVerifier,
        max_body_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.database = database
        self.store = idempotency
        self.verifier = verifier
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        uow = UnitOfWork(self.database)
        scope.setdefault("state", {})["uow"] = uow
        headers = _headers(scope)
        claim: Claim | None = None
        store = self.store
        key = headers.get("idempotency-key") if scope["method"] == "POST" else None

        if key is not None:
            body, too_large = await _read_body(receive, self.max_body_bytes)
            if too_large:
                await _send_response(
                    send, problem_response(413, "request body too large", instance=scope["path"])
                )
                return
            receive = _replay_receive(body)
            outcome = await self._claim(scope, headers, key, body, store)
            if isinstance(outcome, Replay):
                await _send_replay(send, outcome)
                return
            if isinstance(outcome, Claim):
                claim = outcome
            elif outcome is not None:
                await _send_response(send, outcome)
                return

        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await uow.rollback()
            await uow.close()
            if claim is not None:
                await store.release(claim)
            raise

        status = int(start.get("status", 500))
        body = b"".join(chunks)
        completed = False
        try:
            if status < 400:
                if claim is not None and 200 <= status < 300:
                    await store.complete(uow.session, claim, status, _decode(start), body)
                    completed = True
                await uow.commit()
            else:
                await uow.rollback()
        except IntegrityError as exc:
            log.info("commit refused by a constraint: %s", exc.orig)
            await uow.rollback()
            completed = False
            await _send_response(
                send,
                problem_response(
                    409,
                    "the change conflicts with existing data (a concurrent request?)",
                    instance=scope["path"],
                ),
            )
            return
        except DBAPIError:
            log.exception("commit failed")
            await uow.rollback()
            completed = False
            await _send_response(
                send,
                problem_response(
                    503,
                    "the database is unavailable; retry later",
                    instance=scope["path"],
                    headers={"Retry-After": "2"},
                ),
            )
            return
        finally:
            await uow.close()
            if claim is not None and not completed:
                await store.release(claim)
        for callback in uow.after_commit:
            try:
                await callback()
            except Exception:
                log.exception("after-commit callback failed")
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _claim(
        self, scope: Scope, headers: dict[str, str], key: str, body: bytes, store: IdempotencyStore
    ) -> Claim | Replay | Response | None:
        if not KEY_PATTERN.match(key):
            return problem_response(
                422,
                "Idempotency-Key must be 1-255 visible ASCII characters",
                instance=scope["path"],
                errors=[FieldError(field="Idempotency-Key", message="invalid key")],
            )
        token = bearer_token(headers.get("authorization"))
        if not token:
            return None  # no caller to scope the key to: the route answers 401 as usual
        try:
            principal = await self.verifier.verify(token)
            scope["state"]["principal"] = principal  # `authenticate` need not verify it again
        except Problem as exc:
            return problem_response(
                exc.status, exc.detail, instance=scope["path"], headers=exc.headers
            )
        fingerprint = request_fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"), body
        )
        try:
            return await store.claim(
                tenant=principal.tenant or "",
                client_id=principal.client_id or principal.subject,
                subject=principal.subject,
                scopes=frozenset(principal.scopes),
                key=key,
                fingerprint=fingerprint,
                method=scope["method"],
                path=scope["path"],
            )
        except KeyReusedWithOtherRequest:
            return problem_response(
                422,
                "this Idempotency-Key was used with a different request body",
                instance=scope["path"],
                errors=[FieldError(field="Idempotency-Key", message="reused with another request")],
            )
        except KeyUsedWithOtherScopes as exc:
            return problem_response(
                422,
                "this Idempotency-Key was used by a request with scopes this token lacks "
                f"({', '.join(exc.missing)}): its response is not replayed; send a new key",
                instance=scope["path"],
                errors=[FieldError(field="Idempotency-Key", message="used with other scopes")],
            )
        except KeyInFlight:
            return problem_response(
                409,
                "a request with this Idempotency-Key is still being processed",
                instance=scope["path"],
                headers={"Retry-After": "1"},
            )


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _decode(start: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start.get("headers", [])]


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts), False


def _replay_receive(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _send_response(send: Send, response: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": response.body, "more_body": False})


async def _send_replay(send: Send, replay: Replay) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in replay.headers]
    headers.append((b"idempotent-replayed", b"true"))
    headers.append((b"content-length", str(len(replay.body)).encode()))
    await send({"type": "http.response.start", "status": replay.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": replay.body, "more_body": False})


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Caps every request body at `max_body_bytes` (pure ASGI, outside everything that reads
    a body): a `Content-Length` over the cap is answered 413 before a byte is read, and a
    streamed (chunked) body is cut off with 413 as soon as it passes the cap; whatever the app
    answered meanwhile is dropped."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int = 10 * 1024 * 1024) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        too_large = problem_response(
            413, f"the request body exceeds {limit} bytes", instance=scope["path"]
        )
        length = _headers(scope).get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                await _send_response(
                    send, problem_response(400, "bad Content-Length", instance=scope["path"])
                )
                return
            if int(length) > limit:
                await _send_response(send, too_large)
                return
        received = 0
        exceeded = False
        started = False

        async def capped_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's answer to a body it could not read: replaced by the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except _BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _send_response(send, too_large)
