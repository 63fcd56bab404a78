"""The independent computation: what the read models must say at the end of the day, from the
generated input alone. It uses no service code; it only counts what the plan asked for."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tests.faults.day import WAREHOUSE, Day


@dataclass(frozen=True)
class Expected:
    shop_sales: frozenset[str]
    """client_txn_id of every till sale: each must be recorded and applied exactly once."""
    shop_returns: frozenset[str]
    online_orders: int
    units_sold_per_sku_at: dict[tuple[str, str], int]
    """(sku, location) -> units that end sold or returned there (a returned unit was sold once)."""
    handed_over: dict[int, str]
    """unit index -> the till sale that handed it over."""
    available: dict[tuple[str, str], int]
    """(sku, location) -> what inventory must show available at the end, devices and accessories."""
    purchases_per_customer: dict[str, int]
    """Online customers' purchases: each must be on their CRM timeline."""
    malformed: dict[str, int]
    """Malformed inputs per channel."""
    voucher_balances: dict[int, int]
    """voucher index -> its balance at the end (minor units): issued less what its order paid."""


def expected(day: Day) -> Expected:
    received: Counter[tuple[str, str]] = Counter()
    for unit in day.units:
        received[(unit.sku, unit.location_id)] += 1
    sold: Counter[tuple[str, str]] = Counter()
    handed_over: dict[int, str] = {}
    accessories_sold: Counter[tuple[str, str]] = Counter()
    for sale in day.shop_sales:
        for line in sale.lines:
            if line.kind == "refurbished_device":
                assert line.unit_index is not None
                sold[(line.sku, sale.shop_id)] += 1
                handed_over[line.unit_index] = sale.client_txn_id
            else:
                accessories_sold[(line.sku, sale.shop_id)] += line.quantity
    for order in day.online_orders:
        sold[(order.sku, WAREHOUSE)] += 1
    available = {key: received[key] - sold[key] for key in received}
    for key, quantity in day.accessory_receipts.items():
        available[key] = quantity - accessories_sold[key]
    balances = {v.index: v.amount for v in day.vouchers}
    for order in day.online_orders:
        if order.voucher is not None:
            balances[order.voucher] -= order.voucher_pays
    return Expected(
        shop_sales=frozenset(s.client_txn_id for s in day.shop_sales),
        shop_returns=frozenset(r.client_txn_id for r in day.shop_returns),
        online_orders=len(day.online_orders),
        units_sold_per_sku_at=dict(sold),
        handed_over=handed_over,
        available=available,
        purchases_per_customer=dict(Counter(o.customer_id for o in day.online_orders)),
        malformed=dict(Counter(m.channel for m in day.malformed)),
        voucher_balances=balances,
    )
