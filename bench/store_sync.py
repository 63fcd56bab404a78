"""Store-sync bench: till transactions over real HTTP, turned into events on Kafka.

store-sync runs as its own process (`python -m store_sync`), exactly as in production, on a fresh
database and a topic namespace of its own (`STORE_SYNC_TOPIC_NAMESPACE` / `RELOOP_TOPIC_NAMESPACE`),
so nothing else on the broker is counted. The bench registers shops through the back-office API,
plays the tills over keep-alive HTTP/1.1 connections (`bench.http_load`, one per till), and counts
the `SaleRecorded` events on the namespaced `sales.transactions.v1` (distinct sale ids, so a
duplicate event would show).

- `pos_ingestion`: connected tills, each sending its sales one request per transaction, as they
  ring up. Accepted = answered (recorded in the outbox); out = on the topic.
- `offline_backlog`: shops back online upload days of transactions in batches, shuffled, part of
  them sent twice; the clock stops when the last transaction's event is on Kafka.

Nothing here asserts: it measures and reports (`rows()` gives the report lines).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from bench import process_cpu, profiles
from bench.common import fresh_database, grant_namespace, kafka_options, percentile
from bench.foundation import cpu_seconds
from bench.http_load import Connection
from bench.services import RssWatch
from reloop_localstack.paths import free_port
from reloop_localstack.stack import Endpoints
from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import STAFF
from reloop_shared.auth.tokens import issue_token

POS_TARGET_BATCHED = 5_000
"""Transactions/s turned into events, tills sending 10 per request."""
POS_TARGET_PER_REQUEST = 1_000
"""Transactions/s turned into events, one sale per request."""
SKUS = ("CHG-USB-C-20W", "CASE-IPH13-CLEAR", "CABLE-USB-C-1M", "GLASS-IPH13")


@dataclass
class StoreSyncFigures:
    name: str
    transactions: int
    requests: int
    per_request: int
    concurrency: int
    resent: int
    accepted_seconds: float
    events_seconds: float
    events: int
    duplicate_events: int
    request_p50_ms: float
    request_p99_ms: float
    cpu_us_per_transaction: dict[str, float] = field(default_factory=dict)
    cpu_us_per_process: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    """store-sync's peak resident memory."""
    end_to_end_p50_ms: float = float("nan")
    """Till request sent -> its SaleRecorded read from Kafka (measured when `timed`)."""
    end_to_end_p99_ms: float = float("nan")
    offered_rate: float | None = None
    """Transactions per second the tills were paced at (None: flat out)."""
    profile: profiles.PathProfile | None = None

    @property
    def accepted_rate(self) -> float:
        return self.transactions / self.accepted_seconds

    @property
    def event_rate(self) -> float:
        return self.events / self.events_seconds

    def rows(self, *, judged: bool = True) -> list[tuple[str, str, str, str]]:
        """(measure, value, target, verdict) lines for the report; `judged=False` leaves the target
        out (a figure shown for comparison, not the one the target is about)."""
        shape = (
            f"{self.transactions:,} transactions, {self.per_request:,} per request, "
            f"{self.concurrency} concurrent, {self.resent:,} sent twice"
        )
        rows = [
            ("load", shape, "", ""),
            ("accepted (answered, in the outbox)", f"{self.accepted_rate:,.0f}/s", "", ""),
        ]
        if self.name == "pos":
            # Batched tills and one sale per request have targets of their own.
            floor = POS_TARGET_PER_REQUEST if self.per_request == 1 else POS_TARGET_BATCHED
            met = self.event_rate >= floor and self.events == self.transactions
            target, verdict = (f">= {floor:,}/s", _verdict(met)) if judged else ("", "")
            rows.append(("turned into events on Kafka", f"{self.event_rate:,.0f}/s", target, verdict))
        else:
            met = self.events_seconds < 60 and self.events == self.transactions
            rows.append(("backlog -> last event on Kafka", f"{self.events_seconds:,.1f} s", "< 60 s", _verdict(met)))
        rows += [
            (
                "distinct SaleRecorded out / duplicates",
                f"{self.events:,} / {self.duplicate_events:,}",
                "exactly one each",
                _verdict(self.events == self.transactions and not self.duplicate_events),
            ),
            ("request latency p50 / p99", f"{self.request_p50_ms:,.1f} / {self.request_p99_ms:,.1f} ms", "", ""),
            *[
                (f"CPU per transaction: {part}", f"{us:,.0f} us", "", "")
                for part, us in self.cpu_us_per_transaction.items()
            ],
        ]
        return rows


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


class StoreSyncProcess:
    """`python -m store_sync` on fresh databases and its own topic namespace."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self.namespace = f"bench{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        # The bench's own token issuer: store-sync trusts its keys, the back office signs with them.
        self.keys = LocalKeySet(Path(tempfile.mkdtemp(prefix="bench-keys-")) / "signing-keys.json")
        self.key_encryption_keys = self.keys.path.with_name("key-encryption-keys.json")
        self.process: subprocess.Popen[bytes] | None = None
        self.rss = RssWatch()
        self.base_url = f"http://127.0.0.1:{self.port}"

    @property
    def sales_topic(self) -> str:
        return f"{self.namespace}.sales.transactions.v1"

    async def start(self) -> None:
        self.keys.signing_key()
        database_url = await fresh_database(self.endpoints, "bench_ss")
        keyvault_url = await fresh_database(self.endpoints, "bench_kv")
        await grant_namespace(self.endpoints, self.namespace)
        env = {
            **os.environ,
            **self.endpoints.service_env("store-sync"),
            "STORE_SYNC_SERVICE_DATABASE_URL": database_url,
            "KEYVAULT_DATABASE_URL": keyvault_url,
            "STORE_SYNC_HTTP_PORT": str(self.port),
            "STORE_SYNC_TRACE_SQL": "false",
            "STORE_SYNC_TOPIC_NAMESPACE": self.namespace,
            "RELOOP_TOPIC_NAMESPACE": self.namespace,
            "RELOOP_JWKS": str(self.keys.path),
            "RELOOP_KEY_ENCRYPTION_KEYS": str(self.key_encryption_keys),
            "STORE_SYNC_CONSUMER_GROUP_SUFFIX": f"-{self.namespace}",
            "STORE_SYNC_RELAY_BATCH_SIZE": "1000",
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen([sys.executable, "-m", "store_sync"], env=env)
        self.rss.watch(self.process.pid)
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as client:
            while time.monotonic() < deadline:
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.3)
        raise RuntimeError("store-sync did not become ready")

    async def register_shops(self, client: httpx.AsyncClient, count: int) -> list[tuple[str, dict[str, str]]]:
        """`count` own shops in Paris; (shop id, its till's auth header)."""
        shops = []
        token = issue_token(self.keys, subject="bench-back-office", audience=STAFF, scopes=["store-sync:admin"])
        admin = {"Authorization": f"Bearer {token}"}
        for n in range(count):
            shop_id = f"BENCH-{self.namespace[-4:].upper()}-{n:03d}"
            body = {"shop_id": shop_id, "name": shop_id, "kind": "own_shop", "market": "FR", "timezone": "Europe/Paris"}
            answer = await client.post("/shops", json=body, headers=admin)
            answer.raise_for_status()
            key = answer.json()["api_key"]["api_key"]
            shops.append((shop_id, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}))
        return shops

    def pids(self) -> list[int]:
        return [self.process.pid] if self.process is not None else []

    @property
    def peak_rss_mb(self) -> float:
        return self.rss.peak_mb

    def stop(self) -> None:
        self.rss.stop()
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)


class SaleCounter:
    """Counts SaleRecorded on the namespaced topic by sale id (the record key), from the start."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            **kafka_options(),
        )
        self.seen: set[bytes] = set()
        self.records = 0
        self.last_at = 0.0
        self.arrived: dict[str, float] = {}
        """By the till's transaction id, when its event was read (wall clock), if `timed`."""
        self.timed = False

    async def start(self) -> None:
        await self.consumer.start()

    async def until(self, expected: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        try:
            while len(self.seen) < expected and time.monotonic() < deadline:
                batch = await self.consumer.getmany(timeout_ms=200, max_records=5000)
                now = time.monotonic()
                for records in batch.values():
                    for record in records:
                        if ("event-type", b"SaleRecorded") in (record.headers or ()):
                            self.records += 1
                            if record.key not in self.seen:
                                self.seen.add(record.key or b"")
                                self.last_at = now
                                if self.timed:
                                    txn = json.loads(record.value)["payload"].get("pos_transaction_id")
                                    self.arrived.setdefault(txn, time.time())
            # A short grace period: a duplicate event would arrive now.
            batch = await self.consumer.getmany(timeout_ms=1500, max_records=5000)
            for records in batch.values():
                self.records += sum(1 for r in records if ("event-type", b"SaleRecorded") in (r.headers or ()))
        finally:
            await self.consumer.stop()


def _sale(txn_id: str, at: datetime, rng: random.Random, customer: bool = False) -> dict[str, Any]:
    quantity = rng.randint(1, 3)
    price = rng.choice((990, 1490, 1990, 2490, 2990))
    sale: dict[str, Any] = {
        "type": "sale",
        "client_txn_id": txn_id,
        "occurred_at": at.isoformat(),
        "lines": [
            {
                "line_id": "1",
                "kind": "accessory",
                "sku": rng.choice(SKUS),
                "quantity": quantity,
                "unit_price": {"amount_minor": price, "currency": "EUR"},
            }
        ],
        "payments": [
            {"method": rng.choice(("card", "cash")), "amount": {"amount_minor": price * quantity, "currency": "EUR"}}
        ],
        "total": {"amount_minor": price * quantity, "currency": "EUR"},
    }
    if customer:
        sale["customer"] = {"email": f"{txn_id.lower()}@example.org", "consent": {"marketing": True}}
    return sale


async def _run(
    name: str,
    endpoints: Endpoints,
    shop_count: int,
    build: Any,
    concurrency: int,
    *,
    rate: float | None = None,
    profile_seconds: float = 0.0,
) -> StoreSyncFigures:
    """Start the service, register shops, let `build(shops)` make the requests (path, headers,
    body, transactions carried), send them from `concurrency` clients, count the events out.

    With `rate` (transactions per second) the requests are paced and each transaction is timed
    from its request being sent to its event being read from Kafka; `profile_seconds`: py-spy
    samples store-sync that long while the tills send."""
    service = StoreSyncProcess(endpoints)
    await service.start()
    try:
        async with httpx.AsyncClient(base_url=service.base_url, timeout=300) as client:
            shops = await service.register_shops(client, shop_count)
            requests, transactions, resent = build(shops)
            counter = SaleCounter(endpoints.kafka_bootstrap_servers, service.sales_topic)
            counter.timed = rate is not None
            # Which transactions each request carries, read before the clock starts.
            carried = [_transaction_ids(body) for _, _, body in requests] if rate else []
            sent_at: dict[str, float] = {}
            await counter.start()
            counting = asyncio.create_task(counter.until(transactions, timeout=300)) if rate else None
            queue: asyncio.Queue[tuple[int, tuple[str, dict[str, str], bytes]]] = asyncio.Queue()
            for index, request in enumerate(requests):
                queue.put_nowait((index, request))
            latencies: list[float] = []
            failures: list[str] = []
            per_request = max(1, (transactions + resent) // len(requests))

            async def client_loop(till: Connection) -> None:
                while not queue.empty():
                    index, (path, headers, body) = queue.get_nowait()
                    if rate:
                        delay = started + index * per_request / rate - time.monotonic()
                        if delay > 0:
                            await asyncio.sleep(delay)
                        now = time.time()
                        for txn in carried[index]:
                            sent_at[txn] = now
                    sent = time.perf_counter()
                    answer = await till.post(path, body, headers)
                    latencies.append((time.perf_counter() - sent) * 1000)
                    if answer.status >= 300:
                        failures.append(answer.body.decode(errors="replace")[:300])

            # One keep-alive connection per till, on the bench's lean HTTP/1.1 client: httpx spent
            # 1.2 ms of CPU per one-sale request, on the same two cores as the service it measured.
            tills = [Connection(service.base_url) for _ in range(concurrency)]
            roles = {"store-sync": service.pids()[0]}
            cpu_before = cpu_seconds(service.pids())
            processes_before = process_cpu.sample(roles)
            sampled = (
                asyncio.create_task(profiles.profile(f"POS ({name})", roles, profile_seconds))
                if profile_seconds
                else None
            )
            started = time.monotonic()
            try:
                await asyncio.gather(*(client_loop(till) for till in tills))
            finally:
                await asyncio.gather(*(till.close() for till in tills))
            accepted = time.monotonic() - started
            if failures:
                raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[0]}")
            await (counting or counter.until(transactions, timeout=300))
            cpu_after = cpu_seconds(service.pids())
            processes_after = process_cpu.sample(roles)
            profile = await sampled if sampled is not None else None
    finally:
        service.stop()
    end_to_end = [(counter.arrived[t] - sent_at[t]) * 1000 for t in counter.arrived if t in sent_at]
    return StoreSyncFigures(
        name=name,
        transactions=transactions,
        requests=len(requests),
        per_request=max(1, round((transactions + resent) / len(requests))),
        concurrency=concurrency,
        resent=resent,
        accepted_seconds=accepted,
        events_seconds=counter.last_at - started,
        events=len(counter.seen),
        duplicate_events=counter.records - len(counter.seen),
        request_p50_ms=percentile(latencies, 50),
        request_p99_ms=percentile(latencies, 99),
        cpu_us_per_transaction={k: (cpu_after[k] - cpu_before[k]) * 1e6 / transactions for k in cpu_before},
        cpu_us_per_process=process_cpu.per_event_us(processes_before, processes_after, transactions),
        peak_rss_mb=service.peak_rss_mb,
        end_to_end_p50_ms=percentile(end_to_end, 50),
        end_to_end_p99_ms=percentile(end_to_end, 99),
        offered_rate=rate,
        profile=profile,
    )


def _transaction_ids(body: bytes) -> list[str]:
    """The till transaction ids a request's body carries (one sale, or a batch)."""
    sent = json.loads(body)
    return [sale["client_txn_id"] for sale in sent.get("transactions", [sent])]


async def pos_ingestion(
    endpoints: Endpoints,
    transactions: int,
    *,
    tills: int = 20,
    per_request: int = 10,
    rate: float | None = None,
    profile_seconds: float = 0.0,
) -> StoreSyncFigures:
    """Connected tills, `tills` of them at once, each syncing what it rang up since its last
    request (`per_request` sales; 1 = one request per sale); flat out, or paced at `rate`
    transactions per second (end-to-end latency then measured)."""
    rng = random.Random(1)

    def build(shops: Sequence[tuple[str, dict[str, str]]]) -> tuple[list[tuple[str, dict[str, str], bytes]], int, int]:
        now = datetime.now(UTC) - timedelta(minutes=1)
        requests = []
        for first in range(0, transactions, per_request):
            shop_id, headers = shops[(first // per_request) % len(shops)]
            sales = [_sale(f"T-{n:07d}", now, rng) for n in range(first, min(first + per_request, transactions))]
            if per_request == 1:
                requests.append((f"/shops/{shop_id}/sales", headers, json.dumps(sales[0]).encode()))
            else:
                requests.append(
                    (f"/shops/{shop_id}/transactions", headers, json.dumps({"transactions": sales}).encode())
                )
        return requests, transactions, 0

    return await _run("pos", endpoints, tills, build, tills, rate=rate, profile_seconds=profile_seconds)


async def offline_backlog(
    endpoints: Endpoints,
    transactions: int = 100_000,
    *,
    shops: int = 20,
    per_request: int = 1000,
    concurrency: int = 4,
    resend: float = 0.1,
    with_customer: float = 0.05,
) -> StoreSyncFigures:
    """Shops back online upload two days of sales each, shuffled, in batches of `per_request`;
    `resend` of them are sent a second time (a till that lost the answer), `with_customer` carry
    a customer who gave an e-mail (sealed into the event)."""
    rng = random.Random(2)

    def build(
        registered: Sequence[tuple[str, dict[str, str]]],
    ) -> tuple[list[tuple[str, dict[str, str], bytes]], int, int]:
        start = datetime.now(UTC) - timedelta(days=2)
        requests = []
        resent_total = 0
        per_shop = transactions // len(registered)
        for shop_index, (shop_id, headers) in enumerate(registered):
            count = per_shop if shop_index < len(registered) - 1 else transactions - per_shop * (len(registered) - 1)
            sales = [
                _sale(
                    f"T-{n:07d}",
                    start + timedelta(seconds=n * 2 * 86400 // max(count, 1)),
                    rng,
                    customer=rng.random() < with_customer,
                )
                for n in range(count)
            ]
            again = rng.sample(sales, int(count * resend))
            resent_total += len(again)
            backlog = sales + again
            rng.shuffle(backlog)
            for i in range(0, len(backlog), per_request):
                body = json.dumps({"transactions": backlog[i : i + per_request]}).encode()
                requests.append((f"/shops/{shop_id}/transactions", headers, body))
        rng.shuffle(requests)  # shops' uploads interleave
        return requests, transactions, resent_total

    return await _run("offline", endpoints, shops, build, concurrency)


def _main() -> None:
    """`python -m bench.store_sync [pos-transactions] [backlog-transactions] [pos-per-request]`: both
    figures, printed."""
    from bench.common import infrastructure

    pos_n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    backlog_n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    per_request = int(sys.argv[3]) if len(sys.argv) > 3 else 10

    async def both(endpoints: Endpoints) -> list[StoreSyncFigures]:
        pos = await pos_ingestion(endpoints, pos_n, per_request=per_request)
        return [pos, await offline_backlog(endpoints, backlog_n)]

    # The stack starts outside the event loop: its readiness checks run their own.
    with infrastructure() as endpoints:
        for figures in asyncio.run(both(endpoints)):
            print(f"\nstore-sync {figures.name}")
            for measure, value, target, verdict in figures.rows():
                print(f"  {measure:<44} {value:>40}  {target:<18} {verdict}")


if __name__ == "__main__":
    _main()
