"""sop_payroll."""
