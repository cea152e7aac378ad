"""Internal tokens for tests: a real ES256 key, its JWKS written to a file services read."""

from __future__ import annotations

import json
from pathlib import Path

from sop_shared.security import InternalTokenSigner, generate_signing_key

ALL_SCOPES = (
    "hr:read hr:write hr:sensitive finance:read finance:write finance:approve procurement:read "
    "procurement:write procurement:approve payroll:read payroll:run payroll:approve payroll:self"
)


class TokenMinter:
    def __init__(self, directory: Path, issuer: str = "sop-gateway") -> None:
        self.signer = InternalTokenSigner(generate_signing_key(), issuer=issuer)
        self.jwks_file = directory / "internal-jwks.json"
        self.jwks_file.write_text(json.dumps(self.signer.public_jwks()))

    def __call__(
        self,
        *,
        tenant: str | None,
        scopes: str = ALL_SCOPES,
        audience: str = "sop-hr",
        cluster: str | None = "matrix",
        subject: str = "user-1",
        client_id: str = "test-client",
    ) -> str:
        token, _ = self.signer.sign(
            audience=audience,
            subject=subject,
            client_id=client_id,
            tenant=tenant,
            cluster=cluster,
            scopes=scopes,
        )
        return token

    def headers(self, **kwargs: object) -> dict[str, str]:
        return {"Authorization": f"Bearer {self(**kwargs)}"}  # type: ignore[arg-type]
