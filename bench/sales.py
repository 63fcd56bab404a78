"""Sales bench: SaleRecorded -> inventory (committed) -> availability event out, and the window in
which a unit just sold in a shop still shows as available on the storefront.

Inventory (and orders, for the storefront) run as their own processes, as deployed; the bench
plays the shops' tills (it publishes SaleRecorded as store-sync does) and watches the outcome.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench import process_cpu, profiles
from bench.common import kafka_options, percentile
from bench.foundation import cpu_seconds
from bench.services import ServiceProcess
from reloop_contracts import REGISTRY, NonNegativeMoney, Registry
from reloop_contracts import inventory as inventory_topics
from reloop_contracts import sales as sales_topics
from reloop_contracts.envelope import CONTENT_TYPE
from reloop_contracts.sales import PaymentLine, SaleLine, SaleRecorded
from reloop_localstack.stack import Endpoints
from reloop_shared.kafka.admin import ensure_topic_names
from reloop_shared.kafka.broker import PRODUCER_SETTINGS
from reloop_shared.kafka.headers import decode_headers
from reloop_shared.messaging.codec import Decoder, encode_event, header_for


@dataclass
class SalesFigures:
    sales: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_sale: dict[str, float] = field(default_factory=dict)
    cpu_us_per_process: dict[str, float] = field(default_factory=dict)
    """CPU microseconds per sale of each process (each inventory instance, its relay, PostgreSQL, the broker)."""
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    """Each service process's peak resident memory."""
    profile: profiles.PathProfile | None = None

    @property
    def rate(self) -> float:
        return self.sales / self.seconds


async def _stock(database_url: str, shop: str, skus: list[str]) -> list[tuple[str, str]]:
    """One unit of each SKU on a shop's shelf, written straight into inventory's tables: each sale
    then causes its own availability event, so every latency is exact."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO locations (location_id, kind, market, name) VALUES ($1, 'own_shop', 'FR', $1)", shop
        )
        await conn.copy_records_to_table(
            "skus",
            records=[(sku, "refurbished_device", "good", f"p-{sku}") for sku in skus],
            columns=["sku", "kind", "grade", "product_id"],
        )
        units = [(sku, f"{sku}-U") for sku in skus]
        await conn.copy_records_to_table(
            "units",
            records=[(unit_id, sku, "serial", unit_id, "good", shop, "available") for sku, unit_id in units],
            columns=["unit_id", "sku", "identifier_kind", "identifier", "grade", "location_id", "status"],
        )
    finally:
        await conn.close()
    return units


def _sale(shop: str, sku: str, unit_id: str) -> SaleRecorded:
    money = NonNegativeMoney(amount_minor=39900, currency="EUR")
    return SaleRecorded(
        sale_id=f"till-{uuid.uuid4().hex}",
        channel="own_shop",
        location_id=shop,
        market="FR",
        sold_at=datetime.now(UTC),
        lines=[SaleLine(line_id="1", kind="refurbished_device", sku=sku, unit_id=unit_id, unit_price=money)],
        payments=[PaymentLine(method="card", amount=money)],
        total=money,
    )


class _Tills:
    """Publishes shop sales with the headers an outbox would set; remembers when each was sold."""

    def __init__(self, endpoints: Endpoints, registry: Registry, shop: str) -> None:
        # Configured as store-sync's producer is (idempotent, acks=all, 256 KiB batches): with
        # aiokafka's 16 KiB default the tills sent many small produce requests, and the broker spent
        # 1.6-1.8 times the CPU per sale.
        self.producer = AIOKafkaProducer(
            bootstrap_servers=endpoints.kafka_bootstrap_servers, **PRODUCER_SETTINGS, **kafka_options()
        )
        self.topic = registry.same_topic(sales_topics.TRANSACTIONS).name
        self.shop = shop
        self.sold_at: dict[str, float] = {}
        self.by_sku: dict[str, str] = {}

    async def sell_all(self, units: list[tuple[str, str]], rate: float | None) -> float:
        await self.producer.start()
        started = time.time()
        pending = []
        for n, (sku, unit_id) in enumerate(units):
            if rate:
                delay = started + n / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            # As an outbox writes it: the sale validated once, serialised once.
            sale = _sale(self.shop, sku, unit_id)
            envelope = header_for(sale, producer="store-sync")
            value = encode_event(envelope, sale)
            event_id = str(envelope.event_id)
            self.sold_at[event_id] = envelope.occurred_at.timestamp()
            self.by_sku[sku] = event_id
            headers = [
                ("content-type", CONTENT_TYPE.encode()),
                ("event-type", b"SaleRecorded"),
                ("schema-version", b"1"),
                ("event-id", event_id.encode()),
            ]
            pending.append(await self.producer.send(self.topic, value, key=sku.encode(), headers=headers))
        # Every record acknowledged, or the first failure raised; without gathering tens of
        # thousands of futures (a callback each), which cost the tills a tenth of their CPU.
        await self.producer.flush()
        for sent in pending:
            sent.result()
        await self.producer.stop()
        return started


async def shop_sales(
    endpoints: Endpoints,
    sales: int,
    *,
    separate_relay: bool = False,
    rate: float | None = None,
    instances: int = 1,
    partitions: int | None = None,
    profile_seconds: float = 0.0,
) -> SalesFigures:
    """Sustained throughput: `sales` shop sales published flat out (or at `rate` per second); each
    is timed from the sale to the availability event inventory publishes because of it.

    `instances` inventory processes share one database and consumer group (one relay leads);
    `partitions`: the sales topic's, when not the registry's; `profile_seconds`: py-spy samples
    the inventory processes (and relay) that long while the sales arrive."""
    namespace = f"bench{uuid.uuid4().hex[:6]}"
    registry = REGISTRY.namespaced(namespace)
    if partitions is not None:
        # Before the namespace's topics are made from the registry, which keeps an existing one.
        sales_topic = registry.same_topic(sales_topics.TRANSACTIONS).name
        await ensure_topic_names(endpoints.kafka_bootstrap_servers, {sales_topic: partitions})
    inventory = ServiceProcess(endpoints, "inventory", "INVENTORY_", namespace, separate_relay=separate_relay)
    await inventory.start()
    others: list[ServiceProcess] = []
    shop = "bench-shop"
    try:
        for _ in range(instances - 1):
            other = ServiceProcess(endpoints, "inventory", "INVENTORY_", namespace, database_url=inventory.database_url)
            await other.start()
            others.append(other)
        everyone = [inventory, *others]
        roles = {
            (f"inventory {i + 1}" if instances > 1 else "inventory"): service.pids()[0]
            for i, service in enumerate(everyone)
        }
        if inventory.relay is not None:
            roles["relay"] = inventory.relay.pid
        units = await _stock(inventory.database_url, shop, [f"BENCH-{n:07d}" for n in range(sales)])
        reader = AIOKafkaConsumer(
            registry.same_topic(inventory_topics.AVAILABILITY).name,
            bootstrap_servers=endpoints.kafka_bootstrap_servers,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            **kafka_options(),
        )
        await reader.start()
        tills = _Tills(endpoints, registry, shop)
        seen_at: dict[str, float] = {}

        decoder = Decoder(registry)

        async def storefront() -> None:
            while len(seen_at) < sales:
                batch = await reader.getmany(timeout_ms=200)
                now = time.time()
                for records in batch.values():
                    for record in records:
                        # One decoder for the run, typed by the record's headers: one validation pass.
                        headers = decode_headers(record.headers)
                        cause = decoder.decode(record.value, headers).envelope.causation_id
                        if cause is not None and cause not in seen_at:
                            seen_at[cause] = now

        watcher = asyncio.create_task(storefront())
        cpu_before = cpu_seconds([pid for service in everyone for pid in service.pids()])
        processes_before = process_cpu.sample(roles)
        sampled = (
            asyncio.create_task(profiles.profile("shop sales through inventory", roles, profile_seconds))
            if profile_seconds
            else None
        )
        started = await tills.sell_all(units, rate=rate)
        await asyncio.wait_for(watcher, timeout=600)
        cpu_after = cpu_seconds([pid for service in everyone for pid in service.pids()])
        processes_after = process_cpu.sample(roles)
        profile = await sampled if sampled is not None else None
        await reader.stop()
    finally:
        for service in reversed(others):
            service.stop()
        inventory.stop()
    latencies = [(seen_at[k] - tills.sold_at[k]) * 1000 for k in seen_at if k in tills.sold_at]
    return SalesFigures(
        sales,
        max(seen_at.values()) - started,
        percentile(latencies, 50),
        percentile(latencies, 99),
        {k: (cpu_after[k] - cpu_before[k]) * 1e6 / sales for k in cpu_before},
        process_cpu.per_event_us(processes_before, processes_after, sales),
        {role: service.peak_rss_mb for role, service in zip(roles, everyone, strict=False)},
        profile,
    )


async def storefront_window(endpoints: Endpoints, *, rate: float = 200, seconds: float = 15) -> SalesFigures:
    """How long a unit just sold in a shop still shows as available online: shop sales at `rate`
    per second; each SKU's storefront availability (orders' projection) is watched until it says
    zero. The storefront reads it from the same table its HTTP API answers from."""
    namespace = f"bench{uuid.uuid4().hex[:6]}"
    inventory = ServiceProcess(endpoints, "inventory", "INVENTORY_", namespace)
    orders = ServiceProcess(endpoints, "orders", "ORDERS_", namespace)
    await inventory.start()
    await orders.start()
    sales = int(rate * seconds)
    shop = "bench-shop"
    try:
        units = await _stock(inventory.database_url, shop, [f"WIN-{n:06d}" for n in range(sales)])
        tills = _Tills(endpoints, REGISTRY.namespaced(namespace), shop)
        shown_gone: dict[str, float] = {}
        storefront_db = await asyncpg.connect(orders.database_url)

        async def watch() -> None:
            # Polls every 10 ms: the window measured is at most 10 ms longer than the real one.
            while len(shown_gone) < sales:
                rows = await storefront_db.fetch(
                    "SELECT sku FROM sku_availability WHERE (by_market ->> 'FR')::int = 0 OR by_market = '{}'::jsonb"
                )
                now = time.time()
                for row in rows:
                    shown_gone.setdefault(row["sku"], now)
                await asyncio.sleep(0.01)

        watcher = asyncio.create_task(watch())
        started = await tills.sell_all(units, rate=rate)
        await asyncio.wait_for(watcher, timeout=120)
        await storefront_db.close()
    finally:
        orders.stop()
        inventory.stop()
    windows = [(shown_gone[sku] - tills.sold_at[tills.by_sku[sku]]) * 1000 for sku in shown_gone]
    return SalesFigures(
        sales,
        max(shown_gone.values()) - started,
        percentile(windows, 50),
        percentile(windows, 99),
        peak_rss_mb={"inventory": inventory.peak_rss_mb, "orders": orders.peak_rss_mb},
    )
