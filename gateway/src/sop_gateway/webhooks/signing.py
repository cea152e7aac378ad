"""Standard Webhooks signing: secrets (`whsec_` + base64 of 32 random bytes) and the
`webhook-*` headers, signed with every secret in force (a rotated one overlaps for a while)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(
    keys: Sequence[str], msg_id: str, body: bytes, moment: datetime | None = None
) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp`, `webhook-signature` (one `v1,...` per secret,
    space-separated) and the content type, for `body` exactly as sent."""
    moment = moment or datetime.now(UTC)
    signatures = " ".join(Webhook(key).sign(msg_id, moment, body) for key in keys)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }
