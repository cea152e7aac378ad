"""HR against real vendor processes: the real HR app in process (PostgreSQL, migrated), its
clusters bound to native, oracle_like and sap_like, and the two vendor simulators as real
processes on free ports (started once per test session and worker), for what needs a real
network and a backend that can fail: outages, slow backends and the supplier switch.

HR's API behaviour on every adapter is not checked here: HR's own suite (services/hr/tests)
runs each of its API tests on native, oracle_like and sap_like through its `adapter` fixture,
with the simulated suites in process."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sop_hr.app import create_app
from sop_hr.settings import HRSettings
from sop_shared.db import Database
from sop_shared.migrations import upgrade_async
from sop_shared.testing.tokens import TokenMinter

ROOT = Path(__file__).resolve().parents[2]
HR_TESTS = ROOT / "services" / "hr" / "tests"
HR_INI = ROOT / "services" / "hr" / "alembic.ini"

# Each adapter is the binding of one cluster (as in deploy/platform.yaml).
CLUSTERS = {"native": "matrix", "oracle_like": "synergy", "sap_like": "unity"}
SWITCHED_CLUSTERS = ("moving", "stalling")
IMPATIENT_SECONDS = 0.5
# Small enough that outage tests stay quick, large enough for a loaded CI machine.
TIMEOUT_SECONDS = 3.0
BREAKER_RESET_SECONDS = 1.0


def load_hr_test_module(name: str) -> ModuleType:
    """One of HR's own test modules (or its conftest), for its helpers (`Caller`)."""
    spec = importlib.util.spec_from_file_location(f"hr_tests_{name}", HR_TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hr_conftest = load_hr_test_module("conftest")
Caller = hr_conftest.Caller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Simulator:
    """A simulated vendor suite running as its own process, with its fault switches."""

    name: str
    factory: str
    env_prefix: str
    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SOP_")},
            "SOP_ENV": "test",
            f"{self.env_prefix}DATABASE_URL": (
                f"sqlite+aiosqlite:///{self.workdir / (self.name + '.sqlite3')}"
            ),
        }
        args = [sys.executable, "-m", "uvicorn", "--factory", self.factory]
        args += ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
        args += ["--timeout-graceful-shutdown", "1"]
        self.proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=self.log.open("ab"), stderr=subprocess.STDOUT
        )

    def wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} never became healthy: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    async def faults(self, **faults: Any) -> None:
        """Set the simulator's faults (latency_ms, error_rate, outage); none: healthy."""
        async with httpx.AsyncClient(base_url=self.url) as client:
            r = await client.put("/_sim/faults", json=faults)
            assert r.status_code == 200, r.text


@pytest.fixture(scope="session")
def mint(tmp_path_factory: pytest.TempPathFactory) -> TokenMinter:
    """A signing key of this suite's own, handed to its HR app explicitly: the kernel plugin's
    shares its JWKS file through SOP_INTERNAL_JWKS_FILE, which other suites' fixtures (the
    gateway's, publishing its own keys) may rewrite in the same worker."""
    return TokenMinter(tmp_path_factory.mktemp("conformance-keys"))


@pytest.fixture(scope="session")
def simulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Simulator]]:
    workdir = tmp_path_factory.mktemp("simulators")
    sims = {
        "oracle_like": Simulator(
            "oracle_like", "sop_oracle_like.app:create_app", "SOP_ORACLE_LIKE_", workdir
        ),
        "sap_like": Simulator("sap_like", "sop_sap_like.app:create_app", "SOP_SAP_LIKE_", workdir),
    }
    try:
        for sim in sims.values():
            sim.start()  # both at once: starting a Python process is most of the wait
        for sim in sims.values():
            sim.wait_healthy()
        yield sims
    finally:
        for sim in sims.values():
            sim.stop()


def binding_yaml(adapter: str, sim: Simulator | None, **extra: Any) -> str:
    if sim is None:
        return "{adapter: native}"
    credentials = (
        "username: hcm.integration, password: sop-dev-password"
        if adapter == "oracle_like"
        else "token: sop-dev-sap-token"
    )
    fields = {
        "timeout_seconds": TIMEOUT_SECONDS,
        "retries": 1,
        "breaker_failures": 5,
        "breaker_reset_seconds": BREAKER_RESET_SECONDS,
        **extra,
    }
    settings = ", ".join(f"{k}: {v}" for k, v in fields.items())
    return f"{{adapter: {adapter}, base_url: '{sim.url}', {credentials}, {settings}}}"


@pytest.fixture(scope="session")
def platform_file(
    tmp_path_factory: pytest.TempPathFactory, simulators: dict[str, Simulator]
) -> Path:
    """matrix, synergy and unity as deploy/platform.yaml binds them, but at the simulators'
    ports; the supplier switch's tests move clusters that start on oracle_like."""
    lines = ["clusters:"]
    for adapter, cluster in CLUSTERS.items():
        sim = simulators.get(adapter)
        lines.append(f"  {cluster}:\n    bindings:\n      hr: {binding_yaml(adapter, sim)}")
    oracle = simulators["oracle_like"]
    for name in SWITCHED_CLUSTERS:
        lines.append(f"  {name}:\n    bindings:\n      hr: {binding_yaml('oracle_like', oracle)}")
    for name in ("homegrown", "orphaned"):
        lines.append(f"  {name}:\n    bindings:\n      hr: {{adapter: native}}")
    for adapter, sim in simulators.items():
        # The same backends with little patience, for the tests of a slow backend.
        quick = binding_yaml(adapter, sim, timeout_seconds=IMPATIENT_SECONDS)
        lines.append(f"  impatient-{adapter}:\n    bindings:\n      hr: {quick}")
    path = tmp_path_factory.mktemp("platform") / "platform.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def hr_url(make_postgres_database: Any) -> str:
    url = await make_postgres_database("conformance")
    await upgrade_async(HR_INI, url)
    return url


def conformance_settings(url: str, mint: Any, platform_file: Path) -> HRSettings:
    return HRSettings(
        database_url=url,
        env="test",
        log_json=False,
        log_level="ERROR",
        internal_jwks_file=str(mint.jwks_file),
        platform_config=str(platform_file),
        binding_cache_seconds=0.2,
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def hr_app(hr_url: str, mint: Any, platform_file: Path) -> AsyncIterator[Any]:
    database = Database(hr_url)
    app = create_app(conformance_settings(hr_url, mint, platform_file), database=database)
    async with app.router.lifespan_context(app):  # closes the suites' clients at the end
        yield app


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def hr_client(hr_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hr_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hr") as client:
        yield client


@dataclass(frozen=True)
class Suite:
    """What the tests here need to know of the setup (test modules cannot import conftest)."""

    caller: Any = Caller
    clusters: dict[str, str] = field(default_factory=lambda: dict(CLUSTERS))
    timeout_seconds: float = TIMEOUT_SECONDS
    breaker_reset_seconds: float = BREAKER_RESET_SECONDS
    impatient_seconds: float = IMPATIENT_SECONDS


@pytest.fixture(scope="session")
def suite() -> Suite:
    return Suite()
