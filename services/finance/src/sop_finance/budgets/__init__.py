"""Budgets by cost centre, account and period; commitments; budget availability."""
