"""Ledger reports read from maintained balances: account balances, trial balance, cost centre
income and expenditure."""
