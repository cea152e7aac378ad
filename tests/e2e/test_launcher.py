"""`sop run` as a person runs it: everything that exists starts, the banner's example works,
and Ctrl-C stops every child, leaving no process behind."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ROOT = Path(__file__).resolve().parents[2]
PORTS = ("GATEWAY", "HR", "FINANCE", "PROCUREMENT", "PAYROLL", "ORACLE_LIKE", "SAP_LIKE")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sop_run_starts_everything_and_ctrl_c_stops_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    env.update({f"SOP_{name}_PORT": str(free_port()) for name in PORTS})
    env.update({"SOP_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"})
    gateway = f"http://127.0.0.1:{env['SOP_GATEWAY_PORT']}"
    log = tmp_path / "run.log"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sop_gateway.cli import main; main()", "run"],  # as `sop run`
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while "Ctrl-C stops everything" not in log.read_text():
            assert proc.poll() is None, log.read_text()[-4000:]
            assert time.monotonic() < deadline, log.read_text()[-4000:]
            time.sleep(0.3)
        output = log.read_text()
        example = re.search(r"TOKEN=\$\((.+?) token --tenant (\S+) --scope \"hr:read\"\)", output)
        assert example, output
        assert f"{gateway}/hr/v1/employees" in output
        children = [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", output)]
        assert len(children) >= 2  # at least HR and the gateway

        # The banner's command, as a person would paste it (uv may not be on their PATH).
        sop = shlex.split(example.group(1))
        token = subprocess.run(
            [*sop, "token", "--tenant", example.group(2), "--scope", "hr:read"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        r = httpx.get(
            f"{gateway}/hr/v1/employees", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert r.status_code == 200, (r.text, log.read_text()[-3000:])
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    tail = log.read_text()[-3000:]
    assert proc.returncode == 0, tail
    assert "sop run: stopped." in tail
    time.sleep(0.2)
    assert [pid for pid in children if alive(pid)] == [], tail
