"""Payroll's adapters: `native` (the rules packaged with the engine)."""
