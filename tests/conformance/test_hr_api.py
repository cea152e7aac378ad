"""HR's own API tests, run here on every adapter: the `hr` and `other` fixtures of this
directory put their tenants in the cluster of native, oracle_like or sap_like in turn, so each
behaviour (bad input, tenancy, sensitive fields, If-Match, idempotency, effective dating,
leave and leavers, imports) must come out the same whatever system of record holds it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

HR_TESTS = Path(__file__).resolve().parents[2] / "services" / "hr" / "tests"


def load_hr_test_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"hr_conformance_{name}", HR_TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# HR's tests of its API (the calendar, rules, migrations and composition tests do not depend
# on the system of record, and run in HR's own suite).
MODULES = (
    "test_employees",
    "test_terms",
    "test_org_units",
    "test_positions",
    "test_absences",
    "test_leavers",
    "test_imports",
    "test_tenancy",
)

for _module_name in MODULES:
    _module = load_hr_test_module(_module_name)
    for _name, _test in vars(_module).items():
        if _name.startswith("test_") and callable(_test):
            globals()[
                f"test_{_module_name.removeprefix('test_')}__{_name.removeprefix('test_')}"
            ] = _test
