"""Chart of accounts, cost centres and analysis codes: the ledger's reference data."""
