"""docs/onboarding.md's walk-through, run as written: every block marked `sh onboarding`, in
order and in one shell (`curl`, `jq`, `openssl`), against the real gateway, HR, finance and
payroll of the `stack` fixture, with its development identity provider. What each block prints
must be the `#>` lines under it (the document's `dwp` read as this run's slug), so the document
cannot drift from the platform."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "onboarding.md"
BLOCK = re.compile(r"^```sh onboarding\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MARK = "::onboarding-step::"
TOOLS = ("bash", "curl", "jq", "openssl")
REDIRECT = "http://127.0.0.1/callback"


def steps() -> list[str]:
    found = BLOCK.findall(DOC.read_text())
    assert len(found) >= 6, "the walk-through's blocks are marked ```sh onboarding"
    return found


def expected(block: str, slug: str) -> list[str]:
    return [
        line.removeprefix("#>").strip().replace('"dwp"', f'"{slug}"').replace("@dwp", f"@{slug}")
        for line in block.splitlines()
        if line.startswith("#>")
    ]


async def wait_until_ready(url: str, services: set[str]) -> None:
    """Until the gateway holds every service's OpenAPI document: before that it knows no
    operation's finer scope (`finance:approve` on a journal's approval) and asks for write."""
    deadline = time.monotonic() + 20
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while True:
            r = await client.get("/readyz")
            if r.status_code == 200 and services <= set(r.json()["services"]):
                return
            assert time.monotonic() < deadline, f"the gateway is not ready: {r.text}"
            await asyncio.sleep(0.2)


def test_the_blocks_are_found_and_state_what_they_print():
    blocks = steps()
    assert sum(1 for b in blocks if expected(b, "x")) >= 5
    for needed in ("/platform/v1/tenants", "/hr/v1/org-units", "/hr/v1/employees/imports"):
        assert any(needed in b for b in blocks), needed
    for needed in ("/finance/v1/journals", "/payroll/v1/calculations/payslip"):
        assert any(needed in b for b in blocks), needed


async def test_the_onboarding_walkthrough_runs_as_written(stack, tmp_path):
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.fail(f"the walk-through needs {', '.join(missing)} on PATH", pytrace=False)
    await wait_until_ready(stack.url, {"hr", "finance", "payroll"})
    blocks = steps()
    slug = f"t-{uuid.uuid4().hex[:10]}"
    script = ["set -euo pipefail"]
    for number, block in enumerate(blocks):
        script += [f"echo '{MARK}{number}'", block]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP")}
    env.update({"SOP": stack.url, "SLUG": slug})
    done = await asyncio.to_thread(
        subprocess.run,
        ["bash", "-c", "\n".join(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    printed = done.stdout.split(f"{MARK}")[1:]
    reached = len(printed) - 1
    assert done.returncode == 0, (
        f"step {reached} failed (exit {done.returncode}):\n{blocks[reached]}\n"
        f"stdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-2000:]}"
    )
    assert len(printed) == len(blocks)
    for number, (block, output) in enumerate(zip(blocks, printed, strict=True)):
        lines = output.splitlines()
        assert lines[0] == str(number)
        assert lines[1:] == expected(block, slug), f"step {number} printed otherwise:\n{block}"


def sign_in(url: str, username: str) -> httpx.Response:
    """The authorization-code flow with PKCE, as `sop_login` in the document runs it."""
    verifier = secrets.token_urlsafe(40)
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    with httpx.Client(base_url=url, timeout=10) as client:
        r = client.post(
            "/idp/authorize",
            data={
                "response_type": "code",
                "client_id": "sop-web",
                "redirect_uri": REDIRECT,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "username": username,
                "password": "demo",
            },
        )
        assert r.status_code == 302, r.text
        code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
        exchange = {"grant_type": "authorization_code", "client_id": "sop-web", "code": code}
        return client.post(
            "/idp/token", data={**exchange, "redirect_uri": REDIRECT, "code_verifier": verifier}
        )


async def test_sop_tenants_onboard_gives_the_department_its_officer_and_approver(stack):
    """The CLI onboards through the same API, so its tenant starts with the same people."""
    slug = f"t-{uuid.uuid4().hex[:10]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP")}
    admin = stack.admin_headers()["Authorization"].removeprefix("Bearer ")
    env.update({"SOP_GATEWAY_URL": stack.url, "SOP_ADMIN_TOKEN": admin})
    argv = ["tenants", "onboard", slug, "--name", "Department", "--cluster", "defence"]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", "from sop_gateway.cli import main; main()", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "active"

    for username, scope in ((f"officer@{slug}", "hr:write"), (f"approver@{slug}", "hr:read")):
        r = await asyncio.to_thread(sign_in, stack.url, username)
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
            mine = await client.get("/hr/v1/org-units", headers=headers)
        assert mine.status_code == 200, mine.text  # a token of the new tenant, accepted
        assert scope in r.json()["scope"].split()
    officer = (await asyncio.to_thread(sign_in, stack.url, f"officer@{slug}")).json()
    assert "finance:approve" not in officer["scope"].split()
