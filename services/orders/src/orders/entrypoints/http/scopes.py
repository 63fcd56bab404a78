"""What a staff token must hold to call orders' warehouse routes (`reloop_shared.http.authentication`).

The rest of the edge is the customer's: a SKU's price and availability are public, carts, checkout
and the customer's own order need their storefront token, whose subject is the customer id."""

from __future__ import annotations

WAREHOUSE = "orders:warehouse"
"""Fulfil, deliver and receive a return, on any order."""
