"""SOP payroll: the UK gross-to-net engine and its calculator API (pay runs come later)."""
