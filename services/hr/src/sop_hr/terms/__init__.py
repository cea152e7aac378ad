"""Employment terms: effective-dated org unit, position, grade, FTE, salary and contract."""
