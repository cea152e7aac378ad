"""Journals: drafts, approval, posting into periods, and reversal."""
