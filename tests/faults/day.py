"""The generated omnichannel day: everything the fault suite sends, decided up front from one seed.

Nothing here talks to a service. Units are named by their index in the plan (`unit-<n>`); inventory
gives them their real ids when they are received, and the driver keeps the mapping. The plan is
built so every sale can be served: per SKU the warehouse holds more units than the online orders
ask for, and each shop sells only units on its own shelf, so the exact expected end state follows
from the plan alone (`model.py`), whatever the interleaving under faults."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

MARKET = "FR"
CURRENCY = "EUR"
WAREHOUSE = "flt-wh"
VOUCHER_EVERY = 10
"""Every tenth online order pays part of its price with a voucher of its own."""


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
    """Store credit trade-in issued to a customer before the day (as a trade-in paid in credit
    would), spent on part of one online order during the day."""

    index: int
    customer_id: str
    amount: int  # minor units issued


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

    @property
    def business_events(self) -> int:
        """What the day asks of the system: receipts, sales (shop and online), returns, malformed
        inputs, vouchers issued (each redemption is part of its online sale)."""
        return (
            len(self.vouchers)
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
    """A day of about 21,000 business events at scale 1 (mostly shop transactions, which cost the
    least to send), scaled linearly."""
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
        if i % VOUCHER_EVERY == 0:  # a tenth of the orders spend store credit on part of the price
            voucher = Voucher(len(vouchers), customer, rng.randrange(3000, 9000, 100))
            vouchers.append(voucher)
            pays = min(voucher.amount, devices[sku] - 100) - rng.randrange(0, 2000, 100)
            orders.append(OnlineOrder(f"flt-{tag}-o{i}", customer, sku, voucher.index, pays))
        else:
            orders.append(OnlineOrder(f"flt-{tag}-o{i}", customer, sku))
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

    device_sales = [s for s in sales if s.lines[0].kind == "refurbished_device"]
    returns = [
        ShopReturn(
            f"flt-{tag}-r{i}", sale.shop_id, min(sale.minute + rng.randrange(5, 120), 20 * 60 + 59), sale, sale.lines[0]
        )
        for i, sale in enumerate(rng.sample(device_sales, min(len(device_sales), round(300 * scale))))
    ]
    day = Day(seed, devices, accessories, shops, offline, units, accessory_receipts, sales, returns, orders)
    day.vouchers = vouchers
    n_malformed = max(8, round(day.business_events * 0.01))
    channels = ("pos-body", "checkout-body", "kafka-bytes", "kafka-version")
    day.malformed = [Malformed(f"flt-{tag}-m{i}", channels[i % len(channels)]) for i in range(n_malformed)]
    return day


def _renumbered(lines: list[ShopLine]) -> list[ShopLine]:
    return [ShopLine(str(n + 1), x.kind, x.sku, x.quantity, x.price_minor, x.unit_index) for n, x in enumerate(lines)]
