"""External identity: trusted OIDC issuers, their keys, token verification, internal tokens."""
