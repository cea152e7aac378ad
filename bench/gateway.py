"""Gateway overhead: the same authenticated read (GET /hr/v1/employees/{id}) sent straight to
HR with an internal token and through the gateway with an OIDC token, at concurrency 1 and 32.
Prints one JSON object: requests/s, p50 and p99 for each, and the ratios.

Starts its own HR and gateway (uvloop + httptools) on free ports with SQLite in a temporary
directory; the load generator is a lean keep-alive HTTP/1.1 client so it takes as little of
the machine's two cores as it can from the servers it measures. Direct and gateway runs
alternate in short rounds so that other load on the machine falls on both alike; each
server's CPU time per request is reported too, as the figure least disturbed by that load."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARMUP_SECONDS = float(os.environ.get("BENCH_WARMUP", "1.5"))
RUN_SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
ROUNDS = 8
TENANT = "cabinet-office"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(factory: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing healthy on port {port}")


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; responses must carry Content-Length."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.need: int | None = None
        self.status = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.need is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[: end + 2]).lower()
            self.status = int(head[9:12])
            at = head.find(b"content-length:")
            length = int(head[at + 15 : head.find(b"\r\n", at)].strip() if at >= 0 else 0)
            self.need = end + 4 + length
        if len(self.buffer) >= self.need:
            del self.buffer[: self.need]
            self.need = None
            assert self.waiter is not None
            self.waiter.set_result(self.status)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionError("closed"))

    async def request(self, raw: bytes) -> int:
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


class Load:
    """Keep-alive connections to one server and the latencies measured over them."""

    def __init__(self, port: int, raw: bytes, concurrency: int) -> None:
        self.port, self.raw, self.concurrency = port, raw, concurrency
        self.latencies: list[float] = []
        self.elapsed = 0.0
        self.errors = 0

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        self.conns = [
            (await loop.create_connection(Connection, "127.0.0.1", self.port))[1]
            for _ in range(self.concurrency)
        ]

    async def run(self, seconds: float, record: bool = True) -> None:
        clock = time.perf_counter

        async def worker(conn: Connection, until: float) -> None:
            while True:
                started = clock()
                if started >= until:
                    return
                status = await conn.request(self.raw)
                if status != 200:
                    self.errors += 1
                if record:
                    self.latencies.append(clock() - started)

        began = clock()
        await asyncio.gather(*(worker(c, began + seconds) for c in self.conns))
        if record:
            self.elapsed += clock() - began

    def close(self) -> None:
        for c in self.conns:
            c.transport.close()

    def figures(self) -> dict[str, float]:
        lat = sorted(self.latencies)
        return {
            "requests_per_s": round(len(lat) / self.elapsed, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 3),
            "p99_ms": round(lat[int(len(lat) * 0.99) - 1] * 1000, 3),
            "requests": len(lat),
            "errors": self.errors,
        }


async def compare(
    direct: Load, gateway: Load, pids: dict[str, int]
) -> tuple[dict[str, float], dict[str, float]]:
    """Alternate short rounds of each (in swapped order every round), so a change in what
    else the machine is doing falls on both alike; CPU time is counted per server and mode."""
    cpu = {("direct", name): 0.0 for name in pids} | {("gateway", name): 0.0 for name in pids}
    for load in (direct, gateway):
        await load.open()
        await load.run(WARMUP_SECONDS, record=False)
    round_seconds = RUN_SECONDS / ROUNDS
    for i in range(ROUNDS):
        order = [("direct", direct), ("gateway", gateway)]
        for mode, load in order if i % 2 == 0 else order[::-1]:
            before = {name: cpu_seconds(pid) or 0.0 for name, pid in pids.items()}
            await load.run(round_seconds)
            for name, pid in pids.items():
                cpu[(mode, name)] += (cpu_seconds(pid) or 0.0) - before[name]
    results = []
    for mode, load in (("direct", direct), ("gateway", gateway)):
        load.close()
        figures = load.figures()
        for name in pids:
            if mode == "direct" and name == "gateway":
                continue
            per_request = cpu[(mode, name)] * 1000 / max(1, figures["requests"])
            figures[f"{name}_cpu_ms_per_request"] = round(per_request, 3)
        results.append(figures)
    return results[0], results[1]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux), to report each server's cost per request
    independently of what else the machine is doing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def uvloop_run(coro):
    import uvloop

    return uvloop.run(coro)


def request_bytes(port: int, path: str, token: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    ).encode()


async def prepare(env: dict[str, str]) -> tuple[str, str, str]:
    """Migrate, seed, provision the tenant in HR, create one employee; returns (path, external
    token, internal token)."""
    os.environ.update(env)
    import httpx

    from sop_gateway.cli import dev_token, local_tenants, migrate_all, seed_demo
    from sop_gateway.identity.internal import InternalTokens
    from sop_gateway.keys import ensure_keys, internal_signer
    from sop_gateway.settings import GatewaySettings
    from sop_gateway.tenants.provisioning import Actor

    settings = GatewaySettings()
    ensure_keys(settings)
    await migrate_all(
        [
            ("gateway", ROOT / "gateway" / "alembic.ini", settings.database_url),
            ("hr", ROOT / "services" / "hr" / "alembic.ini", env["SOP_HR_DATABASE_URL"]),
        ]
    )
    await seed_demo(settings)
    async with local_tenants({"hr": f"http://127.0.0.1:{env['SOP_HR_PORT']}"}) as (tenants, _):
        await tenants.provision(TENANT, Actor(subject="bench", client_id="bench"))
    external = await dev_token(TENANT, "hr:read hr:write", 3600)
    signer, _ = internal_signer(settings)
    internal = InternalTokens(signer).mint(
        audience="sop-hr",
        subject=f"{TENANT}-integrator",
        client_id=f"{TENANT}-integrator",
        tenant=TENANT,
        cluster="matrix",
        scopes=frozenset({"hr:read", "hr:write"}),
    )
    employee = {
        "employee_number": "B0001",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "home_region": "england",
        "start_date": "2024-04-01",
    }
    # Setup only: the measured load goes over the raw keep-alive client above.
    async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
        resp = await client.post(
            f"http://127.0.0.1:{env['SOP_HR_PORT']}/hr/v1/employees",
            json=employee,
            headers={"Authorization": f"Bearer {internal}"},
        )
    body = resp.json()
    if resp.status_code != 201:
        raise RuntimeError(f"could not create the employee: {resp.status_code} {body}")
    return f"/hr/v1/employees/{body['id']}", external, internal


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="sop-bench-"))
    hr_port, gw_port = free_port(), free_port()
    env = {
        **os.environ,
        "SOP_ENV": "development",
        "SOP_DATA_DIR": str(workdir),
        "SOP_LOG_JSON": "true",
        "SOP_HR_PORT": str(hr_port),
        "SOP_GATEWAY_PORT": str(gw_port),
        "SOP_HR_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'hr.db'}",
        "SOP_GATEWAY_SERVICES": '["hr"]',
        # The limiter stays on the path but must not be what is measured.
        "SOP_GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
        "SOP_GATEWAY_RATE_LIMIT_BURST": "1000000",
    }
    processes = []
    try:
        hr = serve("sop_hr.app:create_app", hr_port, env, workdir / "hr.log")
        processes.append(hr)
        wait_healthy(hr_port, hr)
        path, external, internal = uvloop_run(prepare(env))
        gateway = serve("sop_gateway.app:create_app", gw_port, env, workdir / "gateway.log")
        processes.append(gateway)
        wait_healthy(gw_port, gateway)

        results: dict[str, dict[str, dict[str, float]]] = {"direct": {}, "gateway": {}}
        pids = {"hr": hr.pid, "gateway": gateway.pid}
        for concurrency in (1, 32):
            key = f"c{concurrency}"
            direct = Load(hr_port, request_bytes(hr_port, path, internal), concurrency)
            through = Load(gw_port, request_bytes(gw_port, path, external), concurrency)
            results["direct"][key], results["gateway"][key] = uvloop_run(
                compare(direct, through, pids)
            )
        d, g = results["direct"], results["gateway"]
        figures = {
            "request": "GET /hr/v1/employees/{id} (HR native adapter, SQLite)",
            "seconds_measured_each": RUN_SECONDS,
            "rounds_interleaved": ROUNDS,
            **results,
            "ratios": {
                "throughput_c1": round(g["c1"]["requests_per_s"] / d["c1"]["requests_per_s"], 3),
                "throughput_c32": round(g["c32"]["requests_per_s"] / d["c32"]["requests_per_s"], 3),
                "added_p50_ms_c1": round(g["c1"]["p50_ms"] - d["c1"]["p50_ms"], 3),
                "added_p99_ms_c1": round(g["c1"]["p99_ms"] - d["c1"]["p99_ms"], 3),
            },
            "targets": {"throughput_c32": ">= 0.75", "added_p50_ms_c1": "<= 0.3"},
        }
        print(json.dumps(figures))
    finally:
        for proc in processes:
            proc.terminate()
        for proc in processes:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
