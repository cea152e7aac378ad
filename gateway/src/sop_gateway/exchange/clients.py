"""The services as clients of the gateway, from the platform config's `services.<name>.client`:
each one's client id, the public keys its client assertions are signed with (a JWKS file,
re-read when it changes, or a JWKS URL), its scope allow-list, and whether it may act for a
named tenant without a person's token (scheduled work)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sop_gateway.identity.config import TENANT_SCOPES
from sop_gateway.identity.jwks import Key, KeySource, import_public_keys
from sop_shared.platform_config import PlatformConfig

log = logging.getLogger("sop.gateway.exchange")


@dataclass(frozen=True, slots=True)
class ServiceClient:
    client_id: str  # `sop-<service>` unless configured
    service: str
    scopes: frozenset[str]  # the allow-list
    scheduled: bool
    keys: KeySource

    @property
    def audience(self) -> str:
        """The audience of the internal tokens this service receives (its subject tokens)."""
        return f"sop-{self.service}"


class FileKeys(KeySource):
    """A JWKS file, read again whenever it changes: in development a service writes its
    generated key's JWKS on first use, which may be after the gateway started. No file, no
    keys (every assertion is refused until it appears)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._stamp: tuple[int, int] | None = None

    async def _refresh(self) -> None:
        try:
            stat = self.path.stat()
        except OSError:
            self._by_kid, self._stamp = {}, None
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        try:
            data = json.loads(await asyncio.to_thread(self.path.read_text))
        except (OSError, ValueError) as exc:
            log.warning("cannot read client keys %s: %s", self.path, exc)
            return
        self._by_kid = import_public_keys(data if isinstance(data, dict) else {})
        self._stamp = stamp

    async def key(self, kid: str | None, alg: str) -> Key:
        await self._refresh()
        return await super().key(kid, alg)


RemoteKeysFor = Callable[[str, str], KeySource]


def service_clients(
    platform: PlatformConfig, remote_keys: RemoteKeysFor
) -> dict[str, ServiceClient]:
    """Every configured client by client id. A client whose allow-list holds anything but
    tenant scopes (never `platform:*`), or that has no keys, stops the gateway from starting."""
    clients: dict[str, ServiceClient] = {}
    for name, endpoint in platform.services.items():
        config = endpoint.client
        if config is None:
            continue
        client_id = config.client_id or f"sop-{name}"
        if client_id in clients:
            raise RuntimeError(f"services {clients[client_id].service} and {name}: same client id")
        outside = sorted(config.allowed_scopes - set(TENANT_SCOPES))
        if outside:
            raise RuntimeError(
                f"service {name}: client scopes {' '.join(outside)} are not tenant scopes"
            )
        keys: KeySource
        if config.jwks_url:
            keys = remote_keys(client_id, config.jwks_url)
        elif config.jwks_file:
            keys = FileKeys(Path(config.jwks_file))
        else:
            raise RuntimeError(f"service {name}: its client needs `jwks_file` or `jwks_url`")
        clients[client_id] = ServiceClient(
            client_id=client_id,
            service=name,
            scopes=config.allowed_scopes,
            scheduled=config.scheduled,
            keys=keys,
        )
    return clients
