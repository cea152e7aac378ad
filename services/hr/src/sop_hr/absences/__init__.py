"""Absences and leave: leave types, requests and decisions, working days, entitlement."""
