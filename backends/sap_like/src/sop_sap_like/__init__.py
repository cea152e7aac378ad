"""sop_sap_like: a simulated SAP-SuccessFactors-like OData v2 suite (Employee Central entities)."""
