"""Sales bench: SaleRecorded -> inventory (committed) -> availability event out, and the window
in which a unit just sold in a shop still shows as available online.

Inventory runs as its own process (`python -m inventory`), exactly as in production; the bench
plays the shops (it publishes SaleRecorded as store-sync would) and the storefront (it reads
the availability topic).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from bench.common import fresh_database, percentile
from bench.foundation import cpu_seconds
from reloop_contracts import REGISTRY, NonNegativeMoney
from reloop_contracts import inventory as inventory_topics
from reloop_contracts import sales as sales_topics
from reloop_contracts.envelope import CONTENT_TYPE
from reloop_contracts.sales import PaymentLine, SaleLine, SaleRecorded
from reloop_localstack.paths import free_port
from reloop_localstack.stack import Endpoints
from reloop_shared.messaging.codec import decode, encode, envelope_for


@dataclass
class SalesFigures:
    sales: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_sale: dict[str, float]

    @property
    def rate(self) -> float:
        return self.sales / self.seconds


class InventoryProcess:
    """`python -m inventory` on a fresh database, stocked directly in SQL for the bench."""

    def __init__(self, endpoints: Endpoints, *, separate_relay: bool) -> None:
        self.endpoints = endpoints
        self.separate_relay = separate_relay
        self.database_url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.relay: subprocess.Popen[bytes] | None = None
        self.port = free_port()

    async def start(self) -> None:
        import urllib.request

        self.database_url = await fresh_database(self.endpoints, "bench_inv")
        env = {
            **os.environ,
            **self.endpoints.as_env(),
            "INVENTORY_SERVICE_DATABASE_URL": self.database_url,
            "INVENTORY_HTTP_PORT": str(self.port),
            "INVENTORY_TRACE_SQL": "false",
            "INVENTORY_RELAY_IN_PROCESS": "false" if self.separate_relay else "true",
            # Its own consumer groups, reading only what this run publishes.
            "INVENTORY_CONSUMER_GROUP_SUFFIX": f"-bench-{uuid.uuid4().hex[:6]}",
            "INVENTORY_CONSUMER_START_FROM": "latest",
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen([sys.executable, "-m", "inventory"], env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=1) as r:  # noqa: ASYNC210
                    if r.status == 200:
                        break
            except OSError:
                pass
            await asyncio.sleep(0.3)
        else:
            raise RuntimeError("inventory did not become ready")
        # The relay runs once the service's migrations created the outbox.
        self._start_relay(env)
        await self._wait_for_consumers(env["INVENTORY_CONSUMER_GROUP_SUFFIX"])

    async def _wait_for_consumers(self, suffix: str) -> None:
        """Sales published before the consumer group owns its partitions would be skipped
        (it starts from the latest offset), so wait until the group is stable."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.endpoints.kafka_bootstrap_servers)
        await admin.start()
        try:
            for _ in range(200):
                (group,) = await admin.describe_consumer_groups([f"inventory{suffix}"])
                if group.groups[0][2] == "Stable":
                    return
                await asyncio.sleep(0.2)
        finally:
            await admin.close()
        raise RuntimeError("the inventory consumer group did not settle")

    def _start_relay(self, env: dict[str, str]) -> None:
        if self.separate_relay:
            self.relay = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "reloop_shared.cli.main",
                    "--bootstrap-servers",
                    self.endpoints.kafka_bootstrap_servers,
                    "relay",
                    "--database-url",
                    self.database_url,
                    "--producer",
                    "inventory",
                ],
                env=env,
            )

    async def stock(self, shop: str, skus: list[str], units_per_sku: int) -> list[tuple[str, str]]:
        """Units ready to sell at one shop, as (sku, unit_id)."""
        conn = await asyncpg.connect(self.database_url)
        try:
            await conn.execute(
                "INSERT INTO locations (location_id, kind, market, name) VALUES ($1, 'own_shop', 'FR', $1)", shop
            )
            await conn.copy_records_to_table(
                "skus",
                records=[(sku, "refurbished_device", "good", f"p-{sku}") for sku in skus],
                columns=["sku", "kind", "grade", "product_id"],
            )
            units = [(sku, f"{sku}-U{n}") for sku in skus for n in range(units_per_sku)]
            await conn.copy_records_to_table(
                "units",
                records=[(unit_id, sku, "serial", unit_id, "good", shop, "available") for sku, unit_id in units],
                columns=["unit_id", "sku", "identifier_kind", "identifier", "grade", "location_id", "status"],
            )
        finally:
            await conn.close()
        return units

    def pids(self) -> list[int]:
        return [p.pid for p in (self.process, self.relay) if p is not None]

    def stop(self) -> None:
        for process in (self.process, self.relay):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)


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


async def shop_sales(
    endpoints: Endpoints, sales: int, *, rate: float | None = None, separate_relay: bool = False
) -> SalesFigures:
    """Publish `sales` shop sales (flat out, or paced at `rate`/s) and time each one until the
    availability event for its SKU, caused by it, is out of inventory."""
    inventory = InventoryProcess(endpoints, separate_relay=separate_relay)
    await inventory.start()
    shop = f"bench-shop-{uuid.uuid4().hex[:6]}"
    # One unit per SKU, so each sale causes its own availability event and its latency is exact.
    skus = [f"BENCH-{uuid.uuid4().hex[:6].upper()}-{n}" for n in range(sales)]
    try:
        units = await inventory.stock(shop, skus, units_per_sku=1)
        reader = AIOKafkaConsumer(
            inventory_topics.AVAILABILITY.name,
            bootstrap_servers=endpoints.kafka_bootstrap_servers,
            auto_offset_reset="latest",
            enable_auto_commit=False,
            group_id=f"bench-storefront-{uuid.uuid4().hex[:6]}",
        )
        await reader.start()
        while not reader.assignment():
            await reader.getmany(timeout_ms=100)
        producer = AIOKafkaProducer(
            bootstrap_servers=endpoints.kafka_bootstrap_servers, enable_idempotence=True, acks="all", linger_ms=5
        )
        await producer.start()
        sent_at: dict[str, float] = {}
        seen_at: dict[str, float] = {}

        async def storefront() -> None:
            while len(seen_at) < sales:
                batch = await reader.getmany(timeout_ms=200)
                now = time.time()
                for records in batch.values():
                    for record in records:
                        cause = decode(record.value, REGISTRY).envelope.causation_id
                        if cause in sent_at and cause not in seen_at:
                            seen_at[cause] = now

        watcher = asyncio.create_task(storefront())
        cpu_before = cpu_seconds(inventory.pids())
        started = time.time()
        pending = []
        for n, (sku, unit_id) in enumerate(units[:sales]):
            if rate:
                delay = started + n / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            sale = _sale(shop, sku, unit_id)
            envelope = envelope_for(sale, producer="store-sync")
            sent_at[str(envelope.event_id)] = envelope.occurred_at.timestamp()
            headers = [
                ("content-type", CONTENT_TYPE.encode()),
                ("event-type", b"SaleRecorded"),
                ("schema-version", b"1"),
                ("event-id", str(envelope.event_id).encode()),
            ]
            pending.append(
                await producer.send(
                    sales_topics.TRANSACTIONS.name, encode(envelope), key=sale.sale_id.encode(), headers=headers
                )
            )
        await asyncio.gather(*pending)
        await asyncio.wait_for(watcher, timeout=300)
        finished = max(seen_at.values())
        cpu_after = cpu_seconds(inventory.pids())
        cpu = {k: (cpu_after[k] - cpu_before[k]) * 1e6 / sales for k in cpu_before}
        await producer.stop()
        await reader.stop()
    finally:
        inventory.stop()
    latencies = [(seen_at[k] - sent_at[k]) * 1000 for k in seen_at]
    return SalesFigures(sales, finished - started, percentile(latencies, 50), percentile(latencies, 99), cpu)
