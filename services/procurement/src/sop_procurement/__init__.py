"""SOP procurement: suppliers, requisitions, orders, receipts and matching."""
