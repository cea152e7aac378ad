"""Who is calling and in which request: the principal and request ids, kept in context vars."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller, as the gateway's internal token names it."""

    subject: str
    client_id: str
    tenant: str | None
    cluster: str | None
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_id: str = ""
    # The service acting for `subject` (token exchange's `act` claim, RFC 8693 4.1): set when
    # a service called on a person's behalf (or for scheduled work), None for a direct call.
    acting_service: str | None = None

    def has(self, *scopes: str) -> bool:
        return all(s in self.scopes for s in scopes)


request_id_var: ContextVar[str] = ContextVar("sop_request_id", default="")
trace_id_var: ContextVar[str] = ContextVar("sop_trace_id", default="")
traceparent_var: ContextVar[str] = ContextVar("sop_traceparent", default="")
principal_var: ContextVar[Principal | None] = ContextVar("sop_principal", default=None)
