"""The staff scopes of the trade-in edge; customers act with their own token (`customer()`)."""

from __future__ import annotations

READ = "trade-in:read"
"""Staff reads: trade-ins, their history, per-shop grading accuracy."""
PRICING = "trade-in:pricing"
"""The buy-back grid and the deny list."""
INSPECT = "trade-in:inspect"
"""The centre and the shops' counters: quotes on a customer's behalf, receipt, inspection, holds, returns."""
PAYOUT = "trade-in:payout"
"""Paying customers (a bank transfer or a store-credit voucher)."""
VOUCHERS = "trade-in:vouchers"
"""Staff voucher reads and vouchers issued by hand."""
