"""sop_hr."""
