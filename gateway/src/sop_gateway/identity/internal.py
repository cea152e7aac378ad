"""Internal tokens for upstream calls, minted once per caller, service and scopes and reused
for their lifetime (refreshed a minute before expiry), so the hot path rarely signs."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from sop_gateway.identity.verifier import Identity
from sop_shared.security import InternalTokenSigner

REFRESH_MARGIN = 60


class InternalTokens:
    def __init__(
        self,
        signer: InternalTokenSigner,
        *,
        cache_size: int = 20_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.signer = signer
        self._cache: OrderedDict[tuple[object, ...], tuple[str, float]] = OrderedDict()
        self._cache_size = cache_size
        self._clock = clock

    def for_service(self, identity: Identity, *, service: str, cluster: str | None) -> str:
        """A token for `sop-<service>` carrying only that service's scopes (`hr:*` for hr):
        a service never holds a token it could replay against another."""
        prefix = service + ":"
        scopes = frozenset(s for s in identity.scopes if s.startswith(prefix))
        return self.mint(
            audience=f"sop-{service}",
            subject=identity.subject,
            client_id=identity.client_id,
            tenant=identity.tenant,
            cluster=cluster,
            scopes=scopes,
            actors=identity.actors,
        )

    def mint(
        self,
        *,
        audience: str,
        subject: str,
        client_id: str,
        tenant: str | None,
        cluster: str | None,
        scopes: frozenset[str],
        actors: tuple[str, ...] = (),
    ) -> str:
        """`actors` (the services acting for `subject`) travel as the `act` claim, so the
        service records who acted for whom."""
        key = (audience, subject, client_id, tenant, cluster, scopes, actors)
        now = self._clock()
        hit = self._cache.get(key)
        if hit is not None and hit[1] - REFRESH_MARGIN > now:
            return hit[0]
        token, expires = self.signer.sign(
            audience=audience,
            subject=subject,
            client_id=client_id,
            tenant=tenant,
            cluster=cluster,
            scopes=scopes,
            now=int(now),
            actors=actors,
        )
        self._cache[key] = (token, float(expires))
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return token
