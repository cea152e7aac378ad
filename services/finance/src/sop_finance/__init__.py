"""SOP finance service: the general ledger, budgets and accounts payable of a department."""
