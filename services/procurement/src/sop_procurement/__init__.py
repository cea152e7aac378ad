"""SOP procurement: suppliers, requisitions, approval by delegated authority, purchase orders
and their finance commitments (receipts and matching to come)."""
