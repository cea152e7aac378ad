"""A client that goes away before its answer is a client abort (499, nginx's "client closed
request") in the service's metrics and access log, not a server error (500) and not a logged
crash: the kernel wraps every service in the gateway's `ClientGuard`."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import APIRouter

from sop_shared.app import create_service_app
from sop_shared.db import Database
from sop_shared.settings import ServiceSettings
from sop_shared.testing.asgi import call_asgi

router = APIRouter()


@router.post("/things", status_code=201)
async def create(body: dict[str, Any]) -> dict[str, Any]:
    return body


@pytest.fixture
def app(tmp_path, mint):
    settings = ServiceSettings(
        service="aborts",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
        env="test",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
    )
    return create_service_app(
        settings=settings,
        title="Aborts",
        description="aborts",
        routers=[router],
        database=Database(settings.database_url),
    )


def counted(app: Any, status: int) -> float:
    value = app.state.kernel.metrics.registry.get_sample_value(
        "sop_http_requests_total",
        {"service": "aborts", "method": "POST", "route": "/things", "status": str(status)},
    )
    return value or 0.0


async def test_a_client_gone_before_the_answer_is_counted_499_not_500(app, mint, caplog):
    token = mint(tenant="t1", audience="sop-aborts")
    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", b"100"),
    ]
    caplog.set_level(logging.INFO)
    # No body at all: the first receive() tells the app the client disconnected.
    status, _, _, _ = await call_asgi(app, "POST", "/things", [], headers, host="svc")
    assert status == 499
    assert counted(app, 499) == 1
    assert counted(app, 500) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    lines = [r.getMessage() for r in caplog.records if r.name == "sop.access"]
    assert "POST /things 499" in lines


async def test_a_client_that_stays_is_answered_as_before(app, mint):
    token = mint(tenant="t1", audience="sop-aborts")
    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
    ]
    status, _, body, _ = await call_asgi(app, "POST", "/things", [b'{"a": 1}'], headers)
    assert (status, body) == (201, b'{"a":1}')
    assert counted(app, 201) == 1
