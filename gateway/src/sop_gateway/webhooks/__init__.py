"""Webhooks for integrators: a tenant's subscriptions to platform events, delivered as signed
HTTP POSTs (Standard Webhooks) with retries, a delivery log and replay. See docs/webhooks.md."""
