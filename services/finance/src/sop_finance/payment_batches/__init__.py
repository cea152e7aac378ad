"""Payment batches: BACS payments another system (payroll's net pay) sends finance to pay."""
