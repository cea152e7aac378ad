"""The service's shape: settings, `python -m sop_payroll` (serve and migrate), health routes,
and an OpenAPI document that declares every route's scope, problems and examples, with the
examples being what the API really answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sop_payroll.__main__ import main
from sop_payroll.settings import PayrollSettings

ROOT = Path(__file__).resolve().parents[4]
CALCULATORS = [
    "/payroll/v1/calculations/income-tax",
    "/payroll/v1/calculations/national-insurance",
    "/payroll/v1/calculations/payslip",
]


def test_settings_defaults_and_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("SOP_DATA_DIR", str(tmp_path))
    settings = PayrollSettings()
    assert (settings.service, settings.port, settings.audience) == (
        "payroll",
        8104,
        "sop-payroll",
    )
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'payroll.db'}"
    monkeypatch.setenv("SOP_PAYROLL_PORT", "9104")
    monkeypatch.setenv("SOP_PAYROLL_DATABASE_URL", "postgresql://db/payroll")
    monkeypatch.setenv("SOP_HR_PORT", "9999")  # another service's setting is not ours
    settings = PayrollSettings()
    assert (settings.port, settings.database_url) == (9104, "postgresql://db/payroll")


def test_production_refuses_sqlite(monkeypatch):
    monkeypatch.setenv("SOP_ENV", "production")
    with pytest.raises(ValueError, match="SQLite"):
        PayrollSettings(internal_jwks_url="https://gateway/keys")


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
async def test_health_routes(payroll_client, path):
    r = await payroll_client.get(path)
    assert r.status_code == 200
    if path == "/healthz":
        assert r.json() == {"status": "ok", "service": "payroll"}


PAY_RUN_OPERATIONS = {
    ("GET", "/payroll/v1/pay-groups"): "payroll:read",
    ("POST", "/payroll/v1/pay-groups"): "payroll:run",
    ("GET", "/payroll/v1/pay-groups/{pay_group_id}"): "payroll:read",
    ("PATCH", "/payroll/v1/pay-groups/{pay_group_id}"): "payroll:run",
    ("GET", "/payroll/v1/pay-groups/{pay_group_id}/calendar"): "payroll:read",
    ("POST", "/payroll/v1/pay-runs"): "payroll:run",
    ("GET", "/payroll/v1/pay-runs"): "payroll:read",
    ("GET", "/payroll/v1/pay-runs/{run_id}"): "payroll:read",
    ("GET", "/payroll/v1/pay-runs/{run_id}/items"): "payroll:read",
    ("GET", "/payroll/v1/pay-runs/{run_id}/items/{employee_id}"): "payroll:read",
    ("POST", "/payroll/v1/pay-runs/{run_id}/items/{employee_id}/hold"): "payroll:run",
    ("POST", "/payroll/v1/pay-runs/{run_id}/items/{employee_id}/release"): "payroll:run",
    ("POST", "/payroll/v1/pay-runs/{run_id}/items/{employee_id}/accept"): "payroll:run",
    ("POST", "/payroll/v1/pay-runs/{run_id}/recalculate"): "payroll:run",
    ("POST", "/payroll/v1/pay-runs/{run_id}/approve"): "payroll:approve",
    ("POST", "/payroll/v1/pay-runs/{run_id}/finalise"): "payroll:approve",
    ("POST", "/payroll/v1/pay-runs/{run_id}/cancel"): "payroll:run",
    ("POST", "/payroll/v1/pay-runs/{run_id}/reverse"): "payroll:approve",
    ("GET", "/payroll/v1/payslips"): "payroll:read",
    ("GET", "/payroll/v1/me/payslips"): "payroll:self",
    ("GET", "/payroll/v1/pay-runs/{run_id}/items/{employee_id}/p45"): "payroll:read",
    ("GET", "/payroll/v1/me/payslips/{run_id}/payslip.pdf"): "payroll:self",
    ("GET", "/payroll/v1/pay-runs/{run_id}/items/{employee_id}/payslip.pdf"): "payroll:read",
    ("GET", "/payroll/v1/employees/{employee_id}/tax-codes"): "payroll:read",
    ("POST", "/payroll/v1/employees/{employee_id}/tax-codes"): "payroll:run",
    ("GET", "/payroll/v1/pay-runs/{run_id}/fps/{number}"): "payroll:read",
    ("GET", "/payroll/v1/employees/{employee_id}/rti-details"): "payroll:read",
    ("PUT", "/payroll/v1/employees/{employee_id}/rti-details"): "payroll:run",
    ("GET", "/payroll/v1/pay-groups/{pay_group_id}/adjustments"): "payroll:read",
    ("GET", "/payroll/v1/pay-runs/{run_id}/reports/gross-to-net"): "payroll:read",
    ("GET", "/payroll/v1/pay-runs/{run_id}/reports/cost-centres"): "payroll:read",
    ("POST", "/payroll/v1/pay-groups/{pay_group_id}/adjustments"): "payroll:run",
    ("POST", "/payroll/v1/pay-groups/{pay_group_id}/adjustments/imports"): "payroll:run",
    ("DELETE", "/payroll/v1/pay-groups/{pay_group_id}/adjustments/{adjustment_id}"): "payroll:run",
}


async def test_every_operation_declares_its_scope_and_problems(payroll_client):
    spec = (await payroll_client.get("/openapi.json")).json()
    operations = {
        (method.upper(), path): op
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    }
    assert set(operations) == {
        *(("POST", path) for path in CALCULATORS),
        ("GET", "/payroll/v1/tax-years"),
        ("GET", "/payroll/v1/tax-years/{tax_year}"),
        ("GET", "/payroll/v1/audit-events"),
        *PAY_RUN_OPERATIONS,
    }
    for key, op in operations.items():
        scope = PAY_RUN_OPERATIONS.get(key, "payroll:read")
        assert op["security"] == [{"sop_oauth2": [scope]}], key
        for status in ("401", "403"):
            content = op["responses"][status]["content"]["application/problem+json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ProblemDocument"}, key
    for path in CALCULATORS:
        op = operations[("POST", path)]
        assert {"409", "422"} <= set(op["responses"]), path
        assert [p["name"] for p in op["parameters"]] == ["Idempotency-Key"]
        assert op["requestBody"]["content"]["application/json"]["examples"], path
    assert "ProblemDocument" in spec["components"]["schemas"]


async def test_money_is_a_decimal_string_in_the_document(payroll_client):
    schemas = (await payroll_client.get("/openapi.json")).json()["components"]["schemas"]
    taxable = schemas["IncomeTaxRequest"]["properties"]["taxable_pay"]
    assert taxable["type"] == "string" and taxable["pattern"] == r"^-?\d+\.\d{2}$"
    assert schemas["IncomeTaxRequest"]["additionalProperties"] is False
    tax_due = schemas["IncomeTaxResponse"]["properties"]["tax_due"]
    assert tax_due["type"] == "string"


async def test_the_documented_examples_are_what_the_api_answers(payroll, payroll_client):
    spec = (await payroll_client.get("/openapi.json")).json()
    for path in CALCULATORS:
        op = spec["paths"][path]["post"]
        requests = op["requestBody"]["content"]["application/json"]["examples"]
        answers = op["responses"]["200"]["content"]["application/json"]["examples"]
        assert set(requests) == set(answers), path
        for name, example in requests.items():
            r = await payroll.post(path, json=example["value"])
            assert r.status_code == 200, (path, name, r.text)
            assert r.json() == answers[name]["value"], (path, name)
    for path, name in [
        ("/payroll/v1/tax-years", "all"),
        ("/payroll/v1/tax-years/{tax_year}", "2025-26"),
    ]:
        answers = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        r = await payroll.get(path.replace("{tax_year}", "2025-26"))
        assert r.json() == answers["examples"][name]["value"], path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_python_m_sop_payroll_migrate_and_usage(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_DATA_DIR", str(tmp_path))
    main(["migrate"])
    assert (tmp_path / "payroll.db").is_file()
    with pytest.raises(SystemExit, match="usage"):
        main(["serve"])


def test_python_m_sop_payroll_serves(tmp_path, mint):
    """`python -m sop_payroll` serves on SOP_PAYROLL_PORT until stopped."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOP_")},
        "SOP_DATA_DIR": str(tmp_path),
        "SOP_PAYROLL_PORT": str(port),
        "SOP_INTERNAL_JWKS_FILE": str(mint.jwks_file),
        "SOP_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "sop_payroll"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "payroll never started"
            time.sleep(0.1)
        token = mint(tenant="t-serve", scopes="payroll:read", audience="sop-payroll")
        r = httpx.get(
            f"{url}/payroll/v1/tax-years/2025-26", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200 and r.json()["tax_year"] == "2025-26"
    finally:
        server.terminate()
        server.wait(10)
