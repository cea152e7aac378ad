"""Calling an ASGI app directly, counting the body bytes it reads (tests of body limits: an
answer given before reading must show zero bytes read)."""

from __future__ import annotations

from typing import Any

from starlette.types import Message


async def call_asgi(
    app: Any,
    method: str,
    path: str,
    chunks: list[bytes],
    headers: list[tuple[bytes, bytes]],
    *,
    host: str = "app.test",
    client: tuple[str, int] = ("127.0.0.1", 1234),
) -> tuple[int, dict[str, str], bytes, int]:
    """One request: (status, lower-cased response headers, body, request body bytes read)."""
    read = 0
    pending = list(chunks)
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host.encode()), *headers],
        "client": client,
        "server": (host, 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    found = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], found, body, read
