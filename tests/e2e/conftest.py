"""End-to-end fixtures: the real gateway, HR, payroll and a stand-in service as processes on free
ports (PostgreSQL databases from the kernel's plugin), and a test OIDC provider serving
discovery and JWKS for several issuers while counting every key fetch."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from joserfc.jwk import ECKey, RSAKey

from sop_gateway.testing import FakeOidcProvider
from sop_shared.testing import nats as testing_nats

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RATE_PER_SECOND = 20
RATE_BURST = 40
MAX_BODY = 2 * 1024 * 1024
UPSTREAM_TIMEOUT = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_idp() -> FakeOidcProvider:
    """`main` and `burst` are trusted platform-wide; `dept` and `dept2` are departments' own
    providers (each registered with one tenant by a test)."""
    return FakeOidcProvider(
        {
            "main": RSAKey.generate_key(2048, private=True, parameters={"kid": "main-1"}),
            "burst": RSAKey.generate_key(2048, private=True, parameters={"kid": "burst-1"}),
            "dept": ECKey.generate_key("P-256", private=True, parameters={"kid": "dept-1"}),
            "dept2": ECKey.generate_key("P-256", private=True, parameters={"kid": "dept2-1"}),
        }
    )


@dataclass
class Process:
    name: str
    factory: str
    port: int
    env: dict[str, str]
    log: Path
    app_dir: Path | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [sys.executable, "-m", "uvicorn", "--factory", self.factory]
        if self.app_dir:
            args += ["--app-dir", str(self.app_dir)]
        args += ["--host", "127.0.0.1", "--port", str(self.port), "--loop", "uvloop"]
        args += ["--http", "httptools", "--no-access-log", "--timeout-graceful-shutdown", "2"]
        self.proc = subprocess.Popen(
            args, env=self.env, cwd=ROOT, stdout=self.log.open("ab"), stderr=subprocess.STDOUT
        )

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                tail = self.log.read_text()[-3000:]
                raise RuntimeError(f"{self.name} exited:\n{tail}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} never became healthy: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Link:
    """A TCP relay between the gateway and a service, to cut and restore the service
    instantly: cut, it refuses new connections and drops open ones, exactly what the gateway
    sees when the service's process is gone (restarting a real process costs seconds)."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self.loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.restore()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def cut(self) -> None:
        async def go() -> None:
            if self._server is not None:
                self._server.close()
                self._server = None
            for writer in list(self._writers):
                writer.transport.abort()

        self._run(go())

    def restore(self) -> None:
        async def go() -> None:
            if self._server is None:
                self._server = await asyncio.start_server(
                    self._relay, "127.0.0.1", self.port, reuse_address=True
                )

        self._run(go())

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)


@dataclass
class Stack:
    idp: FakeOidcProvider
    gateway: Process
    hr: Process
    finance: Process
    payroll: Process
    standin: Process
    standin_link: Link
    env: dict[str, str]
    workdir: Path
    max_body: int = MAX_BODY

    @property
    def url(self) -> str:
        return self.gateway.url

    def admin_headers(self) -> dict[str, str]:
        token = self.idp.token(scope="platform:admin", sub="ops-1", client_id="ops-console")
        return {"Authorization": f"Bearer {token}"}

    def tenant_headers(
        self, tenant: str, scope: str = "hr:read hr:write", **claims: Any
    ) -> dict[str, str]:
        claims.setdefault("client_id", f"{tenant}-app")
        token = self.idp.token(sop_tenant=tenant, scope=scope, **claims)
        return {"Authorization": f"Bearer {token}"}

    async def onboard(
        self,
        client: httpx.AsyncClient,
        *,
        cluster: str = "matrix",
        issuer: dict[str, Any] | None = None,
    ) -> str:
        slug = f"t-{uuid.uuid4().hex[:10]}"
        body: dict[str, Any] = {"slug": slug, "name": f"Department {slug}", "cluster": cluster}
        if issuer is not None:
            body["issuer"] = issuer
        r = await client.post("/platform/v1/tenants", json=body, headers=self.admin_headers())
        assert r.status_code == 201, r.text
        return slug


PLATFORM_YAML = """
services:
  hr: {{url: "http://127.0.0.1:{hr}"}}
  finance: {{url: "http://127.0.0.1:{finance}"}}
  payroll:
    url: "http://127.0.0.1:{payroll}"
    # Clients for token exchange (test_token_exchange.py); payroll may write HR records here,
    # so a change it makes for a person is audited.
    client:
      jwks_file: "${{SOP_DATA_DIR}}/keys/payroll-client-jwks.json"
      scopes: "hr:read hr:write hr:sensitive"
      scheduled: true
  procurement:
    url: "http://127.0.0.1:{standin}"
    client:
      jwks_file: "${{SOP_DATA_DIR}}/keys/procurement-client-jwks.json"
      scopes: "hr:read"
clusters:
  matrix:
    description: native everything
    bindings:
      hr: {{adapter: native}}
      finance: {{adapter: native}}
      payroll: {{adapter: native}}
  defence:
    description: native HR, finance and payroll
    bindings:
      hr: {{adapter: native}}
      finance: {{adapter: native}}
      payroll: {{adapter: native}}
identity:
  audience: sop-api
  issuers:
    - issuer: "{main}"
    - issuer: "{burst}"
"""


def start_relay(service: str, env: dict[str, str], log: Any) -> subprocess.Popen[bytes]:
    """A service's relay, as `sop run` starts it: publishes its outbox to the stack's NATS."""
    return subprocess.Popen(
        [sys.executable, "-m", "sop_shared.events.relay", "--service", service],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, make_postgres_database: Any
) -> AsyncIterator[Stack]:
    from sop_gateway.keys import ensure_keys
    from sop_gateway.seed import seed
    from sop_gateway.settings import GatewaySettings
    from sop_shared.db import Database
    from sop_shared.migrations import upgrade_async
    from sop_shared.platform_config import load_platform_config

    workdir = tmp_path_factory.mktemp("e2e")
    idp = make_idp()
    gw_port, hr_port, standin_port = free_port(), free_port(), free_port()
    payroll_port, finance_port = free_port(), free_port()
    link = Link(standin_port)
    gateway_db = await make_postgres_database("e2e_gateway")
    hr_db = await make_postgres_database("e2e_hr")
    payroll_db = await make_postgres_database("e2e_payroll")
    finance_db = await make_postgres_database("e2e_finance")
    # A NATS server of the stack's own: the services' durable consumers are named, and another
    # worker's stack on a shared server would take half their messages.
    nats_binary = testing_nats.nats_binary()
    if nats_binary is None:
        pytest.fail(testing_nats.HOW_TO, pytrace=False)
    nats = testing_nats.own_server(nats_binary, workdir / "nats")
    nats.start()
    config = workdir / "platform.yaml"
    config.write_text(
        PLATFORM_YAML.format(
            hr=hr_port,
            finance=finance_port,
            payroll=payroll_port,
            standin=link.port,
            main=idp.issuer("main"),
            burst=idp.issuer("burst"),
        )
    )
    keys = workdir / "keys"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOP_")},
        "SOP_ENV": "development",
        "SOP_DATA_DIR": str(workdir),
        "SOP_PLATFORM_CONFIG": str(config),
        "SOP_INTERNAL_JWKS_FILE": str(keys / "internal-jwks.json"),
        "SOP_GATEWAY_PORT": str(gw_port),
        "SOP_GATEWAY_DATABASE_URL": gateway_db,
        "SOP_GATEWAY_RATE_LIMIT_PER_SECOND": str(RATE_PER_SECOND),
        "SOP_GATEWAY_RATE_LIMIT_BURST": str(RATE_BURST),
        "SOP_GATEWAY_MAX_BODY_BYTES": str(MAX_BODY),
        "SOP_GATEWAY_UPSTREAM_TIMEOUT_SECONDS": str(UPSTREAM_TIMEOUT),
        "SOP_GATEWAY_OPENAPI_CACHE_SECONDS": "2",
        "SOP_HR_PORT": str(hr_port),
        "SOP_HR_DATABASE_URL": hr_db,
        "SOP_FINANCE_PORT": str(finance_port),
        "SOP_FINANCE_DATABASE_URL": finance_db,
        "SOP_NATS_URL": nats.url,
        "SOP_PAYROLL_PORT": str(payroll_port),
        "SOP_PAYROLL_DATABASE_URL": payroll_db,
        "SOP_STANDIN_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'standin.db'}",
        "SOP_LOG_JSON": "true",
    }
    settings = GatewaySettings(
        env="development",
        port=gw_port,
        database_url=gateway_db,
        platform_config=str(config),
        key_dir=str(keys),
        internal_jwks_file=str(keys / "internal-jwks.json"),
    )
    ensure_keys(settings)  # before HR starts, so it finds the gateway's public keys
    await upgrade_async(ROOT / "gateway" / "alembic.ini", gateway_db)
    await upgrade_async(ROOT / "services" / "hr" / "alembic.ini", hr_db)
    await upgrade_async(ROOT / "services" / "payroll" / "alembic.ini", payroll_db)
    await upgrade_async(ROOT / "services" / "finance" / "alembic.ini", finance_db)
    database = Database(gateway_db)
    await seed(database, settings, load_platform_config(config))
    await database.dispose()

    hr = Process("hr", "sop_hr.app:create_app", hr_port, env, workdir / "hr.log")
    finance = Process(
        "finance", "sop_finance.app:create_app", finance_port, env, workdir / "finance.log"
    )
    payroll = Process(
        "payroll", "sop_payroll.app:create_app", payroll_port, env, workdir / "payroll.log"
    )
    standin = Process(
        "standin", "standin:create_app", standin_port, env, workdir / "standin.log", HERE
    )
    gateway = Process(
        "gateway", "sop_gateway.app:create_app", gw_port, env, workdir / "gateway.log"
    )
    started = [hr, finance, payroll, standin, gateway]
    relay_log = (workdir / "relay-hr.log").open("wb")
    relay = start_relay("hr", env, relay_log)
    try:
        hr.start()
        finance.start()
        payroll.start()
        standin.start()
        gateway.start()
        for proc in started:
            await asyncio.to_thread(proc.wait_healthy)
        yield Stack(
            idp=idp,
            gateway=gateway,
            hr=hr,
            finance=finance,
            payroll=payroll,
            standin=standin,
            standin_link=link,
            env=env,
            workdir=workdir,
        )
    finally:
        relay.terminate()
        try:
            relay.wait(timeout=10)
        except subprocess.TimeoutExpired:
            relay.kill()
        relay_log.close()
        for proc in reversed(started):
            proc.stop()
        nats.stop()
        link.close()
        idp.close()


@pytest_asyncio.fixture(loop_scope="session")
async def client(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as c:
        yield c


# --- procurement with the real finance ----------------------------------------------------------
# The stack above routes /procurement to the stand-in (the routing, outage and tenancy tests
# are written against it), so procurement runs in a stack of its own: a gateway, finance and
# procurement, procurement's client allowed `finance:read finance:write` by token exchange.

PROCUREMENT_PLATFORM_YAML = """
services:
  finance: {{url: "http://127.0.0.1:{finance}"}}
  procurement:
    url: "http://127.0.0.1:{procurement}"
    client:
      jwks_file: "${{SOP_DATA_DIR}}/keys/procurement-client-jwks.json"
      scopes: "finance:read finance:write"
clusters:
  matrix:
    description: native finance and procurement
    bindings:
      finance: {{adapter: native}}
      procurement: {{adapter: native}}
identity:
  audience: sop-api
  issuers:
    - issuer: "{main}"
"""


@dataclass
class ProcurementStack:
    idp: FakeOidcProvider
    gateway: Process
    finance: Process
    procurement: Process
    workdir: Path

    @property
    def url(self) -> str:
        return self.gateway.url

    def admin_headers(self) -> dict[str, str]:
        token = self.idp.token(scope="platform:admin", sub="ops-1", client_id="ops-console")
        return {"Authorization": f"Bearer {token}"}

    def tenant_headers(self, tenant: str, scope: str, **claims: Any) -> dict[str, str]:
        claims.setdefault("client_id", f"{tenant}-app")
        token = self.idp.token(sop_tenant=tenant, scope=scope, **claims)
        return {"Authorization": f"Bearer {token}"}

    async def onboard(self, client: httpx.AsyncClient) -> str:
        slug = f"t-{uuid.uuid4().hex[:10]}"
        body = {"slug": slug, "name": f"Department {slug}", "cluster": "matrix"}
        r = await client.post("/platform/v1/tenants", json=body, headers=self.admin_headers())
        assert r.status_code == 201, r.text
        return slug


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def procurement_stack(
    tmp_path_factory: pytest.TempPathFactory, make_postgres_database: Any
) -> AsyncIterator[ProcurementStack]:
    from sop_gateway.keys import ensure_keys
    from sop_gateway.seed import seed
    from sop_gateway.settings import GatewaySettings
    from sop_shared.db import Database
    from sop_shared.migrations import upgrade_async
    from sop_shared.platform_config import load_platform_config

    workdir = tmp_path_factory.mktemp("e2e-procurement")
    idp = make_idp()
    gw_port, finance_port, procurement_port = free_port(), free_port(), free_port()
    gateway_db = await make_postgres_database("e2e_p_gateway")
    finance_db = await make_postgres_database("e2e_p_finance")
    procurement_db = await make_postgres_database("e2e_p_procurement")
    config = workdir / "platform.yaml"
    config.write_text(
        PROCUREMENT_PLATFORM_YAML.format(
            finance=finance_port, procurement=procurement_port, main=idp.issuer("main")
        )
    )
    keys = workdir / "keys"
    gateway_url = f"http://127.0.0.1:{gw_port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOP_")},
        "SOP_ENV": "development",
        "SOP_DATA_DIR": str(workdir),
        "SOP_PLATFORM_CONFIG": str(config),
        "SOP_INTERNAL_JWKS_FILE": str(keys / "internal-jwks.json"),
        "SOP_GATEWAY_PORT": str(gw_port),
        "SOP_GATEWAY_URL": gateway_url,
        "SOP_GATEWAY_PUBLIC_URL": gateway_url,
        "SOP_GATEWAY_DATABASE_URL": gateway_db,
        "SOP_GATEWAY_OPENAPI_CACHE_SECONDS": "2",
        "SOP_FINANCE_PORT": str(finance_port),
        "SOP_FINANCE_DATABASE_URL": finance_db,
        "SOP_PROCUREMENT_PORT": str(procurement_port),
        "SOP_PROCUREMENT_DATABASE_URL": procurement_db,
        "SOP_LOG_JSON": "true",
    }
    settings = GatewaySettings(
        env="development",
        port=gw_port,
        database_url=gateway_db,
        platform_config=str(config),
        key_dir=str(keys),
        internal_jwks_file=str(keys / "internal-jwks.json"),
    )
    ensure_keys(settings)  # before the services start, so they find the gateway's public keys
    await upgrade_async(ROOT / "gateway" / "alembic.ini", gateway_db)
    await upgrade_async(ROOT / "services" / "finance" / "alembic.ini", finance_db)
    await upgrade_async(ROOT / "services" / "procurement" / "alembic.ini", procurement_db)
    database = Database(gateway_db)
    await seed(database, settings, load_platform_config(config))
    await database.dispose()

    finance = Process(
        "finance", "sop_finance.app:create_app", finance_port, env, workdir / "finance.log"
    )
    procurement = Process(
        "procurement",
        "sop_procurement.app:create_app",
        procurement_port,
        env,
        workdir / "procurement.log",
    )
    gateway = Process(
        "gateway", "sop_gateway.app:create_app", gw_port, env, workdir / "gateway.log"
    )
    started = [finance, procurement, gateway]
    try:
        for proc in started:
            proc.start()
        for proc in started:
            await asyncio.to_thread(proc.wait_healthy)
        yield ProcurementStack(
            idp=idp, gateway=gateway, finance=finance, procurement=procurement, workdir=workdir
        )
    finally:
        for proc in reversed(started):
            proc.stop()
        idp.close()
