"""The tax years the engine has rules for, and their headline rates and thresholds."""
