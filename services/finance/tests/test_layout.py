"""The platform's one service shape (docs/architecture.md), as finance keeps it: the root
modules, each domain package's files, the service layer never reaching for an adapter, and a
scope on every route through the context's aliases (a route without one fails here instead of
being open)."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

import sop_finance
from sop_finance.context import _finance_context

PACKAGE = Path(sop_finance.__file__).resolve().parent
ROOT_MODULES = {"__init__", "app", "settings", "context", "ports", "problems", "http"}
OPTIONAL_ROOT = {"__main__", "db"}
DOMAIN_FILES = {"router.py", "schemas.py", "service.py", "ports.py"}
SCOPES = {"finance:read", "finance:write", "finance:approve"}


def test_the_root_holds_the_service_shape_and_nothing_else():
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules >= ROOT_MODULES, ROOT_MODULES - modules
    assert modules <= ROOT_MODULES | OPTIONAL_ROOT, modules - ROOT_MODULES - OPTIONAL_ROOT
    assert (PACKAGE / "adapters" / "registry.py").is_file()


def domains() -> list[Path]:
    return sorted(p.parent for p in PACKAGE.glob("*/router.py"))


def test_every_domain_package_has_router_schemas_service_and_ports():
    assert {d.name for d in domains()} == {
        "accounts",
        "periods",
        "journals",
        "reports",
        "budgets",
        "payables",
    }
    for domain in domains():
        files = {p.name for p in domain.glob("*.py")}
        assert files >= DOMAIN_FILES, (domain.name, DOMAIN_FILES - files)
        assert "models.py" not in files, domain.name  # records live in ports.py


def imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


@pytest.mark.parametrize(
    "path",
    [
        PACKAGE / "context.py",
        PACKAGE / "ports.py",
        *(PACKAGE.glob("*/service.py")),
        *(PACKAGE.glob("*/ports.py")),
    ],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_service_layer_never_imports_an_adapter(path):
    bad = [m for m in imported_modules(path) if m.startswith("sop_finance.adapters")]
    assert bad == [], bad


def finance_scopes(dependant: Dependant) -> list[list[str]]:
    """The scopes of every finance context the route depends on (directly or not)."""
    found = []
    for sub in dependant.dependencies:
        if sub.call is _finance_context:
            found.append(list(sub.own_oauth_scopes or []))
        found += finance_scopes(sub)
    return found


def test_every_route_declares_a_scope_through_the_context():
    routes = [
        route
        for domain in domains()
        for route in importlib.import_module(f"sop_finance.{domain.name}.router").router.routes
    ]
    assert len(routes) >= 60 and all(isinstance(r, APIRoute) for r in routes)
    for route in routes:
        declared = finance_scopes(route.dependant)
        assert len(declared) == 1, (route.path, route.methods, declared)
        assert declared[0] and set(declared[0]) <= SCOPES, (route.path, declared)
