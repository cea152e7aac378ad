"""Cheaper per-request telemetry for the gateway's hot path: metric children looked up once
per label set, and log lines formatted and written in batches off the request path (errors
and warnings at once) rather than formatted and written one syscall per access line. The
formats are the kernel's."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import sys
from typing import Any, TextIO

from sop_shared.observability import Metrics, SopLogHandler

FLUSH_INTERVAL = 0.2
MAX_PENDING = 2000


class CachedMetrics(Metrics):
    def __init__(self, service: str) -> None:
        super().__init__(service)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(self.service, method, route, str(status)),
                self.latency.labels(self.service, method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


class BatchingHandler(SopLogHandler):
    """Keeps each record with a copy of its context (the kernel's formatter reads the request
    id, trace id and principal from context variables) and formats and writes the batch when a
    warning or worse arrives, when it grows large, or when `flush_soon` runs (every 0.2 s while
    the gateway serves): between requests, not during them."""

    def __init__(self, stream: TextIO, formatter: logging.Formatter | None) -> None:
        super().__init__(stream)
        self.setFormatter(formatter)
        self._pending: list[tuple[contextvars.Context, logging.LogRecord]] = []

    def emit(self, record: logging.LogRecord) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._pending.append((contextvars.copy_context(), record))
            urgent = record.levelno >= logging.WARNING or len(self._pending) >= MAX_PENDING
        if urgent:
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if not self._pending:
                return
            pending, self._pending = self._pending, []
        lines = []
        for context, record in pending:
            try:
                lines.append(context.run(self.format, record) + "\n")
            except Exception:
                self.handleError(record)
        with contextlib.suppress(Exception):
            self.stream.write("".join(lines))
            self.stream.flush()


def batch_logging() -> BatchingHandler | None:
    """Swap the kernel's root handler for a batching one; returns it (None if there is none).

    Also turns off, for the gateway's process, the record fields its log format never prints:
    the caller's file and line (a stack walk per record), thread and process names. These are
    the switches the Python logging HOWTO's "Optimization" section documents for this purpose
    (`logging._srcfile = None` included); they are process-wide, which is why only the gateway's
    own `create_app`, the process's entry point under uvicorn, calls this."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for index, handler in enumerate(root.handlers):
        if type(handler) is SopLogHandler:
            batching = BatchingHandler(handler.stream or sys.stderr, handler.formatter)
            batching.setLevel(handler.level)
            root.handlers[index] = batching
            return batching
    return None


async def flush_periodically(handler: BatchingHandler) -> None:
    try:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL)
            handler.flush()
    finally:
        handler.flush()
