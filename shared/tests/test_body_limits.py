"""Every service caps request bodies (BodyLimitMiddleware in create_service_app): a declared
length over the cap is refused before a byte is read, a streamed body as soon as it passes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter

from sop_shared.app import create_service_app
from sop_shared.db import Database
from sop_shared.settings import ServiceSettings
from sop_shared.testing.asgi import call_asgi

LIMIT = 1024
STORED: list[Any] = []

router = APIRouter()


@router.post("/things", status_code=201)
async def create(body: dict[str, Any]) -> dict[str, Any]:
    STORED.append(body)
    return body


@pytest.fixture
def app(tmp_path, mint):
    settings = ServiceSettings(
        service="limits",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'l.db'}",
        env="test",
        log_json=False,
        internal_jwks_file=str(mint.jwks_file),
        max_body_bytes=LIMIT,
    )
    STORED.clear()
    return create_service_app(
        settings=settings,
        title="Limits",
        description="limits",
        routers=[router],
        database=Database(settings.database_url),
    )


async def call(
    app: Any, chunks: list[bytes], headers: list[tuple[bytes, bytes]]
) -> tuple[int, dict[str, str], bytes, int]:
    """POST /things straight to the ASGI app: (status, headers, body, body bytes read)."""
    json = [(b"content-type", b"application/json"), *headers]
    return await call_asgi(app, "POST", "/things", chunks, json, host="svc")


def big_json(size: int) -> bytes:
    return b'{"x": "' + b"a" * size + b'"}'


async def test_declared_length_over_the_cap_is_refused_before_reading(app):
    body = big_json(LIMIT * 4)
    status, headers, _, read = await call(
        app, [body], [(b"content-length", str(len(body)).encode())]
    )
    assert status == 413
    assert headers["content-type"].startswith("application/problem+json")
    assert read == 0
    assert STORED == []


async def test_streamed_body_is_cut_off_once_past_the_cap(app):
    body = big_json(LIMIT * 8)
    chunks = [body[i : i + 256] for i in range(0, len(body), 256)]
    status, headers, _, read = await call(app, chunks, [])
    assert status == 413
    assert headers["content-type"].startswith("application/problem+json")
    assert read <= LIMIT + 256  # stopped reading at the first chunk past the cap
    assert STORED == []


async def test_bodies_within_the_cap_still_work(app):
    body = big_json(100)
    chunks = [body[:50], body[50:]]
    status, _, _, _ = await call(app, chunks, [])
    assert status == 201
    assert STORED == [{"x": "a" * 100}]
    status, _, _, _ = await call(app, [body], [(b"content-length", str(len(body)).encode())])
    assert status == 201
