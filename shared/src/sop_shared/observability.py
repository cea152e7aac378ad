"""Request ids, W3C trace context, structured JSON logs and Prometheus metrics."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sop_shared.context import principal_var, request_id_var, trace_id_var, traceparent_var
from sop_shared.errors import RequestTimeout, problem_response, render_problem

# The status a request is logged and counted with when its client went away before an answer
# (nginx's "client closed request").
CLIENT_CLOSED = 499
# The scope key under which an HTTP protocol (the gateway's) tells `ClientGuard` that the
# request's body timed out: a `TimeoutFlag`.
TIMEOUT_KEY = "sop.client_timeout"

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def new_trace_id() -> str:
    return os.urandom(16).hex()


def new_span_id() -> str:
    return os.urandom(8).hex()


class RequestContextMiddleware:
    """Gives every request an `X-Request-ID` (kept if the caller sent a sane one) and a trace
    context (continuing `traceparent`), logs one access line, and records metrics."""

    def __init__(self, app: ASGIApp, *, service: str, metrics: Metrics) -> None:
        self.app = app
        self.service = service
        self.metrics = metrics
        self.log = logging.getLogger("sop.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        traceparent = ""
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                request_id = value.decode("latin-1")
            elif key == b"traceparent":
                traceparent = value.decode("latin-1")
        if not _REQUEST_ID.match(request_id):
            request_id = os.urandom(16).hex()
        match = _TRACEPARENT.match(traceparent)
        trace_id = match.group(1) if match else new_trace_id()
        flags = match.group(3) if match else "01"
        outgoing_traceparent = f"00-{trace_id}-{new_span_id()}-{flags}"
        request_id_var.set(request_id)
        trace_id_var.set(trace_id)
        traceparent_var.set(outgoing_traceparent)
        principal_var.set(None)
        started = time.perf_counter()
        status = 500
        rid = request_id.encode()

        started_response = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            # Answer here rather than in Starlette's outer error middleware, so even a crash
            # carries the request id; the client learns nothing of the cause.
            logging.getLogger("sop.errors").exception(
                "unhandled error on %s %s", scope["method"], scope["path"]
            )
            if started_response:
                raise
            response = problem_response(
                500, "An unexpected error occurred; quote the request id.", instance=scope["path"]
            )
            await send_wrapper(
                {"type": "http.response.start", "status": 500, "headers": response.raw_headers}
            )
            await send_wrapper({"type": "http.response.body", "body": response.body})
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope["method"], template, status, elapsed)
            if template not in ("/healthz", "/readyz", "/metrics"):
                self.log.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "http": {
                            "method": scope["method"],
                            "path": scope["path"],
                            "route": template,
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 3),
                        }
                    },
                )


class TimeoutFlag:
    """Set by the protocol when a request's body timed out; read by `ClientGuard`."""

    __slots__ = ("reason",)

    def __init__(self) -> None:
        self.reason: str | None = None


class ClientGuard:
    """ASGI middleware just inside `RequestContextMiddleware` (which logs and counts each
    request by the status it sees sent), used by every service and by the gateway, so that:

    - a request whose client went away before any answer is recorded as 499 (nginx's "client
      closed request"), not as the 500 an unanswered request would otherwise be, and the app's
      own reaction to the lost client (an exception, an answer nobody reads) is dropped;
    - a request whose body the protocol timed out (a `TimeoutFlag` at `TIMEOUT_KEY` in the
      scope, set by the gateway's protocol) is answered 408 `request-timeout` (and the
      connection closed), whatever the app was doing with the body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("sop.client")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        flag = scope.get(TIMEOUT_KEY)
        ended: str | None = None  # "gone" or "timeout": the app's answer goes nowhere
        started = False

        async def guarded_receive() -> Message:
            nonlocal ended
            if ended is not None:
                return {"type": "http.disconnect"}
            message = await receive()
            if flag is not None and flag.reason is not None and not started:
                ended = "timeout"
                return {"type": "http.disconnect"}
            if message["type"] == "http.disconnect" and not started:
                ended = "gone"
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if ended is not None and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except Exception:
            if ended is None or started:
                raise
            self.log.info(
                "%s %s: the app stopped once the client %s",
                scope["method"],
                scope["path"],
                "went away" if ended == "gone" else "timed out",
            )
        if ended is None or started:
            return
        if ended == "timeout":
            assert flag is not None
            response = render_problem(RequestTimeout(flag.reason), scope["path"])
            headers = [*response.raw_headers, (b"connection", b"close")]
            await send({"type": "http.response.start", "status": 408, "headers": headers})
            await send({"type": "http.response.body", "body": response.body})
        else:
            # Nobody reads this: it tells the request's log line and metrics what happened.
            await send({"type": "http.response.start", "status": CLIENT_CLOSED, "headers": []})
            await send({"type": "http.response.body", "body": b""})


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "sop_http_requests_total",
            "HTTP requests",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "sop_http_request_duration_seconds",
            "HTTP request latency",
            ["service", "method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.service = service

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(self.service, method, route, str(status)).inc()
        self.latency.labels(self.service, method, route).observe(seconds)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := request_id_var.get():
            entry["request_id"] = rid
        if tid := trace_id_var.get():
            entry["trace_id"] = tid
        if (who := principal_var.get()) is not None:
            entry["tenant"] = who.tenant
            entry["client_id"] = who.client_id
        if http := getattr(record, "http", None):
            entry["http"] = http
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str = "INFO", *, json_logs: bool = True) -> None:
    """Route the process's logs to stderr through one SOP handler (JSON or plain). Idempotent:
    called again (another app built in the same process, as tests do) it replaces only its own
    handler and leaves any other (pytest's capture, an embedding application's) alone."""
    root = logging.getLogger()
    for existing in [h for h in root.handlers if isinstance(h, SopLogHandler)]:
        root.removeHandler(existing)
    handler = SopLogHandler(sys.stderr)
    if json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class SopLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `configure_logging` installs, so it can find and replace its own (and the
    gateway can swap it for its batching subclass)."""
