"""The gateway's own API document says what the platform answers (every 4xx as
problem+json, as each service's does), and platform requests are held to it: a method a
documented path does not have is 405 with the path's methods in `Allow`."""

from __future__ import annotations

from typing import Any


def json_error_contents(document: dict[str, Any]) -> list[str]:
    """Every 4xx response, anywhere in the document, whose content is `application/json`."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if status.startswith("4") and "application/json" in response.get("content", {}):
                    found.append(f"{method.upper()} {path} {status}")
    for name, response in document.get("components", {}).get("responses", {}).items():
        if "application/json" in response.get("content", {}):
            found.append(f"components.responses.{name}")
    return found


async def test_the_merged_document_has_no_json_error_content(gateway):
    r = await gateway.client.get("/openapi.json")
    assert r.status_code == 200
    document = r.json()
    platform = [p for p in document["paths"] if p.startswith("/platform/v1/")]
    assert len(platform) > 5
    assert json_error_contents(document) == []
    tenants = document["paths"]["/platform/v1/tenants"]["post"]["responses"]
    assert "application/problem+json" in tenants["422"]["content"]
    assert "HTTPValidationError" not in document.get("components", {}).get("schemas", {})


async def test_an_unknown_method_on_a_platform_path_is_405_with_allow(gateway, admin):
    r = await gateway.client.delete("/platform/v1/tenants", headers=admin)
    assert r.status_code == 405
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("method-not-allowed")
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}


async def test_405_names_every_method_of_a_templated_path(gateway, admin):
    r = await gateway.client.put("/platform/v1/tenants/some-slug", headers=admin)
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
