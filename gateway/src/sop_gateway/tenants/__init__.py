"""Tenants: the registry of departments, their clusters and issuers, and onboarding."""
