"""The simulators' login check: HTTP basic or bearer credentials against the settings."""

from __future__ import annotations

import base64
import binascii
import secrets

from sop_simulation.settings import SimulatorSettings

__all__ = ["authenticate"]


def authenticate(authorization: str | None, settings: SimulatorSettings) -> str | None:
    """The principal named by an HTTP basic or bearer Authorization header, or None if refused."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    scheme = scheme.lower()
    credentials = credentials.strip()
    if scheme == "bearer":
        for token in settings.accepted_tokens:
            if secrets.compare_digest(credentials.encode(), token.encode()):
                return settings.username
        return None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        if not sep:
            return None
        # SuccessFactors-style "user@companyId" logins name the same user.
        bare_user = user.split("@", 1)[0] if "@" in user and "@" not in settings.username else user
        user_ok = secrets.compare_digest(bare_user.encode(), settings.username.encode())
        password_ok = secrets.compare_digest(password.encode(), settings.password.encode())
        return bare_user if user_ok and password_ok else None
    return None
