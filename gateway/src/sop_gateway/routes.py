"""Prefix routing and the scope each request needs: by default `<area>:read` for safe methods
and `<area>:write` otherwise, or the finer scopes an operation declares in its service's
OpenAPI document (e.g. `payroll:run` for starting a pay run)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"\{[^/{}]+\}")


@dataclass(frozen=True, slots=True)
class RouteLabel:
    """What the kernel's metrics middleware reads as the route template (`scope["route"]`)."""

    path: str


@dataclass(frozen=True)
class Upstream:
    """A service the gateway routes to: `/{name}/...` (or `prefix`) goes to `base_url`."""

    name: str
    base_url: str
    prefix: str = ""
    label: RouteLabel = field(init=False)
    host: str = field(init=False)
    port: int = field(init=False)
    tls: bool = field(init=False)
    host_header: bytes = field(init=False)
    base_path: bytes = field(init=False)

    def __post_init__(self) -> None:
        url = urlsplit(self.base_url.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"service {self.name}: {self.base_url!r} is not an http(s) URL")
        tls = url.scheme == "https"
        prefix = self.prefix or f"/{self.name}"
        values = {
            "base_url": self.base_url.rstrip("/"),
            "prefix": prefix,
            "label": RouteLabel(prefix),
            "host": url.hostname,
            "port": url.port or (443 if tls else 80),
            "tls": tls,
            "host_header": url.netloc.encode(),
            "base_path": url.path.encode(),
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)

    @property
    def audience(self) -> str:
        return f"sop-{self.name}"


def _template_regex(template: str) -> str:
    parts = _PARAM.split(template)
    return "[^/]+".join(re.escape(p) for p in parts)


def declared_scopes(operation: dict[str, Any]) -> tuple[str, ...]:
    scopes: set[str] = set()
    for requirement in operation.get("security") or []:
        for values in requirement.values():
            scopes.update(s for s in values if isinstance(s, str) and ":" in s)
    return tuple(sorted(scopes))


class ScopeRules:
    def __init__(self) -> None:
        # service -> method -> (one alternation regex, the scopes of each alternative)
        self._tables: dict[str, dict[str, tuple[re.Pattern[str], list[tuple[str, ...]]]]] = {}

    def load(self, service: str, openapi: dict[str, Any]) -> None:
        by_method: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for template, item in (openapi.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                operation = item.get(method)
                if isinstance(operation, dict) and (scopes := declared_scopes(operation)):
                    by_method.setdefault(method.upper(), []).append((template, scopes))
        tables = {}
        for method, entries in by_method.items():
            # Literal segments before parameters, as the services' own routers match them.
            entries.sort(key=lambda e: (e[0].count("{"), -len(e[0])))
            pattern = "|".join(f"({_template_regex(t)})" for t, _ in entries)
            tables[method] = (re.compile(f"^(?:{pattern})$"), [s for _, s in entries])
        self._tables[service] = tables

    def required(self, service: str, method: str, path: str) -> tuple[str, ...]:
        table = self._tables.get(service, {}).get("GET" if method == "HEAD" else method)
        if table is not None:
            match = table[0].match(path)
            if match is not None and match.lastindex:
                return table[1][match.lastindex - 1]
        return (f"{service}:read",) if method in SAFE_METHODS else (f"{service}:write",)
