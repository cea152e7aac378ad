"""The gateway's keys: the internal signing key(s) whose public half services trust, and the
development identity provider's key. Generated and persisted under `.sop/keys` outside
production (so restarts keep them); in production only ever loaded."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from sop_gateway.settings import GatewaySettings
from sop_shared.security import InternalTokenSigner, generate_signing_key

DEV_IDP_KEY_FILE = "dev-idp-key.json"


def _write_exclusive(path: Path, text: str) -> bool:
    """Create `path` with `text` atomically, unless it exists (another process won the race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _private_keys(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text())
    return data.get("keys", [data])


def load_internal_keys(settings: GatewaySettings) -> list[ECKey | OKPKey]:
    """The signing keys, newest (signing) first; later ones are only still published, so a
    rotation needs no flag day. Generated on first use outside production."""
    path = settings.signing_key_file
    if not path.exists():
        if settings.env == "production":
            raise RuntimeError(f"refusing to start in production: no signing key at {path}")
        key = generate_signing_key()
        _write_exclusive(path, json.dumps(key.as_dict(private=True)))
    keys: list[ECKey | OKPKey] = []
    for data in _private_keys(path):
        imported = JWKRegistry.import_key(data)
        if not isinstance(imported, ECKey | OKPKey) or not imported.is_private:
            raise RuntimeError(f"{path}: internal signing keys must be private EC or OKP keys")
        if isinstance(imported, ECKey) and imported.curve_name != "P-256":
            raise RuntimeError(f"{path}: EC signing keys must be P-256 (ES256)")
        keys.append(imported)
    if not keys:
        raise RuntimeError(f"{path} holds no key")
    return keys


def internal_signer(settings: GatewaySettings) -> tuple[InternalTokenSigner, dict[str, Any]]:
    """The signer for the newest key and the public JWKS of every key."""
    keys = load_internal_keys(settings)
    signers = [
        InternalTokenSigner(
            k, issuer=settings.internal_issuer, lifetime=settings.internal_token_lifetime
        )
        for k in keys
    ]
    jwks = {"keys": [s.public_jwks()["keys"][0] for s in signers]}
    return signers[0], jwks


def publish_internal_jwks(settings: GatewaySettings, jwks: dict[str, Any]) -> None:
    """Outside production, services read the gateway's keys from this file by default."""
    if settings.internal_jwks_file and settings.env != "production":
        path = Path(settings.internal_jwks_file)
        text = json.dumps(jwks, indent=2)
        if not path.exists() or path.read_text() != text:
            write_atomic(path, text)


def load_dev_idp_key(settings: GatewaySettings) -> RSAKey:
    path = settings.keys_dir / DEV_IDP_KEY_FILE
    if not path.exists():
        fresh = RSAKey.generate_key(2048, private=True)
        data = fresh.as_dict(private=True)
        data["kid"] = fresh.thumbprint()
        _write_exclusive(path, json.dumps(data))
    key = JWKRegistry.import_key(json.loads(path.read_text()))
    if not isinstance(key, RSAKey):
        raise RuntimeError(f"{path} is not an RSA key")
    return key


def ensure_keys(settings: GatewaySettings) -> dict[str, Any]:
    """Create (outside production) and publish the keys; returns the internal JWKS. Run by
    the launcher before services start, so they find the gateway's keys at once."""
    _signer, jwks = internal_signer(settings)
    publish_internal_jwks(settings, jwks)
    if settings.dev_idp_enabled:
        load_dev_idp_key(settings)
    return jwks
