"""The gateway's upstream HTTP/1.1 client: keep-alive connection pools on asyncio protocols
with httptools' C parser. A general-purpose client costs several times the CPU per request
that proxying needs (ADR 0102); this one writes the request in one syscall, parses in C, and
hands the body over as it arrives, with flow control both ways."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ssl
from collections.abc import AsyncIterator

import httptools

IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE"})
HIGH_WATER = 1024 * 1024  # pause reading from upstream when this much is unread
LOW_WATER = 256 * 1024


class UpstreamError(Exception):
    pass


class UpstreamUnreachable(UpstreamError):
    """No connection could be made (refused, unroutable, connect timeout)."""


class UpstreamTimeout(UpstreamError):
    """Connected, but the service did not answer (or stalled mid-body) in time."""


class UpstreamBroken(UpstreamError):
    """The service closed the connection or sent something that is not HTTP/1.1."""


class _Exchange:
    """One response as it arrives."""

    __slots__ = ("body", "buffered", "complete", "error", "headers", "ready", "status", "waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.ready: asyncio.Future[None] = loop.create_future()
        self.body: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.complete = False
        self.error: Exception | None = None
        self.waiter: asyncio.Future[None] | None = None

    def wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


def _time_out(exchange: _Exchange) -> None:
    if not exchange.ready.done():
        exchange.ready.set_exception(UpstreamTimeout("the service did not answer in time"))


class _Connection(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.exchange: _Exchange | None = None
        self.closed = False
        self.keep_alive = True
        self.received_any = False
        self.idle_since = 0.0
        self.reading_paused = False
        self._writable: asyncio.Future[None] | None = None

    # -- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received_any = True
        if self.exchange is None:  # bytes while idle: the connection cannot be trusted
            self.close()
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamBroken(f"invalid HTTP from upstream: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._writable is not None and not self._writable.done():
            self._writable.set_exception(UpstreamBroken("connection closed while sending"))
        self._fail(UpstreamBroken("the service closed the connection"))

    def pause_writing(self) -> None:
        self._writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    # -- httptools callbacks -----------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.exchange.headers.append((name, value))  # type: ignore[union-attr]

    def on_headers_complete(self) -> None:
        ex = self.exchange
        assert ex is not None
        ex.status = self.parser.get_status_code()
        if ex.status < 200:  # an interim response (we never send Expect): wait for the real one
            ex.headers = []
            return
        if not ex.ready.done():
            ex.ready.set_result(None)

    def on_body(self, body: bytes) -> None:
        ex = self.exchange
        assert ex is not None
        ex.body.append(body)
        ex.buffered += len(body)
        if ex.buffered > HIGH_WATER and not self.reading_paused and self.transport is not None:
            self.reading_paused = True
            self.transport.pause_reading()
        ex.wake()

    def on_message_complete(self) -> None:
        ex = self.exchange
        if ex is None or ex.status < 200:
            return
        self.keep_alive = self.parser.should_keep_alive()
        ex.complete = True
        if not ex.ready.done():
            ex.ready.set_result(None)
        ex.wake()

    # -- helpers --------------------------------------------------------------------------

    def _fail(self, error: Exception) -> None:
        ex = self.exchange
        if ex is None or ex.complete:
            return
        ex.error = error
        if not ex.ready.done():
            ex.ready.set_exception(error)
            ex.ready.exception()  # retrieved here, so asyncio never logs it as unhandled
        ex.wake()

    async def drain(self) -> None:
        if self._writable is not None:
            await self._writable

    def consumed(self, size: int) -> None:
        ex = self.exchange
        assert ex is not None
        ex.buffered -= size
        if self.reading_paused and ex.buffered < LOW_WATER and self.transport is not None:
            self.reading_paused = False
            self.transport.resume_reading()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class UpstreamResponse:
    """Status, headers (lower-case names) and the body, read whole or as it arrives. Release
    it (or read it to the end) so the connection goes back to the pool."""

    def __init__(self, pool: UpstreamPool, conn: _Connection, exchange: _Exchange) -> None:
        self._pool = pool
        self._conn = conn
        self._exchange = exchange
        self.status = exchange.status
        self.headers = exchange.headers
        self._released = False

    @property
    def content_length(self) -> int | None:
        for name, value in self.headers:
            if name.lower() == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return None
        return None

    async def chunks(self) -> AsyncIterator[bytes]:
        ex, conn = self._exchange, self._conn
        while True:
            if ex.body:
                chunk = ex.body.popleft()
                conn.consumed(len(chunk))
                yield chunk
                continue
            if ex.error is not None:
                raise ex.error
            if ex.complete:
                self.release()
                return
            ex.waiter = conn.loop.create_future()
            try:
                await asyncio.wait_for(ex.waiter, self._pool.read_timeout)
            except TimeoutError:
                self.release()
                raise UpstreamTimeout("the service stalled while sending its response") from None
            finally:
                ex.waiter = None

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.chunks()])

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._pool.give_back(self._conn, reusable=self._exchange.complete)


class UpstreamPool:
    """Keep-alive connections to one service, most recently used first. Connections idle for
    longer than `idle_timeout` (kept below the services' own keep-alive timeout) are dropped."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: bool = False,
        size: int = 256,
        connect_timeout: float = 3.0,
        read_timeout: float = 30.0,
        idle_timeout: float = 3.0,
    ) -> None:
        self.host = host
        self.port = port
        self.ssl = ssl.create_default_context() if tls else None
        self.read_timeout = read_timeout
        self.connect_timeout = connect_timeout
        self.idle_timeout = idle_timeout
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(size)

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Connection(loop), self.host, self.port, ssl=self.ssl
                ),
                self.connect_timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise UpstreamUnreachable(f"cannot connect to {self.host}:{self.port}: {exc}") from None
        return conn

    def _idle_connection(self) -> _Connection | None:
        now = asyncio.get_running_loop().time()
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed and now - conn.idle_since < self.idle_timeout:
                return conn
            conn.close()
        return None

    def give_back(self, conn: _Connection, *, reusable: bool) -> None:
        conn.exchange = None
        if reusable and conn.keep_alive and not conn.closed and not conn.reading_paused:
            conn.idle_since = conn.loop.time()
            conn.received_any = False
            self._idle.append(conn)
        else:
            conn.close()
        self._slots.release()

    async def request(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes | AsyncIterator[bytes] | None = None,
        content_length: int | None = None,
    ) -> UpstreamResponse:
        """Send one request. `headers` must not carry framing headers (Content-Length,
        Transfer-Encoding): they are set here from `body`."""
        head = [method, b" ", target, b" HTTP/1.1\r\n"]
        for name, value in headers:
            head += (name, b": ", value, b"\r\n")
        if isinstance(body, bytes):
            if body or method not in (b"GET", b"HEAD", b"OPTIONS", b"DELETE"):
                head += (b"content-length: ", str(len(body)).encode(), b"\r\n")
        elif body is not None:
            if content_length is not None:
                head += (b"content-length: ", str(content_length).encode(), b"\r\n")
            else:
                head.append(b"transfer-encoding: chunked\r\n")
        head.append(b"\r\n")
        preamble = b"".join(head)
        await self._slots.acquire()
        try:
            conn = self._idle_connection()
            reused = conn is not None
            if conn is None:
                conn = await self._connect()
            try:
                return await self._exchange(conn, method, preamble, body, content_length)
            except UpstreamBroken:
                # A kept-alive connection the service had just closed: the request never
                # reached it, so an idempotent request with a replayable body goes again.
                if not (reused and not conn.received_any and method in IDEMPOTENT):
                    raise
                if body is not None and not isinstance(body, bytes):
                    raise
                conn = await self._connect()
                return await self._exchange(conn, method, preamble, body, content_length)
        except BaseException:
            self._slots.release()
            raise

    async def _exchange(
        self,
        conn: _Connection,
        method: bytes,
        preamble: bytes,
        body: bytes | AsyncIterator[bytes] | None,
        content_length: int | None,
    ) -> UpstreamResponse:
        exchange = _Exchange(conn.loop)
        conn.exchange = exchange
        conn.parser = httptools.HttpResponseParser(conn)
        transport = conn.transport
        assert transport is not None
        try:
            if body is None or isinstance(body, bytes):
                transport.write(preamble + body if body else preamble)
            else:
                transport.write(preamble)
                chunked = content_length is None
                async for chunk in body:
                    if conn.closed:
                        raise UpstreamBroken("the service closed the connection mid-request")
                    transport.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                    await conn.drain()
                if chunked:
                    transport.write(b"0\r\n\r\n")
            # A timer rather than wait_for: no extra task or future per request.
            timer = conn.loop.call_later(self.read_timeout, _time_out, exchange)
            try:
                await exchange.ready
            finally:
                timer.cancel()
            if method == b"HEAD":
                # The parser cannot know a HEAD response has no body: take the headers and
                # retire the connection rather than wait for bytes that will never come.
                exchange.complete = True
                conn.keep_alive = False
        except BaseException:
            conn.close()
            raise
        return UpstreamResponse(self, conn, exchange)

    async def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()
        with contextlib.suppress(Exception):
            await asyncio.sleep(0)
