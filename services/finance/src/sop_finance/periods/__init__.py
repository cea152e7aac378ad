"""Financial years (1 April - 31 March), their accounting periods, and year-end close."""
