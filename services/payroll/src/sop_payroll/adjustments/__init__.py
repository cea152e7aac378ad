"""One-off additions and deductions for an employee in a pay group's period (overtime, a bonus,
expenses, a deduction), by API or CSV; the period's run picks them up when it calculates."""
