"""The merged OpenAPI document: every service's own document (each serves /openapi.json at
its root) with the platform routes, one set of components (clashing names prefixed by the
service), and OAuth2 security schemes pointing at the configured identity provider."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sop_gateway.routes import ScopeRules, Upstream

log = logging.getLogger("sop.gateway.openapi")

SCHEME = "sop_oauth2"
SCOPE_DESCRIPTIONS = {
    "hr:read": "Read HR records",
    "hr:write": "Create and change HR records",
    "hr:sensitive": "See national insurance numbers, dates of birth and bank details",
    "finance:read": "Read finance records",
    "finance:write": "Create and change finance records",
    "finance:approve": "Approve journals, payments and budgets",
    "procurement:read": "Read procurement records",
    "procurement:write": "Create and change requisitions and orders",
    "procurement:approve": "Approve requisitions and orders",
    "payroll:read": "Read payroll records",
    "payroll:run": "Calculate and run payrolls",
    "payroll:approve": "Approve pay runs",
    "payroll:self": "Read one's own payslips (self-service)",
    "webhooks:manage": "Manage the tenant's webhook subscriptions and see their deliveries",
    "platform:admin": "Administer tenants and clusters (platform operators only)",
}
COMPONENT_SECTIONS = (
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "headers",
    "examples",
    "links",
    "callbacks",
)

FetchJson = Callable[[str], Awaitable[dict[str, Any]]]


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value in renames:
                out[key] = renames[value]
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, renames) for v in node]
    return node


def _one_scheme(operation: dict[str, Any]) -> None:
    """Services name their scheme as they like; in the merged document every requirement
    points at the gateway's scheme, keeping its scopes."""
    if "security" in operation:
        merged: list[str] = []
        for requirement in operation["security"] or []:
            for scopes in requirement.values():
                merged.extend(s for s in scopes if s not in merged)
        operation["security"] = [{SCHEME: merged}]


def security_schemes(flows: dict[str, Any], discovery_url: str | None) -> dict[str, Any]:
    schemes: dict[str, Any] = {}
    if flows:
        schemes[SCHEME] = {
            "type": "oauth2",
            "description": "OAuth 2.0 access token (a JWT) from the platform's identity provider "
            "or from a department's own provider registered with its tenant.",
            "flows": flows,
        }
    if discovery_url:
        schemes["sop_oidc"] = {"type": "openIdConnect", "openIdConnectUrl": discovery_url}
    return schemes


def oauth_flows(*, token_url: str | None, authorization_url: str | None) -> dict[str, Any]:
    flows: dict[str, Any] = {}
    if token_url:
        flows["clientCredentials"] = {"tokenUrl": token_url, "scopes": SCOPE_DESCRIPTIONS}
        if authorization_url:
            flows["authorizationCode"] = {
                "authorizationUrl": authorization_url,
                "tokenUrl": token_url,
                "refreshUrl": token_url,
                "scopes": SCOPE_DESCRIPTIONS,
            }
    return flows


def merge_documents(
    platform: dict[str, Any],
    services: dict[str, dict[str, Any] | None],
    *,
    title: str,
    version: str,
    server_url: str,
    schemes: dict[str, Any],
) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "The SOP platform: every service's API through the gateway, and the "
            "platform administration API. Errors are RFC 9457 problem documents.",
        },
        "servers": [{"url": server_url}],
        "paths": {},
        "components": {},
        "tags": [],
        "x-sop-services": {},
    }
    seen_tags: set[str] = set()
    sources = [
        ("platform", platform),
        *sorted((name, doc) for name, doc in services.items() if doc is not None),
    ]
    for name, _missing in sorted((n, d) for n, d in services.items() if d is None):
        merged["x-sop-services"][name] = "unavailable"
    for source, original in sources:
        if source != "platform":
            merged["x-sop-services"][source] = "available"
        doc = copy.deepcopy(original)
        renames: dict[str, str] = {}
        components = doc.get("components") or {}
        for section in COMPONENT_SECTIONS:
            target = merged["components"].setdefault(section, {})
            for cname, value in (components.get(section) or {}).items():
                if cname in target and target[cname] != value:
                    new = f"{source.title().replace('_', '')}{cname}"
                    renames[f"#/components/{section}/{cname}"] = f"#/components/{section}/{new}"
        doc = _rewrite_refs(doc, renames) if renames else doc
        components = doc.get("components") or {}
        for section in COMPONENT_SECTIONS:
            target = merged["components"][section]
            for cname, value in (components.get(section) or {}).items():
                ref = f"#/components/{section}/{cname}"
                target[renames.get(ref, ref).rsplit("/", 1)[1]] = value
        for path, item in (doc.get("paths") or {}).items():
            if "/_internal" in path:
                continue
            for operation in item.values():
                if isinstance(operation, dict):
                    _one_scheme(operation)
            merged["paths"][path] = item
        for tag in doc.get("tags") or []:
            if tag.get("name") not in seen_tags:
                seen_tags.add(tag.get("name"))
                merged["tags"].append(tag)
    merged["components"] = {k: v for k, v in merged["components"].items() if v}
    merged["components"]["securitySchemes"] = schemes
    merged["security"] = [{SCHEME: []}] if SCHEME in schemes else []
    if not merged["tags"]:
        del merged["tags"]
    return merged


class ServiceDocs:
    """Each service's OpenAPI document, fetched from the service and kept for a while. Loading
    one also teaches the scope rules the finer scopes its operations declare."""

    def __init__(
        self, *, upstreams: dict[str, Upstream], rules: ScopeRules, max_age: float = 60.0
    ) -> None:
        self.upstreams = upstreams
        self.rules = rules
        self.max_age = max_age
        self.docs: dict[str, dict[str, Any]] = {}
        self._fetched: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def refresh(self, fetch_json: FetchJson, *, only_stale: bool = True) -> None:
        async with self._lock:
            now = time.monotonic()
            names = [
                n
                for n in self.upstreams
                if not only_stale or now - self._fetched.get(n, float("-inf")) >= self.max_age
            ]

            async def one(name: str) -> None:
                try:
                    doc = await fetch_json(self.upstreams[name].base_url + "/openapi.json")
                except Exception as exc:
                    log.info("no OpenAPI document from %s yet: %s", name, exc)
                    return
                self.docs[name] = doc
                self._fetched[name] = time.monotonic()
                self.rules.load(name, doc)

            await asyncio.gather(*(one(n) for n in names))

    def current(self) -> dict[str, dict[str, Any] | None]:
        return {name: self.docs.get(name) for name in self.upstreams}

    async def keep_fresh(self, fetch_json: FetchJson) -> None:
        while True:
            await self.refresh(fetch_json)
            missing = any(n not in self.docs for n in self.upstreams)
            await asyncio.sleep(2.0 if missing else self.max_age)
