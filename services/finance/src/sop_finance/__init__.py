"""sop_finance."""
