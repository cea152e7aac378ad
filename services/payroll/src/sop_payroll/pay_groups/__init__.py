"""Pay groups: who is paid together, how often, on which day, and as which PAYE scheme."""
