"""OAuth 2.0 Token Exchange (RFC 8693) for service-to-service calls: services authenticate as
themselves (private_key_jwt, RFC 7523) and obtain a short-lived token for the person's tenant
with their allow-listed scopes and an `act` claim naming them (ADR 0108)."""
