"""Batched log lines keep each request's own ids; cached metric children still count."""

from __future__ import annotations

import io
import json
import logging

from prometheus_client import generate_latest

from sop_gateway.telemetry import BatchingHandler, CachedMetrics
from sop_shared.context import request_id_var
from sop_shared.observability import JsonFormatter


def test_batched_lines_carry_the_context_they_were_logged_in():
    stream = io.StringIO()
    handler = BatchingHandler(stream, JsonFormatter())
    log = logging.getLogger("sop.test.batching")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        for rid in ("req-1", "req-2"):
            token = request_id_var.set(rid)
            log.info("served %s", rid)
            request_id_var.reset(token)
        assert stream.getvalue() == ""  # nothing written during requests
        handler.flush()
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert [(e["message"], e["request_id"]) for e in lines] == [
            ("served req-1", "req-1"),
            ("served req-2", "req-2"),
        ]
        log.warning("at once")
        assert json.loads(stream.getvalue().splitlines()[-1])["message"] == "at once"
    finally:
        log.removeHandler(handler)


def test_cached_metric_children_still_count():
    metrics = CachedMetrics("gateway")
    for _ in range(3):
        metrics.observe("GET", "/hr", 200, 0.001)
    metrics.observe("GET", "/hr", 429, 0.001)
    text = generate_latest(metrics.registry).decode()
    assert (
        'sop_http_requests_total{method="GET",route="/hr",service="gateway",status="200"} 3.0'
        in text
    )
    assert 'status="429"} 1.0' in text
