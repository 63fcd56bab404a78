"""The staff scopes of the repair edge; customers act with their own token (`customer()`)."""

from __future__ import annotations

READ = "repair:read"
"""Staff reads: tickets, their history, subscriptions, parts stock."""
SUBSCRIPTIONS = "repair:subscriptions"
"""Subscribing a customer in a shop, cancelling, billing reads, the local ledger's scripted failures."""
WORKSHOP = "repair:workshop"
"""Intake by mail for a customer, diagnosis, quotes, the workshop's steps, parts receipts."""
PLANS = "repair:plans"
"""The business's per-market plan settings."""
