"""Ledger reports, read from maintained balances."""
