"""Who may pass: the bearer token verified into an Identity, and the tenant it names checked
against the registry (onboarded, active). Shared by the proxy and the platform API."""

from __future__ import annotations

from sop_gateway.identity.verifier import Identity, TokenVerifier
from sop_gateway.tenants.registry import TenantEntry, TenantRegistry
from sop_shared.errors import Forbidden, Unauthorized


class Gatekeeper:
    def __init__(self, *, verifier: TokenVerifier, registry: TenantRegistry) -> None:
        self.verifier = verifier
        self.registry = registry

    async def identify(self, authorization: str | None) -> Identity:
        if not authorization or authorization[:7].lower() != "bearer ":
            raise Unauthorized("a bearer token is required")
        token = authorization[7:].strip()
        if not token:
            raise Unauthorized("a bearer token is required")
        return await self.verifier.verify(token)

    def tenant_of(self, identity: Identity) -> TenantEntry:
        """The caller's tenant, which must be onboarded and active (403 otherwise)."""
        if identity.tenant is None:
            raise Forbidden("this API acts on a tenant's records; the token names no tenant")
        entry = self.registry.get(identity.tenant)
        if entry is None:
            raise Forbidden(f"tenant {identity.tenant} is not onboarded")
        if entry.status != "active":
            if entry.status == "suspended":
                raise Forbidden(f"tenant {identity.tenant} is suspended")
            raise Forbidden(f"tenant {identity.tenant} is still being onboarded")
        return entry

    @staticmethod
    def require(identity: Identity, scopes: tuple[str, ...]) -> None:
        missing = [s for s in scopes if s not in identity.scopes]
        if missing:
            raise Forbidden(f"this operation needs the scope(s): {' '.join(missing)}")
