"""Working days: UK bank holidays by division, and the count of working days in a span."""
