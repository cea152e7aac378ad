"""Every service's OpenAPI document says what the service answers (schemathesis `--checks all`
through the gateway found otherwise): every error is problem+json, a body that is not JSON is 400
and one that is not valid 422, and a method a documented path does not have is 405 with the
path's methods in `Allow`. Each app is built as in production; nothing here reaches a database.
Services are found like tests/test_layout.py finds them, so a new one is held to this too."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from sop_shared.testing.openapi import (
    bodies_without_400_and_422,
    errors_not_problem_json,
    wrong_405s,
)
from sop_shared.testing.platform import native_platform

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(
    p.name for p in (ROOT / "services").iterdir() if (p / "src" / f"sop_{p.name}").is_dir()
)


@pytest.fixture(params=SERVICES)
def app(request: pytest.FixtureRequest, tmp_path: Path, mint: Any) -> FastAPI:
    service = request.param
    settings_module = importlib.import_module(f"sop_{service}.settings")
    settings_class = next(
        value
        for name, value in vars(settings_module).items()
        if name.endswith("Settings")
        and getattr(value, "__module__", "") == settings_module.__name__
    )
    settings = settings_class(
        database_url=f"sqlite+aiosqlite:///{tmp_path / service}.db",
        env="test",
        log_json=False,
        log_level="WARNING",
        internal_jwks_file=str(mint.jwks_file),
    )
    create_app = importlib.import_module(f"sop_{service}.app").create_app
    made: FastAPI = create_app(settings, platform=native_platform(["matrix"], services=[service]))
    made.state.sop_service = service
    return made


@pytest_asyncio.fixture(loop_scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as c:
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
    service = app.state.sop_service
    token = mint.headers(tenant="t-openapi", scopes=f"{service}:read", audience=f"sop-{service}")
    assert await wrong_405s(client, app.openapi(), headers=token) == []
