"""Service-to-service calls end to end (ADR 0108): the test plays payroll, holding payroll's
private key, serving a person's request. With the kernel's PlatformClient it exchanges the
request's internal token at the real gateway for a token in the person's tenant, calls HR
through the gateway, and HR's audit event for the change names the person as the actor and
payroll as the acting service. The gateway refuses another tenant, extra scopes, a token meant
for another service, and scheduled work a service's configuration does not allow."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from sop_gateway.keys import internal_signer
from sop_gateway.settings import GatewaySettings
from sop_shared.platform_client import PlatformClient, TokenExchangeRefused
from sop_shared.settings import ServiceSettings

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

TOKEN_PATH = "/platform/v1/oauth/token"


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def service_client(stack, service: str) -> PlatformClient:
    """The service's client as its process would build it: its key under the data dir
    (generated on first use, its JWKS written where the platform config points the gateway)."""
    settings = ServiceSettings(
        service=service,
        env="development",
        client_key_file=str(stack.workdir / "keys" / f"{service}-client-key.json"),
        gateway_url=stack.url,
    )
    return PlatformClient.from_settings(settings, deadline=20)


@pytest_asyncio.fixture(loop_scope="session")
async def payroll(stack) -> AsyncIterator[PlatformClient]:
    async with service_client(stack, "payroll") as client:
        yield client


def internal_token(
    stack, tenant: str, *, subject: str = "alice@dept", audience: str = "sop-payroll"
) -> str:
    """The internal token a person's request to payroll carries: minted with the gateway's own
    signing key (from its key directory: the test cannot take it off the wire), exactly as the
    gateway mints it for the requests it forwards."""
    keys = stack.workdir / "keys"
    settings = GatewaySettings(
        env="development", key_dir=str(keys), internal_jwks_file=str(keys / "internal-jwks.json")
    )
    signer, _ = internal_signer(settings)
    token, _ = signer.sign(
        audience=audience,
        subject=subject,
        client_id=f"{tenant}-portal",
        tenant=tenant,
        cluster="matrix",
        scopes="payroll:read payroll:run",
    )
    return token


async def test_a_change_made_for_a_person_is_audited_with_the_acting_service(
    stack, client, payroll
):
    tenant = await stack.onboard(client)
    hr = await payroll.acting_for(internal_token(stack, tenant), scopes="hr:read hr:write")
    assert hr.tenant == tenant
    r = await hr.post(
        "/hr/v1/org-units",
        json={"code": "PAY-OPS", "name": "Payroll operations", "cost_centre": "CC-100"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.text
    unit = r.json()["id"]

    # Anyone in the tenant with hr:read sees who did it: the person, through payroll.
    r = await client.get(
        "/hr/v1/audit-events",
        params={"resource_type": "org_unit", "resource_id": unit},
        headers=stack.tenant_headers(tenant, scope="hr:read"),
    )
    assert r.status_code == 200, r.text
    [event] = r.json()["items"]
    assert event["action"] == "org_unit.created"
    assert event["actor"] == "alice@dept"
    assert event["client_id"] == "sop-payroll"
    assert event["acting_service"] == "sop-payroll"

    # A change the person makes directly names no acting service.
    r = await client.post(
        "/hr/v1/org-units",
        json={"code": "DIRECT", "name": "Made directly", "cost_centre": "CC-101"},
        headers=stack.tenant_headers(tenant, sub="bob@dept"),
    )
    assert r.status_code == 201, r.text
    r = await client.get(
        "/hr/v1/audit-events",
        params={"resource_type": "org_unit", "resource_id": r.json()["id"]},
        headers=stack.tenant_headers(tenant, scope="hr:read"),
    )
    [direct] = r.json()["items"]
    assert (direct["actor"], direct["acting_service"]) == ("bob@dept", None)


async def test_the_exchanged_token_is_the_persons_tenant_with_payrolls_scopes(
    stack, client, payroll
):
    tenant = await stack.onboard(client)
    await payroll.acting_for(internal_token(stack, tenant))
    [token] = [t for t in payroll._cache.values() if t.tenant == tenant]
    claims = claims_of(token.access_token)
    assert claims["iss"] == stack.url + "/platform/v1/oauth"
    assert claims["aud"] == "sop-api"
    assert (claims["sub"], claims["sop_tenant"], claims["client_id"]) == (
        "alice@dept",
        tenant,
        "sop-payroll",
    )
    assert claims["act"] == {"sub": "sop-payroll"}
    assert token.scope == {"hr:read", "hr:write", "hr:sensitive"}  # the allow-list
    assert claims["exp"] - claims["iat"] <= 300


async def test_exchange_refuses_another_tenant_extra_scopes_and_another_services_token(
    stack, client, payroll
):
    tenant, other = await stack.onboard(client), await stack.onboard(client)
    subject = internal_token(stack, tenant)

    r = await client.post(
        TOKEN_PATH,
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": subject,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "resource": f"urn:sop:tenant:{other}",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": payroll.client_assertion(),
        },
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_target"

    with pytest.raises(TokenExchangeRefused) as refused:
        await payroll.acting_for(subject, scopes="hr:read finance:write")
    assert (refused.value.status, refused.value.error) == (400, "invalid_scope")

    with pytest.raises(TokenExchangeRefused) as refused:  # HR's token is not payroll's to use
        await payroll.acting_for(internal_token(stack, tenant, audience="sop-hr"))
    assert refused.value.error == "invalid_grant"


async def test_scheduled_work_only_for_a_service_configured_for_it(stack, client, payroll):
    tenant = await stack.onboard(client)
    nightly = await payroll.scheduled(tenant, scopes="hr:read")
    r = await nightly.get("/hr/v1/employees")
    assert r.status_code == 200, r.text
    async with service_client(stack, "procurement") as procurement:
        with pytest.raises(TokenExchangeRefused) as refused:
            await procurement.scheduled(tenant)
        assert refused.value.error == "unauthorized_client"
        # ...though it may act for a person whose request it serves.
        subject = internal_token(stack, tenant, audience="sop-procurement")
        hr = await procurement.acting_for(subject)
        assert (await hr.get("/hr/v1/employees")).status_code == 200


async def test_an_unknown_service_key_is_refused(stack, client):
    tenant = await stack.onboard(client)
    key_file = stack.workdir / "elsewhere" / "payroll-client-key.json"
    settings = ServiceSettings(
        service="payroll", env="development", client_key_file=str(key_file), gateway_url=stack.url
    )
    async with PlatformClient.from_settings(settings) as impostor:
        with pytest.raises(TokenExchangeRefused) as refused:
            await impostor.acting_for(internal_token(stack, tenant))
    assert (refused.value.status, refused.value.error) == (401, "invalid_client")
    assert "key" in (refused.value.detail or "")
