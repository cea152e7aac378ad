"""Cheaper per-request telemetry for the gateway's hot path: metric children looked up once
per label set, and log lines written in batches (errors and warnings at once) rather than one
write syscall per access line. The formats are the kernel's."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from typing import Any, TextIO

from sop_shared.observability import Metrics

FLUSH_INTERVAL = 0.2
MAX_BUFFER = 64 * 1024


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


class BatchingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Formats as the handler it replaces; writes when a warning or worse arrives, when the
    batch is large, or when `flush_soon` runs (every 0.2 s while the gateway serves)."""

    def __init__(self, stream: TextIO, formatter: logging.Formatter | None) -> None:
        super().__init__(stream)
        self.setFormatter(formatter)
        self._batch: list[str] = []
        self._size = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + "\n"
        except Exception:
            self.handleError(record)
            return
        with self.lock:  # type: ignore[union-attr]
            self._batch.append(line)
            self._size += len(line)
            urgent = record.levelno >= logging.WARNING or self._size >= MAX_BUFFER
        if urgent:
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if not self._batch:
                return
            text, self._batch, self._size = "".join(self._batch), [], 0
        with contextlib.suppress(Exception):
            self.stream.write(text)
            self.stream.flush()


def batch_logging() -> BatchingHandler | None:
    """Swap the root stream handler for a batching one; returns it (None if there is none)."""
    logging._srcfile = None  # type: ignore[attr-defined]  # skip the per-record stack walk
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for index, handler in enumerate(root.handlers):
        if type(handler) is logging.StreamHandler:
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
