"""How the gateway is served: uvicorn with `GatewayHttpProtocol`, its httptools protocol plus
the client timeouts uvicorn lacks (it has only the keep-alive one). `python -m sop_gateway`
uses it; under the uvicorn command line, `--http sop_gateway.server:GatewayHttpProtocol`.

- Headers: the request line and headers must arrive within `header_timeout` of the connection
  opening (or of the next request's first byte on a kept-alive connection). A connection that
  sent nothing is closed; one part-way through its headers gets 408 `request-timeout`. More
  header bytes than the gateway's header cap (plus room for the request line) get 431 at once,
  before they are buffered.
- Body: a body may pause at most `body_timeout`, and once that long has passed it must average
  at least `min_body_rate` bytes a second (time while the gateway itself is not reading is not
  counted). A body timed out before any answer is answered 408 by the kernel's `ClientGuard`
  (`sop_shared.observability`), so it is logged and counted as 408; after an answer the
  connection is simply closed.
- Idle: a kept-alive connection idle for `keep_alive_timeout` is closed (uvicorn's timer).

Timeouts are counted in `sop_gateway_request_timeouts_total{phase}` (served by `/metrics`)."""

from __future__ import annotations

import asyncio
import functools
import http
import logging
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from sop_shared.errors import HeadersTooLarge, Problem, RequestTimeout, render_problem
from sop_shared.observability import TIMEOUT_KEY, TimeoutFlag

log = logging.getLogger("sop.gateway.server")

# The request line (method, target, version) may add this much to the header cap.
REQUEST_LINE_ALLOWANCE = 8 * 1024
# How long the app has to answer 408 once a body timed out, before the connection is cut.
ANSWER_GRACE = 5.0

REGISTRY = CollectorRegistry()
TIMEOUTS = Counter(
    "sop_gateway_request_timeouts_total",
    "Requests cut off because the client was too slow (headers, body) or sent too much",
    ["phase"],
    registry=REGISTRY,
)


@dataclass(frozen=True)
class ClientLimits:
    header_timeout: float = 10.0
    body_timeout: float = 15.0
    min_body_rate: float = 1024.0  # bytes a second, once body_timeout has passed
    keep_alive_timeout: float = 5.0
    max_header_bytes: int = 32 * 1024

    @classmethod
    def from_settings(cls, settings: Any) -> ClientLimits:
        return cls(
            header_timeout=settings.header_timeout_seconds,
            body_timeout=settings.body_timeout_seconds,
            min_body_rate=settings.min_body_bytes_per_second,
            keep_alive_timeout=settings.keep_alive_timeout_seconds,
            max_header_bytes=settings.max_header_bytes,
        )


@functools.cache
def limits_from_environment() -> ClientLimits:
    from sop_gateway.settings import GatewaySettings

    return ClientLimits.from_settings(GatewaySettings())


# Where a connection is in its current request.
_HEADERS, _BODY, _DONE = 0, 1, 2


class GatewayHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header, body and minimum-rate timeouts and an early
    cap on header bytes (see the module's docstring). `limits` None: from the environment's
    gateway settings."""

    limits: ClientLimits | None = None

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.client_limits = type(self).limits or limits_from_environment()
        self.timeout_keep_alive = self.client_limits.keep_alive_timeout  # type: ignore[assignment]
        self._max_head = self.client_limits.max_header_bytes + REQUEST_LINE_ALLOWANCE
        self._check_every = min(1.0, self.client_limits.body_timeout / 4)
        self._phase = _HEADERS
        self._request_begun = False
        self._head_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body_bytes = 0
        self._body_since = 0.0  # when the body began, shifted by time the gateway was not reading
        self._body_last = 0.0  # when body bytes last arrived
        self._body_checked = 0.0

    # -- connection ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        self._cancel_body_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase != _BODY:
            # A request's headers (or blank lines before the next one): on the clock.
            self._phase = _HEADERS
            if self._header_timer is None:
                self._arm_header_timer()
            self._head_bytes += len(data)
        super().data_received(data)
        if (
            self._phase == _HEADERS
            and self._head_bytes > self._max_head
            and not self.transport.is_closing()
        ):
            self._refuse(
                HeadersTooLarge(f"the request headers exceed {self._max_head} bytes"), "too_large"
            )

    # -- parser callbacks ------------------------------------------------------------------

    def on_message_begin(self) -> None:
        # A pipelined request may begin in the same read that ended the one before it.
        self._phase = _HEADERS
        self._request_begun = True
        if self._header_timer is None:
            self._arm_header_timer()
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        self._phase = _BODY
        now = self.loop.time()
        self._body_bytes = 0
        self._body_since = self._body_last = self._body_checked = now
        flag = TimeoutFlag()
        self.scope[TIMEOUT_KEY] = flag  # type: ignore[literal-required]
        super().on_headers_complete()
        self._body_timer = self.loop.call_later(self._check_every, self._check_body)

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        self._body_last = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._cancel_body_timer()
        self._phase = _DONE
        self._request_begun = False
        self._head_bytes = 0
        super().on_message_complete()

    # -- timers ----------------------------------------------------------------------------

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(
            self.client_limits.header_timeout, self._headers_timed_out
        )

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _headers_timed_out(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        busy = self.cycle is not None and not self.cycle.response_complete
        if not self._request_begun or busy:
            # Nothing asked (an idle connection), or an answer still on its way: just close.
            self.transport.close()
            return
        limit = self.client_limits.header_timeout
        self._refuse(RequestTimeout(f"the request headers took over {limit:g} s"), "headers")

    def _check_body(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self._phase != _BODY:
            return
        limits = self.client_limits
        now = self.loop.time()
        cycle = self.cycle
        if self.flow.read_paused or (cycle is not None and cycle.waiting_for_100_continue):
            # The gateway is not reading (yet): the client cannot be blamed for this time.
            waited = now - self._body_checked
            self._body_since += waited
            self._body_last = now
        elif now - self._body_last > limits.body_timeout:
            self._body_timed_out(f"the request body paused for over {limits.body_timeout:g} s")
            return
        else:
            elapsed = now - self._body_since
            owed = limits.min_body_rate * (elapsed - limits.body_timeout)
            if owed > 0 and self._body_bytes < owed:
                self._body_timed_out(
                    f"the request body arrived slower than {limits.min_body_rate:g} bytes a second"
                )
                return
        self._body_checked = now
        self._body_timer = self.loop.call_later(self._check_every, self._check_body)

    def _body_timed_out(self, detail: str) -> None:
        TIMEOUTS.labels("body").inc()
        log.info("client too slow: %s", detail, extra={"http": self._http_fields(408)})
        cycle = self.cycle
        flag = self.scope.get(TIMEOUT_KEY) if self.scope else None
        if (
            cycle is not None
            and isinstance(flag, TimeoutFlag)
            and not cycle.response_started
            and not cycle.disconnected
        ):
            # The app is (or will be) waiting for body: `ClientGuard` answers 408 and ends it.
            flag.reason = detail
            cycle.keep_alive = False
            cycle.message_event.set()
            self.loop.call_later(ANSWER_GRACE, self._close_unless_answered, cycle)
        else:
            self.transport.close()

    def _close_unless_answered(self, cycle: Any) -> None:
        if not cycle.response_complete and not self.transport.is_closing():
            self.transport.close()

    # -- answers the protocol gives itself ---------------------------------------------------

    def _refuse(self, problem: Problem, phase: str) -> None:
        """Answer a request the app never saw (its headers never arrived whole) and close."""
        TIMEOUTS.labels(phase).inc()
        self._cancel_header_timer()
        log.info(
            "refused before the headers ended: %s",
            problem.detail,
            extra={"http": self._http_fields(problem.status)},
        )
        response = render_problem(problem, None)
        phrase = http.HTTPStatus(problem.status).phrase
        head = [f"HTTP/1.1 {problem.status} {phrase}\r\n".encode()]
        for name, value in [
            *self.server_state.default_headers,
            *response.raw_headers,
            (b"connection", b"close"),
        ]:
            head += [name, b": ", value, b"\r\n"]
        self.transport.write(b"".join(head) + b"\r\n" + bytes(response.body))
        self.transport.close()
        self._phase = _DONE

    def _http_fields(self, status: int) -> dict[str, Any]:
        client = self.client
        return {"status": status, "client": client[0] if client else None}


def gateway_protocol(limits: ClientLimits) -> type[GatewayHttpProtocol]:
    """The protocol class with these limits (for an embedded server, as the tests run one)."""
    return type("GatewayHttpProtocol", (GatewayHttpProtocol,), {"limits": limits})
