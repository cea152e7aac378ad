"""sop_sap_like."""
