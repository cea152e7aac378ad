"""The merged OpenAPI document: paths from every service and the platform, components shared
when equal and renamed when they clash, one security scheme, unavailable services noted."""

from __future__ import annotations

from sop_gateway.openapi import merge_documents, oauth_flows, security_schemes


def doc(paths: dict, schemas: dict, scheme: str = "sop_oauth2") -> dict:
    return {
        "openapi": "3.1.0",
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {scheme: {"type": "http"}}},
        "tags": [{"name": "shared"}],
    }


PROBLEM = {"type": "object", "properties": {"status": {"type": "integer"}}}


def op(ref: str, scopes: list[str], scheme: str = "sop_oauth2") -> dict:
    return {
        "get": {
            "security": [{scheme: scopes}],
            "responses": {"200": {"content": {"application/json": {"schema": {"$ref": ref}}}}},
        }
    }


def merged() -> dict:
    hr = doc(
        {
            "/hr/v1/employees": op("#/components/schemas/Item", ["hr:read"]),
            "/_internal/tenants/{tenant}": op("#/components/schemas/Item", []),
        },
        {"Item": {"type": "object", "title": "Employee"}, "ProblemDocument": PROBLEM},
    )
    finance = doc(
        {"/finance/v1/accounts": op("#/components/schemas/Item", ["finance:read"], "bearer")},
        {"Item": {"type": "object", "title": "Account"}, "ProblemDocument": PROBLEM},
        scheme="bearer",
    )
    platform = doc(
        {"/platform/v1/tenants": op("#/components/schemas/Tenant", [])},
        {
            "Tenant": {"type": "object"},
            "ProblemDocument": PROBLEM,
        },
    )
    schemes = security_schemes(
        oauth_flows(token_url="https://idp/token", authorization_url="https://idp/authorize"),
        "https://idp/.well-known/openid-configuration",
    )
    return merge_documents(
        platform,
        {"hr": hr, "finance": finance, "payroll": None},
        title="SOP API",
        version="1",
        server_url="https://api.example",
        schemes=schemes,
    )


def test_paths_of_every_service_and_the_platform_but_never_internal_ones():
    paths = merged()["paths"]
    assert set(paths) == {"/hr/v1/employees", "/finance/v1/accounts", "/platform/v1/tenants"}


def test_equal_components_are_shared_and_clashing_ones_renamed_with_refs_followed():
    result = merged()
    schemas = result["components"]["schemas"]
    assert "ProblemDocument" in schemas
    assert not [
        name for name in schemas if name.endswith("ProblemDocument") and name != "ProblemDocument"
    ]
    # Services merge in name order: finance keeps `Item`, HR's clashing one is renamed.
    assert schemas["Item"]["title"] == "Account"
    assert schemas["HrItem"]["title"] == "Employee"
    ref = result["paths"]["/hr/v1/employees"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]["$ref"]
    assert ref == "#/components/schemas/HrItem"


def test_one_security_scheme_keeps_each_operations_scopes():
    result = merged()
    assert result["paths"]["/finance/v1/accounts"]["get"]["security"] == [
        {"sop_oauth2": ["finance:read"]}
    ]
    schemes = result["components"]["securitySchemes"]
    assert set(schemes) == {"sop_oauth2", "sop_oidc"}
    flows = schemes["sop_oauth2"]["flows"]
    assert flows["authorizationCode"]["authorizationUrl"] == "https://idp/authorize"
    assert "platform:admin" in flows["clientCredentials"]["scopes"]


def test_unavailable_services_are_named():
    result = merged()
    assert result["x-sop-services"] == {
        "hr": "available",
        "finance": "available",
        "payroll": "unavailable",
    }
    assert result["servers"] == [{"url": "https://api.example"}]
    assert [t["name"] for t in result["tags"]] == ["shared"]


def test_without_a_token_endpoint_only_discovery_is_offered():
    schemes = security_schemes(oauth_flows(token_url=None, authorization_url=None), "https://x")
    assert schemes == {"sop_oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://x"}}
