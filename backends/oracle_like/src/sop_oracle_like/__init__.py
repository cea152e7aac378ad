"""sop_oracle_like."""
