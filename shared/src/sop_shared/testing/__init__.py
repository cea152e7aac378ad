"""Test support shipped with the kernel: the PostgreSQL chain, internal tokens, app clients."""
