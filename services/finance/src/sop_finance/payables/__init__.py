"""Accounts payable: suppliers' bank details, supplier invoices, payment runs and BACS files."""
