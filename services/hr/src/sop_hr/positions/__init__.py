"""Positions: budgeted posts in an org unit, filled by employees' current terms."""
