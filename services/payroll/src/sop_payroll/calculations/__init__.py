"""The calculator: income tax, National Insurance and whole payslips, on request."""
