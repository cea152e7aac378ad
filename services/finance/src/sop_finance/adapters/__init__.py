"""Adapters: one implementation of the finance ports per backend technology."""
