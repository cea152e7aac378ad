"""The upstream client against a raw HTTP server whose every move the test decides:
keep-alive reuse, chunked and large bodies both ways, HEAD, timeouts, a connection the server
dropped while idle, the pool's size limit, and garbage."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Awaitable, Callable

import pytest

from sop_gateway.upstream import (
    UpstreamBroken,
    UpstreamPool,
    UpstreamTimeout,
    UpstreamUnreachable,
)

Handler = Callable[[bytes, bytes, dict[bytes, bytes], bytes, int], Awaitable[bytes | None]]


def response(status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X".encode()]
    for name, value in {"content-length": str(len(body)), **(headers or {})}.items():
        lines.append(f"{name}: {value}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class RawServer:
    """Reads requests (Content-Length or chunked bodies) and writes whatever the handler
    returns; None means: close the connection without answering."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.active = 0
        self.peak = 0

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                request_line, *lines = head[:-4].split(b"\r\n")
                method, target, _ = request_line.split(b" ")
                headers = {}
                for line in lines:
                    name, _, value = line.partition(b":")
                    headers[name.strip().lower()] = value.strip()
                body = b""
                if b"content-length" in headers:
                    body = await reader.readexactly(int(headers[b"content-length"]))
                elif headers.get(b"transfer-encoding") == b"chunked":
                    while True:
                        size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
                        chunk = await reader.readexactly(size + 2)
                        if size == 0:
                            break
                        body += chunk[:-2]
                self.active += 1
                self.peak = max(self.peak, self.active)
                try:
                    answer = await self.handler(method, target, headers, body, number)
                finally:
                    self.active -= 1
                if answer is None:
                    return
                writer.write(answer)
                await writer.drain()
        finally:
            writer.close()

    async def close(self) -> None:
        self.server.close()


@pytest.fixture
async def serve():
    servers: list[RawServer] = []
    pools: list[UpstreamPool] = []

    async def make(handler: Handler, **pool_options) -> tuple[RawServer, UpstreamPool]:
        server = RawServer(handler)
        port = await server.start()
        pool = UpstreamPool("127.0.0.1", port, **pool_options)
        servers.append(server)
        pools.append(pool)
        return server, pool

    yield make
    for pool in pools:
        await pool.close()
    for server in servers:
        await server.close()


async def get(pool: UpstreamPool, target: bytes = b"/x", method: bytes = b"GET", **kw) -> tuple:
    resp = await pool.request(method, target, [(b"host", b"test")], **kw)
    body = await resp.read()
    return resp.status, dict(resp.headers), body


async def test_keep_alive_connections_are_reused(serve):
    async def handler(method, target, headers, body, conn):
        return response(200, b"hello " + target)

    server, pool = await serve(handler)
    for i in range(5):
        status, headers, body = await get(pool, b"/n%d" % i)
        assert (status, body) == (200, b"hello /n%d" % i)
        assert headers[b"content-length"] == str(len(body)).encode()
    assert server.connections == 1


async def test_chunked_and_large_responses_arrive_whole(serve):
    big = os.urandom(3 * 1024 * 1024 + 5)

    async def handler(method, target, headers, body, conn):
        if target == b"/chunked":
            parts = [b"%x\r\n%s\r\n" % (len(p), p) for p in (b"one ", b"two ", b"three")]
            head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            return head + b"".join(parts) + b"0\r\n\r\n"
        return response(200, big)

    server, pool = await serve(handler)
    assert (await get(pool, b"/chunked"))[2] == b"one two three"
    resp = await pool.request(b"GET", b"/big", [(b"host", b"t")])
    assert resp.content_length == len(big)
    received = hashlib.sha256()
    async for chunk in resp.chunks():
        received.update(chunk)
    assert received.hexdigest() == hashlib.sha256(big).hexdigest()
    assert (await get(pool, b"/chunked"))[2] == b"one two three"
    assert server.connections == 1


async def test_request_bodies_go_as_bytes_or_streamed(serve):
    async def handler(method, target, headers, body, conn):
        framing = b"chunked" if headers.get(b"transfer-encoding") else b"length"
        return response(200, framing + b" " + hashlib.sha256(body).hexdigest().encode())

    _, pool = await serve(handler)
    payload = os.urandom(300_000)
    expected = hashlib.sha256(payload).hexdigest().encode()
    assert (await get(pool, method=b"POST", body=payload))[2] == b"length " + expected

    async def stream():
        for i in range(0, len(payload), 65536):
            yield payload[i : i + 65536]

    assert (await get(pool, method=b"POST", body=stream()))[2] == b"chunked " + expected
    sized = await get(pool, method=b"PUT", body=stream(), content_length=len(payload))
    assert sized[2] == b"length " + expected


async def test_head_takes_the_headers_and_retires_the_connection(serve):
    async def handler(method, target, headers, body, conn):
        if method == b"HEAD":
            return b"HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n"
        return response(200, b"after")

    server, pool = await serve(handler)
    status, headers, body = await get(pool, method=b"HEAD")
    assert (status, body, headers[b"content-length"]) == (200, b"", b"1234")
    assert (await get(pool))[2] == b"after"
    assert server.connections == 2


async def test_a_slow_service_times_out_and_the_pool_recovers(serve):
    async def handler(method, target, headers, body, conn):
        if target == b"/slow":
            await asyncio.sleep(1)
        return response(200, b"ok")

    _, pool = await serve(handler, read_timeout=0.2)
    with pytest.raises(UpstreamTimeout):
        await get(pool, b"/slow")
    assert (await get(pool))[2] == b"ok"


async def test_nothing_listening_is_unreachable():
    with socket_port() as port:
        pass
    pool = UpstreamPool("127.0.0.1", port, connect_timeout=0.5)
    with pytest.raises(UpstreamUnreachable):
        await get(pool)


class socket_port:
    """A port that was free a moment ago (and so, almost surely, still has no listener)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


async def test_a_kept_alive_connection_the_service_dropped_is_retried_when_safe(serve):
    async def handler(method, target, headers, body, conn):
        if conn == 1 and target != b"/first":
            return None  # the first connection dies on its second request, unanswered
        return response(200, b"conn %d" % conn)

    _, pool = await serve(handler)
    assert (await get(pool, b"/first"))[2] == b"conn 1"
    assert (await get(pool, b"/again"))[2] == b"conn 2"  # GET: sent again on a new connection

    _, pool2 = await serve(handler)
    await get(pool2, b"/first")
    with pytest.raises(UpstreamBroken):
        await get(pool2, b"/pay", method=b"POST", body=b"{}")  # not idempotent: not resent


async def test_the_pool_never_opens_more_than_its_size(serve):
    async def handler(method, target, headers, body, conn):
        await asyncio.sleep(0.05)
        return response(200, b"ok")

    server, pool = await serve(handler, size=2)
    results = await asyncio.gather(*(get(pool) for _ in range(8)))
    assert [r[0] for r in results] == [200] * 8
    assert server.peak <= 2
    assert server.connections <= 2


async def test_garbage_from_the_service_is_broken(serve):
    async def handler(method, target, headers, body, conn):
        return b"NOT HTTP AT ALL\r\n\r\n"

    _, pool = await serve(handler)
    with pytest.raises(UpstreamBroken):
        await get(pool)


async def test_interim_responses_are_skipped(serve):
    async def handler(method, target, headers, body, conn):
        return b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n" + response(201, b"made")

    _, pool = await serve(handler)
    status, headers, body = await get(pool)
    assert (status, body) == (201, b"made")
    assert b"link" not in headers
