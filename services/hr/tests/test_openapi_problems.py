"""HR's OpenAPI document says what the service answers (schemathesis `--checks all` through
the gateway): every error is problem+json, a body that is not JSON is 400 and one that is not
valid 422, and a method a documented path does not have is 405 with the path's methods in
`Allow`. The app is built as in production; nothing here reaches its database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from sop_hr.app import create_app
from sop_hr.settings import HRSettings
from sop_shared.testing.openapi import (
    bodies_without_400_and_422,
    errors_not_problem_json,
    wrong_405s,
)
from sop_shared.testing.platform import native_platform


@pytest.fixture
def app(tmp_path, mint) -> FastAPI:
    settings = HRSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hr.db'}",
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(mint.jwks_file),
    )
    return create_app(settings, platform=native_platform(["matrix"], services=["hr"]))


@pytest_asyncio.fixture(loop_scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hr") as c:
        yield c
    await app.state.kernel.database.dispose()


def test_every_documented_error_is_problem_json(app: FastAPI) -> None:
    spec: dict[str, Any] = app.openapi()
    assert spec["paths"]
    assert errors_not_problem_json(spec) == []
    assert bodies_without_400_and_422(spec) == []
    assert "HTTPValidationError" not in spec["components"]["schemas"]


async def test_a_method_a_documented_path_lacks_is_405_with_its_methods(
    app: FastAPI, client: httpx.AsyncClient, mint: Any
) -> None:
    token = mint.headers(tenant="t-openapi", scopes="hr:read", audience="sop-hr")
    assert await wrong_405s(client, app.openapi(), headers=token) == []
