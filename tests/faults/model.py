"""The independent computation: what the read models must say at the end of the day, from the
generated input alone. It uses no service code; it only counts what the plan asked for."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tests.faults.day import (
    GRADES,
    PLAN_PRICE_MINOR,
    VOUCHER_BONUS_BPS,
    WAREHOUSE,
    Day,
    OnlineOrder,
    Repair,
    ShopSale,
    TradeIn,
)


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
    """voucher index -> its balance at the end (minor units): issued less what its order or till
    sale paid."""
    voucher_issued: dict[int, int]
    """voucher index -> what it was issued for: by hand, or its trade-in's payout in credit."""
    trade_ins: dict[int, TradeInOutcome]
    """trade-in index -> how it ends."""
    repairs: dict[int, RepairOutcome]
    """repair index -> how its ticket ends."""
    plan_charges: tuple[int, ...]
    """What each subscription is charged, one charge per period: the first month when it starts,
    the second when the renewal run (as of a month and a few days later) renews it."""


@dataclass(frozen=True)
class RepairOutcome:
    coverage: str  # "plan" or "paid"
    charged: int  # what the customer pays for the repair (0: covered, or declined)
    path: tuple[str, ...]
    """Every status its ticket moves to, in order: its history must be exactly this."""


def repair_outcome(r: Repair) -> RepairOutcome:
    """Covered on the plan, a diagnosis goes on to the parts; paid, it is quoted the estimate
    first, and a declined quote sends the device back unrepaired. Waiting for parts only when
    some are needed (an accepted quote needing none goes back to `diagnosed`, ready to start);
    a failed quality check repairs it again; left at a shop, it waits there for its owner."""
    path = ["received", "diagnosed"]
    if not r.subscribes:
        path.append("quoted")
        if not r.accepts_quote:
            return RepairOutcome("paid", 0, (*path, "returned_unrepaired", "closed"))
        path.append("waiting_for_parts" if r.parts else "diagnosed")
    elif r.parts:
        path.append("waiting_for_parts")
    path += ["in_repair", "repaired"]
    if r.fails_quality:
        path += ["in_repair", "repaired"]
    path += ["quality_checked", "ready_for_pickup", "closed"]
    return RepairOutcome("plan" if r.subscribes else "paid", 0 if r.subscribes else r.estimate, tuple(path))


@dataclass(frozen=True)
class TradeInOutcome:
    status: str  # "paid" or "returned"
    paid: int | None  # minor units paid (the credit's bonus included); None when returned
    method: str | None  # how it was paid
    path: tuple[str, ...]
    """Every status it passes through, in order, each once: its history must be exactly this."""


def trade_in_outcome(t: TradeIn, buy_back: dict[tuple[str, str], int]) -> TradeInOutcome:
    """Quoted at the declared grade's price; a worse grade found at the centre lowers the offer to
    that grade's price (a counter-offer the customer accepts or declines), a better one changes
    nothing; paid in credit, the offer plus the bonus (rounded down)."""
    offered = buy_back[(t.family, t.declared)]
    path = ["quoted", "accepted", "in_transit", "received"]
    if GRADES.index(t.graded) > GRADES.index(t.declared) and buy_back[(t.family, t.graded)] < offered:
        path.append("counter_offered")
        if not t.accepts_counter:
            return TradeInOutcome("returned", None, None, (*path, "returning", "returned"))
        offered = buy_back[(t.family, t.graded)]
    path += ["inspected", "paid"]
    paid = offered + offered * VOUCHER_BONUS_BPS // 10_000 if t.payout_method == "voucher" else offered
    return TradeInOutcome("paid", paid, t.payout_method, tuple(path))


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
    trade_ins = {t.index: trade_in_outcome(t, day.buy_back) for t in day.trade_ins}
    issued: dict[int, int] = {}
    for v in day.vouchers:
        paid = trade_ins[v.trade_in].paid if v.trade_in is not None else v.amount
        assert paid is not None, "the day spends only the credit of trade-ins it pays"
        issued[v.index] = paid
    balances = dict(issued)
    spendings: list[OnlineOrder | ShopSale] = [*day.online_orders, *day.shop_sales]
    for spending in spendings:
        if spending.voucher is not None:
            balances[spending.voucher] -= spending.voucher_pays
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
        voucher_issued=issued,
        trade_ins=trade_ins,
        repairs={r.index: repair_outcome(r) for r in day.repairs},
        plan_charges=(PLAN_PRICE_MINOR, PLAN_PRICE_MINOR),
    )
