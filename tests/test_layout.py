"""One shape for every service (docs/architecture.md, "One service shape"): the same root files,
the same files in every domain package, a service layer that never reaches for an adapter, and a
declared scope on every route."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from sop_shared.access import request_context
from sop_shared.testing.platform import native_platform

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(
    p.name for p in (ROOT / "services").iterdir() if (p / "src" / f"sop_{p.name}").is_dir()
)

ROOT_FILES = {"app.py", "settings.py", "context.py", "ports.py", "problems.py", "http.py"}
ROOT_OPTIONAL = {"__init__.py", "__main__.py", "db.py"}
DOMAIN_FILES = {"router.py", "schemas.py", "service.py", "ports.py"}
# The service layer depends on ports; only the composition root (app.py) knows adapters.
NO_ADAPTERS = {"service.py", "ports.py", "context.py"}


def package(service: str) -> Path:
    return ROOT / "services" / service / "src" / f"sop_{service}"


def domains(service: str) -> list[Path]:
    return sorted(p for p in package(service).iterdir() if (p / "router.py").is_file())


def test_every_service_is_found():
    assert {"hr", "finance", "payroll"} <= set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_the_root_holds_the_same_files_in_every_service(service):
    root = package(service)
    present = {p.name for p in root.glob("*.py")}
    assert present >= ROOT_FILES, f"sop_{service} lacks {sorted(ROOT_FILES - present)}"
    stray = present - ROOT_FILES - ROOT_OPTIONAL
    assert not stray, f"sop_{service} root has modules outside the shape: {sorted(stray)}"
    assert (root / "adapters" / "registry.py").is_file(), f"sop_{service} has no adapter registry"


@pytest.mark.parametrize("service", SERVICES)
def test_every_domain_package_has_router_schemas_service_ports(service):
    found = domains(service)
    assert found, f"sop_{service} has no domain package"
    for domain in found:
        present = {p.name for p in domain.glob("*.py")}
        missing = DOMAIN_FILES - present
        assert not missing, f"sop_{service}.{domain.name} lacks {sorted(missing)}"


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_layer_never_imports_an_adapter(service):
    root = package(service)
    adapters = f"sop_{service}.adapters"
    offenders = [
        f"{path.relative_to(root)} imports {module}"
        for path in root.rglob("*.py")
        if path.name in NO_ADAPTERS and "adapters" not in path.parts
        for module in _imports(path)
        if module == adapters or module.startswith(adapters + ".")
    ]
    assert not offenders, offenders


def _app(service: str, tmp_path: Path) -> Any:
    settings_module = importlib.import_module(f"sop_{service}.settings")
    settings_class = next(
        value
        for name, value in vars(settings_module).items()
        if name.endswith("Settings")
        and getattr(value, "__module__", "") == settings_module.__name__
    )
    settings = settings_class(
        env="test", database_url=f"sqlite+aiosqlite:///{tmp_path / 'layout.db'}"
    )
    create_app = importlib.import_module(f"sop_{service}.app").create_app
    return create_app(settings, platform=native_platform())


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_declares_a_scope(service, tmp_path):
    """A route whose dependencies carry no scope would be open to any valid token of any
    tenant: it fails here instead. Read from the OpenAPI document, which lists the scopes a
    route's `Security` dependencies declare (and which integrators read)."""
    document = _app(service, tmp_path).openapi()
    operations = [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "patch", "delete"}
    ]
    assert operations
    open_routes = [
        f"{method} {path}"
        for method, path, operation in operations
        if not any(scopes for req in operation.get("security", []) for scopes in req.values())
    ]
    assert not open_routes, f"routes without a declared scope: {open_routes}"


def _contexts(dependant: Dependant) -> list[list[str]]:
    """The scopes of every request-context dependency under `dependant`."""
    found = []
    for sub in dependant.dependencies:
        if sub.call is request_context:
            found.append(list(sub.own_oauth_scopes or []))
        found += _contexts(sub)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_domain_route_reaches_records_through_one_scoped_context(service):
    """Each domain route takes its service's context exactly once, through `access(...)` with
    scopes of its own area: the context is the only way to the records, so a route cannot
    reach them without saying what it needs."""
    routes = [
        route
        for domain in domains(service)
        for route in importlib.import_module(f"sop_{service}.{domain.name}.router").router.routes
    ]
    assert routes and all(isinstance(r, APIRoute) for r in routes)
    for route in routes:
        declared = _contexts(route.dependant)
        assert len(declared) == 1, (route.path, route.methods, declared)
        assert declared[0], (route.path, "declares no scope")
        assert all(s.startswith(f"{service}:") for s in declared[0]), (route.path, declared)
