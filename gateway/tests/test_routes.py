"""Which scope a request needs, which paths can never be routed, and upstream addresses."""

from __future__ import annotations

import pytest

from sop_gateway.proxy import forbidden_path
from sop_gateway.routes import ScopeRules, Upstream

PAYROLL_DOC = {
    "paths": {
        "/payroll/v1/pay-runs": {
            "get": {"security": [{"sop_oauth2": ["payroll:read"]}]},
            "post": {"security": [{"sop_oauth2": ["payroll:run"]}]},
        },
        "/payroll/v1/pay-runs/{run_id}/approve": {
            "post": {"security": [{"sop_oauth2": ["payroll:approve"]}]}
        },
        "/payroll/v1/pay-runs/{run_id}": {"get": {"security": [{"sop_oauth2": ["payroll:read"]}]}},
        "/payroll/v1/pay-runs/current": {
            "get": {"security": [{"sop_oauth2": ["payroll:read", "payroll:run"]}]}
        },
        "/payroll/v1/public": {"get": {}},
    }
}


@pytest.fixture
def rules() -> ScopeRules:
    r = ScopeRules()
    r.load("payroll", PAYROLL_DOC)
    return r


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [
        ("GET", "/payroll/v1/pay-runs", ("payroll:read",)),
        ("HEAD", "/payroll/v1/pay-runs", ("payroll:read",)),
        ("POST", "/payroll/v1/pay-runs", ("payroll:run",)),
        ("POST", "/payroll/v1/pay-runs/0190/approve", ("payroll:approve",)),
        ("GET", "/payroll/v1/pay-runs/0190", ("payroll:read",)),
        ("GET", "/payroll/v1/pay-runs/current", ("payroll:read", "payroll:run")),
        ("GET", "/payroll/v1/public", ("payroll:read",)),  # declares none: the default
        ("DELETE", "/payroll/v1/pay-runs/0190", ("payroll:write",)),  # undeclared method
        ("GET", "/payroll/v1/pay-runs/0190/extra/deep", ("payroll:read",)),
    ],
)
def test_declared_scopes_win_over_the_default(rules, method, path, needed):
    assert rules.required("payroll", method, path) == needed


def test_a_service_without_a_document_gets_read_and_write():
    rules = ScopeRules()
    assert rules.required("hr", "GET", "/hr/v1/employees") == ("hr:read",)
    assert rules.required("hr", "OPTIONS", "/hr/v1/employees") == ("hr:read",)
    assert rules.required("hr", "PATCH", "/hr/v1/employees/1") == ("hr:write",)


@pytest.mark.parametrize(
    "path",
    ["/_internal/tenants/x", "/hr/../_internal/x", "/hr/./v1", "/hr/v1/_internal", "/hr/.."],
)
def test_internal_and_dot_segment_paths_are_refused(path):
    assert forbidden_path(path)


@pytest.mark.parametrize("path", ["/hr/v1/employees", "/hr/v1/files/.profile", "/hr/v1/x_internal"])
def test_ordinary_paths_pass(path):
    assert not forbidden_path(path)


def test_upstream_addresses():
    hr = Upstream(name="hr", base_url="http://hr.internal:8101/")
    assert (hr.host, hr.port, hr.tls, hr.prefix, hr.audience) == (
        "hr.internal",
        8101,
        False,
        "/hr",
        "sop-hr",
    )
    tls = Upstream(name="finance", base_url="https://finance.svc/base")
    assert (tls.port, tls.tls, tls.base_path, tls.host_header) == (
        443,
        True,
        b"/base",
        b"finance.svc",
    )
    with pytest.raises(ValueError):
        Upstream(name="x", base_url="ftp://nope")
