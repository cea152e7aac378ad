"""Bulk import of employees from CSV: all rows valid, or nothing written."""
