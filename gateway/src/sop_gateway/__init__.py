"""sop_gateway: identity, tenancy, routing, limits, docs, the dev IdP and the `sop` CLI."""

__version__ = "0.1.0"
