"""Foundation bench: the bare aiokafka ceiling, then outbox -> Kafka -> idempotent consumer.

Run by `make bench` (bench/__main__.py). Nothing here asserts: it measures and reports.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

import asyncpg
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import BenchEventRecorded, bench_topic, fresh_database, kafka_options, percentile
from reloop_contracts import Registry, TopicSpec
from reloop_localstack.stack import Endpoints
from reloop_shared.db.migrations import SHARED, migrate
from reloop_shared.kafka.admin import ensure_topic_names, ensure_topics
from reloop_shared.kafka.broker import make_producer
from reloop_shared.outbox.publisher import ProducerPublisher
from reloop_shared.outbox.relay import OutboxRelay
from reloop_shared.outbox.writer import OutboxWriter

PARTITIONS = int(os.environ.get("BENCH_PARTITIONS", "3"))


@dataclass
class PathFigures:
    events: int
    seconds: float
    write_seconds: float
    p50_ms: float
    p99_ms: float
    consumer_peak_rss_mb: float
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.events / self.seconds


async def bare_ceiling(endpoints: Endpoints, n: int, value_size: int = 420) -> float:
    """Produce n records with an idempotent acks=all producer while a consumer group reads them."""
    topic = f"bench.ceiling.{uuid.uuid4().hex[:8]}"
    await ensure_topic_names(endpoints.kafka_bootstrap_servers, {topic: 3})
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=endpoints.kafka_bootstrap_servers,
        group_id=f"ceiling-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=500,
        **kafka_options(),
    )
    await consumer.start()
    while not consumer.assignment():
        await asyncio.sleep(0.05)
        await consumer.getmany(timeout_ms=50)
    producer = AIOKafkaProducer(
        bootstrap_servers=endpoints.kafka_bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        **kafka_options(),
    )
    await producer.start()
    value = b"x" * value_size
    received = 0

    async def consume() -> None:
        nonlocal received
        while received < n:
            batch = await consumer.getmany(timeout_ms=200, max_records=500)
            received += sum(len(records) for records in batch.values())
            if batch:
                await consumer.commit()

    started = time.perf_counter()
    reader = asyncio.create_task(consume())
    pending = []
    for i in range(n):
        pending.append(await producer.send(topic, value, key=str(i % 1000).encode()))
        if len(pending) >= 2000:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    await reader
    elapsed = time.perf_counter() - started
    await producer.stop()
    await consumer.stop()
    return n / elapsed


async def _start_consumer(
    endpoints: Endpoints, topic: TopicSpec, database_url: str, expect: int
) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.consumer_process",
            "--topic",
            topic.name,
            "--bootstrap",
            endpoints.kafka_bootstrap_servers,
            "--database-url",
            database_url,
            "--expect",
            str(expect),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = await asyncio.to_thread(process.stdout.readline)
    if line.strip() != "READY":
        raise RuntimeError(f"bench consumer failed to start: {line!r}")
    return process


def cpu_seconds(service_pids: int | list[int]) -> dict[str, float]:
    """CPU time used so far by each part of the path, to show where a run's time went."""
    pids = {service_pids} if isinstance(service_pids, int) else set(service_pids)
    totals = {"bench": 0.0, "service": 0.0, "postgres": 0.0, "kafka": 0.0}
    for proc in psutil.process_iter(["pid", "name", "cmdline"]):
        try:
            times = proc.cpu_times()
            used = times.user + times.system
            if proc.pid == os.getpid():
                totals["bench"] += used
            elif proc.pid in pids:
                totals["service"] += used
            elif proc.info["name"] == "postgres":
                totals["postgres"] += used
            elif proc.info["name"] == "java" and "kafka.Kafka" in (proc.info["cmdline"] or []):
                totals["kafka"] += used
        except psutil.Error:
            continue
    return totals


async def _watch_rss(pid: int, stop: asyncio.Event) -> float:
    peak = 0
    proc = psutil.Process(pid)
    while not stop.is_set():
        try:
            peak = max(peak, proc.memory_info().rss)
        except psutil.Error:
            break
        await asyncio.sleep(0.05)
    return peak / 2**20


async def outbox_path(endpoints: Endpoints, n: int, *, rate: float | None = None, batch: int = 100) -> PathFigures:
    """Events written to the outbox (in transactions of `batch`), relayed, applied by a consumer.

    With `rate`, writes are paced (events per second) to measure latency under a steady load;
    without, the writer goes flat out to measure sustained throughput.
    """
    topic = bench_topic(partitions=PARTITIONS)
    await ensure_topics(endpoints.kafka_bootstrap_servers, [topic])
    producer_db = await fresh_database(endpoints, "bench_out")
    consumer_db = await fresh_database(endpoints, "bench_in")
    pool = await asyncpg.create_pool(producer_db, min_size=2, max_size=4)
    assert pool is not None
    async with pool.acquire() as conn:
        await migrate(conn, [SHARED])
    consumer = await _start_consumer(endpoints, topic, consumer_db, n)
    stop_watch = asyncio.Event()
    rss = asyncio.create_task(_watch_rss(consumer.pid, stop_watch))
    producer = make_producer(endpoints.kafka_bootstrap_servers, client_id="bench-relay")
    await producer.start()
    relay = OutboxRelay(pool, ProducerPublisher(producer), producer="bench", batch_size=1000, poll_interval=0.5)
    relay_task = asyncio.create_task(relay.run())
    writer = OutboxWriter("bench", Registry.of([topic]))
    cpu_before = cpu_seconds(consumer.pid)
    started = time.perf_counter()
    wall_started = time.time()
    interval = batch / rate if rate else 0.0
    async with pool.acquire() as conn:
        for start in range(0, n, batch):
            if rate:
                delay = started + (start / batch) * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            events = [
                BenchEventRecorded(
                    aggregate_id=f"agg-{(start + i) % 997}",
                    seq=start + i,
                    sku="IPH13-128-BLK-B",
                    amount_minor=45900,
                    currency="EUR",
                )
                for i in range(min(batch, n - start))
            ]
            async with conn.transaction():
                await writer.add_all(conn, events)
    write_seconds = time.perf_counter() - started
    assert consumer.stdout is not None
    output = await asyncio.to_thread(consumer.stdout.readline)
    cpu_after = cpu_seconds(consumer.pid)
    consumer.wait(timeout=60)
    stop_watch.set()
    peak = await rss
    relay.stop()
    await relay_task
    await producer.stop()
    await pool.close()
    figures = json.loads(output)
    latencies_ms = [value * 1000 for value in figures["latencies"]]
    return PathFigures(
        events=n,
        seconds=figures["last"] - wall_started,
        write_seconds=write_seconds,
        p50_ms=percentile(latencies_ms, 50),
        p99_ms=percentile(latencies_ms, 99),
        consumer_peak_rss_mb=peak,
        extra={f"cpu_us_per_event_{k}": (cpu_after[k] - cpu_before[k]) * 1e6 / n for k in cpu_before},
    )
