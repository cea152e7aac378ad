"""sop_oracle_like: a simulated Oracle-Fusion-like HCM REST suite (ADF resources)."""
