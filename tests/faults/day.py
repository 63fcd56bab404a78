"""The generated omnichannel day: everything the fault suite sends, decided up front from one seed.

Nothing here talks to a service. Units are named by their index in the plan (`unit-<n>`); inventory
gives them their real ids when they are received, and the driver keeps the mapping. The plan is
built so every sale can be served: per SKU the warehouse holds more units than the online orders
ask for, and each shop sells only units on its own shelf, so the exact expected end state follows
from the plan alone (`model.py`), whatever the interleaving under faults."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

MARKET = "FR"
CURRENCY = "EUR"
WAREHOUSE = "flt-wh"
HAND_VOUCHER_EVERY = 50
"""Every fiftieth online order spends a voucher issued by hand (a goodwill gesture); the other
vouchers the day spends are trade-ins paid in store credit."""
GRADES = ("premium", "excellent", "very_good", "good", "fair")
"""Trade-in's grades, best first (a grade's position is its rank)."""
TRADE_IN_STORAGE_GB = 128
VOUCHER_BONUS_BPS = 1000
"""Store credit is worth the offer plus 10% (the fault stack sets trade-in's bonus to this)."""
PLAN_PRICE_MINOR = 699
"""The repair plan's monthly price in the day's market (the fault stack sets repair's to this)."""
REPAIR_CENTRE = "FLT-CENTRE-LYON"
"""Where the market's tickets go (the fault stack sets repair's centre of the market to this)."""
REPAIR_PART = "FLT-SCREEN-01"
"""The one part the day's repairs fit; the centre holds far more than they need."""
LEAST_BUY_BACK = 4000
"""No grid price is below this, so a voucher's payment planned up to it always fits the voucher."""


@dataclass(frozen=True)
class Unit:
    index: int
    sku: str
    location_id: str


@dataclass(frozen=True)
class ShopLine:
    line_id: str
    kind: str  # "refurbished_device" or "accessory"
    sku: str
    quantity: int
    price_minor: int
    unit_index: int | None = None


@dataclass(frozen=True)
class ShopSale:
    client_txn_id: str
    shop_id: str
    minute: int  # minute of the day it happened at the till
    lines: tuple[ShopLine, ...]
    voucher: int | None = None  # index in `Day.vouchers` of the store credit paying part of it
    voucher_pays: int = 0  # minor units the voucher pays (held first by the till); the card pays the rest

    @property
    def total(self) -> int:
        return sum(x.price_minor * x.quantity for x in self.lines)


@dataclass(frozen=True)
class ShopReturn:
    client_txn_id: str
    shop_id: str
    minute: int
    sale: ShopSale
    line: ShopLine


@dataclass(frozen=True)
class OnlineOrder:
    key: str  # the Idempotency-Key of its checkout
    customer_id: str
    sku: str
    voucher: int | None = None  # index in `Day.vouchers` of the store credit paying part of it
    voucher_pays: int = 0  # minor units the voucher pays; the card pays the rest


@dataclass(frozen=True)
class Voucher:
    """Store credit spent on part of one online order: a trade-in's payout in credit (issued when
    the day pays that trade-in), or issued by hand before the day (`amount`)."""

    index: int
    customer_id: str
    amount: int | None = None  # minor units issued by hand; None: what its trade-in pays
    trade_in: int | None = None  # index in `Day.trade_ins` of the trade-in paid with it


@dataclass(frozen=True)
class TradeIn:
    """A device a customer sells back: quoted online, accepted, mailed to the centre or handed
    over at a shop's till, received, graded, then paid (or, a counter-offer declined, returned)."""

    index: int
    customer_id: str
    family: str  # the model family its grid prices are set for
    declared: str  # the grade the customer declared at the quote
    graded: str  # the grade the centre finds
    accepts_counter: bool  # the customer's answer if the centre's grade lowers the offer
    payout_method: str  # "voucher" or "bank_transfer"
    shop_id: str | None = None  # the shop whose till collects it; None: mailed
    voucher: int | None = None  # index in `Day.vouchers` of the credit it pays, spent online


@dataclass(frozen=True)
class Repair:
    """A device left at a shop's till for repair. A customer on the repair plan (subscribed just
    before) is covered; the others are quoted the estimate and accept or decline it. The workshop
    takes the device through its steps (parts, repair, quality check, failed once for some) and
    back to the shop, where the customer picks it up."""

    index: int
    customer_id: str
    shop_id: str
    subscribes: bool  # on the plan: the repair is covered
    estimate: int  # minor units: what a paid repair costs
    accepts_quote: bool  # a paid repair's answer; a declined one goes back unrepaired
    parts: int  # of the day's part, fitted in the repair (0: none needed)
    fails_quality: bool  # the first quality check fails: repaired twice


@dataclass(frozen=True)
class Malformed:
    key: str
    channel: str  # "pos-body", "checkout-body", "kafka-bytes", "kafka-version"


@dataclass
class Day:
    seed: int
    devices: dict[str, int]  # sku -> price
    accessories: dict[str, int]
    shops: list[str]
    offline_shops: list[str]  # their tills upload the whole day's backlog late
    units: list[Unit]
    accessory_receipts: dict[tuple[str, str], int]  # (sku, location) -> quantity received
    shop_sales: list[ShopSale] = field(default_factory=list)
    shop_returns: list[ShopReturn] = field(default_factory=list)
    online_orders: list[OnlineOrder] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)
    vouchers: list[Voucher] = field(default_factory=list)
    buy_back: dict[tuple[str, str], int] = field(default_factory=dict)  # (family, grade) -> grid price
    trade_ins: list[TradeIn] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)

    @property
    def business_events(self) -> int:
        """What the day asks of the system: receipts, sales (shop and online), returns, malformed
        inputs, trade-ins, vouchers issued (each redemption is part of its online sale)."""
        return (
            len(self.vouchers)
            + len(self.trade_ins)
            + len(self.repairs)
            + sum(1 for r in self.repairs if r.subscribes) * 2  # a subscription, and its renewal
            + len(self.units)
            + len(self.accessory_receipts)
            + len(self.shop_sales)
            + len(self.shop_returns)
            + len(self.online_orders)
            + len(self.malformed)
        )

    def shop_transactions(self, shop_id: str) -> list[ShopSale | ShopReturn]:
        """One till's journal in the order it happened (a return always after its sale)."""
        journal: list[ShopSale | ShopReturn] = [s for s in self.shop_sales if s.shop_id == shop_id]
        journal += [r for r in self.shop_returns if r.shop_id == shop_id]
        return sorted(journal, key=lambda t: (t.minute, isinstance(t, ShopReturn), t.client_txn_id))


def generate(seed: int, scale: float = 1.0) -> Day:
    """A day of about 22,600 business events at scale 1 (mostly shop transactions, which cost the
    least to send; trade-ins and repairs, which cost the most, a few hundred), scaled linearly."""
    rng = random.Random(seed)
    tag = f"{seed:x}".upper()[-6:]
    n_devices, n_accessories, n_shops = 10, 4, 6
    devices = {f"FLT{tag}-D{i:02d}": rng.randrange(9900, 89900, 100) for i in range(n_devices)}
    accessories = {f"FLT{tag}-A{i:02d}": rng.randrange(990, 4990, 10) for i in range(n_accessories)}
    shops = [f"flt-{tag.lower()}-shop-{i}" for i in range(n_shops)]
    offline = shops[-2:]

    n_online = round(1200 * scale)
    n_shop_sales = round(17000 * scale)
    device_share = 0.12  # of shop sales, the rest sells accessories
    n_shop_device_sales = round(n_shop_sales * device_share)

    # Units: the warehouse holds the online demand plus a margin; each shop holds its device sales plus a margin.
    online_per_sku = {sku: 0 for sku in devices}
    orders: list[OnlineOrder] = []
    vouchers: list[Voucher] = []
    for i in range(n_online):
        sku = rng.choice(list(devices))
        online_per_sku[sku] += 1
        customer = f"flt-{tag}-c{rng.randrange(max(1, n_online // 4))}"
        if i % HAND_VOUCHER_EVERY == 0:  # a few spend store credit issued by hand
            voucher = Voucher(len(vouchers), customer, amount=rng.randrange(3000, 9000, 100))
            vouchers.append(voucher)
            pays = min(voucher.amount or 0, devices[sku] - 100) - rng.randrange(0, 2000, 100)
            orders.append(OnlineOrder(f"flt-{tag}-o{i}", customer, sku, voucher.index, pays))
        else:
            orders.append(OnlineOrder(f"flt-{tag}-o{i}", customer, sku))
    # Trade-ins collected at a shop go through the connected tills (an offline one uploads late).
    counters = [shop for shop in shops if shop not in offline]
    units: list[Unit] = []
    for sku, wanted in online_per_sku.items():
        units += [Unit(len(units) + k, sku, WAREHOUSE) for k in range(wanted + 5)]
    shop_device_demand = {shop: n_shop_device_sales // n_shops + 1 for shop in shops}
    shelf: dict[str, list[Unit]] = {}
    for shop in shops:
        stocked = [Unit(len(units) + k, rng.choice(list(devices)), shop) for k in range(shop_device_demand[shop] + 10)]
        units += stocked
        shelf[shop] = rng.sample(stocked, len(stocked))  # the order the till hands them over

    receipts = {(sku, shop): 0 for sku in accessories for shop in shops}
    sales: list[ShopSale] = []
    for i in range(n_shop_sales):
        shop = shops[i % n_shops]
        minute = rng.randrange(9 * 60, 20 * 60)
        txn = f"flt-{tag}-s{i}"
        lines: list[ShopLine] = []
        if i < n_shop_device_sales and shelf[shop]:
            unit = shelf[shop].pop()
            lines.append(ShopLine("1", "refurbished_device", unit.sku, 1, devices[unit.sku], unit.index))
        for n in range(rng.choice((1, 1, 2)) if not lines else rng.choice((0, 1))):
            sku = rng.choice(list(accessories))
            quantity = rng.choice((1, 1, 2, 3))
            receipts[(sku, shop)] += quantity
            lines.append(ShopLine(str(len(lines) + 1 + n), "accessory", sku, quantity, accessories[sku]))
        sales.append(ShopSale(txn, shop, minute, tuple(_renumbered(lines))))
    # Received: what is sold plus a margin the day never touches.
    accessory_receipts = {key: sold + 20 for key, sold in receipts.items()}
    buy_back, trade_ins = _trade_ins(rng, tag, round(160 * scale), orders, sales, vouchers, devices, counters)

    device_sales = [s for s in sales if s.lines[0].kind == "refurbished_device"]
    returns = [
        ShopReturn(
            f"flt-{tag}-r{i}", sale.shop_id, min(sale.minute + rng.randrange(5, 120), 20 * 60 + 59), sale, sale.lines[0]
        )
        for i, sale in enumerate(rng.sample(device_sales, min(len(device_sales), round(300 * scale))))
    ]
    day = Day(seed, devices, accessories, shops, offline, units, accessory_receipts, sales, returns, orders)
    day.vouchers, day.buy_back, day.trade_ins = vouchers, buy_back, trade_ins
    day.repairs = [
        Repair(
            i,
            f"flt-{tag}-rc{i}",
            counters[i % len(counters)],
            subscribes=rng.random() < 0.6,
            estimate=rng.randrange(4900, 19900, 100),
            accepts_quote=rng.random() < 0.7,
            parts=rng.choice((0, 1, 1, 2)),
            fails_quality=rng.random() < 0.15,
        )
        for i in range(round(120 * scale))
    ]
    n_malformed = max(8, round(day.business_events * 0.01))
    channels = ("pos-body", "checkout-body", "kafka-bytes", "kafka-version")
    day.malformed = [Malformed(f"flt-{tag}-m{i}", channels[i % len(channels)]) for i in range(n_malformed)]
    return day


def _renumbered(lines: list[ShopLine]) -> list[ShopLine]:
    return [ShopLine(str(n + 1), x.kind, x.sku, x.quantity, x.price_minor, x.unit_index) for n, x in enumerate(lines)]


def _trade_ins(
    rng: random.Random,
    tag: str,
    n: int,
    orders: list[OnlineOrder],
    sales: list[ShopSale],
    vouchers: list[Voucher],
    devices: dict[str, int],
    counters: list[str],
) -> tuple[dict[tuple[str, str], int], list[TradeIn]]:
    """The buy-back grid (three model families, one storage, every grade) and `n` trade-ins. Most
    are paid in store credit that their customer spends in the later part of the day (waiting for
    the credit, as a customer would): on an online order, or, one in four, at a connected shop's
    till on an accessories sale (never returned: returns take back devices); a quarter are paid by
    bank transfer; a device graded worse than declared gets a counter-offer, a third declined."""
    families = [f"flt-{tag.lower()}-fam{k}" for k in range(3)]
    buy_back: dict[tuple[str, str], int] = {}
    for family in families:
        base = rng.randrange(9000, 30000, 100)
        for rank, grade in enumerate(GRADES):
            buy_back[(family, grade)] = max(LEAST_BUY_BACK, base * (10 - rank) // 1000 * 100)
    # The orders that may spend a trade-in's credit: the later 60%, with no voucher yet.
    spenders = [i for i in range(len(orders) * 2 // 5, len(orders)) if orders[i].voucher is None]
    rng.shuffle(spenders)
    at_tills = [
        i
        for i, s in enumerate(sales)
        if s.shop_id in counters and s.minute >= 14 * 60 and s.lines[0].kind == "accessory" and s.total >= 2000
    ]
    rng.shuffle(at_tills)
    trade_ins: list[TradeIn] = []
    for i in range(n):
        declared = rng.choice(GRADES[1:4])
        rank = GRADES.index(declared)
        drift = rng.choices((0, -1, 1, 2), weights=(60, 10, 20, 10))[0]
        graded = GRADES[min(max(rank + drift, 0), len(GRADES) - 1)]
        accepts = rng.random() < 2 / 3
        method = "voucher" if rng.random() < 0.75 else "bank_transfer"
        collected = counters[i % len(counters)] if i % 3 == 0 else None  # a third handed over at a till
        ends_paid = drift <= 0 or accepts
        if method == "voucher" and ends_paid and i % 4 == 3 and at_tills:
            sale_at = at_tills.pop()
            sale = sales[sale_at]
            customer = f"flt-{tag}-tc{i}"
            voucher = Voucher(len(vouchers), customer, trade_in=i)
            vouchers.append(voucher)
            pays = rng.randrange(500, min(LEAST_BUY_BACK, sale.total - 100), 10)
            sales[sale_at] = replace(sale, voucher=voucher.index, voucher_pays=pays)
            spent = voucher.index
        elif method == "voucher" and ends_paid and spenders:
            order_at = spenders.pop()
            order = orders[order_at]
            voucher = Voucher(len(vouchers), order.customer_id, trade_in=i)
            vouchers.append(voucher)
            pays = min(LEAST_BUY_BACK, devices[order.sku] - 100) - rng.randrange(0, 2000, 100)
            orders[order_at] = replace(order, voucher=voucher.index, voucher_pays=pays)
            customer, spent = order.customer_id, voucher.index
        else:
            customer, spent = f"flt-{tag}-tc{i}", None
        family = rng.choice(families)
        trade_ins.append(TradeIn(i, customer, family, declared, graded, accepts, method, collected, spent))
    return buy_back, trade_ins
