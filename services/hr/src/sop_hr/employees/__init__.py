"""Employees: the person's employment record, payroll and bank details, leavers."""
