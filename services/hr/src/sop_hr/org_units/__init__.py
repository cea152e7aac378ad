"""Org units: the department's hierarchy of teams, each with a cost centre."""
