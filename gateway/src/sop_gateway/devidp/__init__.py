"""The development identity provider: a small OIDC provider inside the gateway, on only when
SOP_ENV=development, with seeded demo clients and users."""
