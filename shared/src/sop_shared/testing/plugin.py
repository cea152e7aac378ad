"""pytest plugin (`-p sop_shared.testing.plugin`): PostgreSQL and NATS (JetStream) per test
session and worker, internal-token minting, and a unique tenant per test so tests never see
each other's data."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, settings

from sop_shared.testing.nats import HOW_TO as NATS_HOW_TO
from sop_shared.testing.nats import NatsServer, check_jetstream_sync, nats_binary, start_nats
from sop_shared.testing.postgres import (
    PostgresServer,
    create_database,
    drop_database,
    start_postgres,
)
from sop_shared.testing.tokens import TokenMinter

# Property tests, bounded: `ci` (when CI is set) draws the same examples every run, so a red CI
# can be reproduced and a green one means the same thing twice; `dev` explores afresh each run;
# `thorough` (HYPOTHESIS_PROFILE=thorough) digs deeper before a release.
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nats_server() -> Iterator[NatsServer]:
    """NATS with JetStream: SOP_TEST_NATS_URL, else a server started from a binary (see
    `sop_shared.testing.nats`). Tests isolate by tenant (subjects) and consumer names."""
    try:
        server = start_nats()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        check_jetstream_sync(server.url)
    except RuntimeError as exc:
        server.stop()
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nats_url(nats_server: NatsServer) -> str:
    return nats_server.url


@pytest.fixture(scope="session")
def nats_server_binary() -> str:
    """A `nats-server` binary, for a test that stops and restarts a server of its own."""
    binary = nats_binary()
    if binary is None:
        pytest.fail(NATS_HOW_TO, pytrace=False)
    return binary


@pytest.fixture(scope="session")
def worker_id_suffix(request: pytest.FixtureRequest) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{worker}_{uuid.uuid4().hex[:6]}"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def make_postgres_database(
    postgres: PostgresServer, worker_id_suffix: str
) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """Creates an empty database named for the caller and this worker; dropped at the end."""
    made: list[str] = []

    async def make(label: str) -> str:
        name = f"sop_{label}_{worker_id_suffix}".lower()
        made.append(name)
        return await create_database(postgres, name)

    yield make
    for name in made:
        await drop_database(postgres, name)


@pytest.fixture(scope="session")
def mint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenMinter]:
    """Mints internal tokens; services under test read its JWKS via SOP_INTERNAL_JWKS_FILE."""
    minter = TokenMinter(tmp_path_factory.mktemp("keys"))
    previous = os.environ.get("SOP_INTERNAL_JWKS_FILE")
    os.environ["SOP_INTERNAL_JWKS_FILE"] = str(minter.jwks_file)
    yield minter
    if previous is None:
        os.environ.pop("SOP_INTERNAL_JWKS_FILE", None)
    else:
        os.environ["SOP_INTERNAL_JWKS_FILE"] = previous


@pytest.fixture
def tenant() -> str:
    """A fresh tenant slug: the test's data is its own."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def other_tenant() -> str:
    return f"o-{uuid.uuid4().hex[:12]}"


def repo_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "shared").is_dir():
            return parent
    return Path.cwd()
