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
from typing import Any

import asyncpg
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench import process_cpu, profiles
from bench.common import BenchEventRecorded, bench_topic, fresh_database, kafka_options, percentile
from reloop_contracts import Registry, TopicSpec
from reloop_localstack.paths import free_port
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
    cpu_us_per_process: dict[str, float] = field(default_factory=dict)
    """CPU microseconds per event of each process (bench, relay, consumers, PostgreSQL, the broker)."""
    profile: profiles.PathProfile | None = None

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
    endpoints: Endpoints, topic: TopicSpec, database_url: str, handler: str
) -> subprocess.Popen[str]:
    """One instance of the bench's consumer group, as its own process, until told to stop."""
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
            "0",
            "--partitions",
            str(topic.partitions),
            "--handler",
            handler,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = await asyncio.to_thread(process.stdout.readline)
    if line.strip() != "READY":
        raise RuntimeError(f"bench consumer failed to start: {line!r}")
    return process


class _ConsumerGroup:
    """The consumer instances of one run: their progress summed, stopped once all events are in."""

    def __init__(self, processes: list[subprocess.Popen[str]]) -> None:
        self.processes = processes
        self.applied = [0] * len(processes)
        self.figures: list[dict[str, Any]] = [{} for _ in processes]
        self.readers: list[asyncio.Task[None]] = []

    def _follow(self, index: int) -> None:
        stdout = self.processes[index].stdout
        assert stdout is not None
        for line in stdout:
            if line.startswith("APPLIED "):
                self.applied[index] = int(line.split()[1])
            elif line.startswith("{"):
                self.figures[index] = json.loads(line)
                return

    async def until(self, events: int) -> None:
        """Returns once the instances together applied `events`; they still run (their CPU is read)."""
        self.readers = [asyncio.create_task(asyncio.to_thread(self._follow, i)) for i in range(len(self.processes))]
        while sum(self.applied) < events:
            if all(reader.done() for reader in self.readers):
                raise RuntimeError(f"the bench consumers stopped after {sum(self.applied):,} of {events:,} events")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write("STOP\n")
            process.stdin.flush()
        await asyncio.gather(*self.readers)
        for process in self.processes:
            await asyncio.to_thread(process.wait, 60)

    @property
    def latencies(self) -> list[float]:
        return [latency for figures in self.figures for latency in figures.get("latencies", [])]

    @property
    def last(self) -> float:
        return max(float(figures.get("last", 0.0)) for figures in self.figures)


async def _start_relay(endpoints: Endpoints, database_url: str) -> subprocess.Popen[bytes]:
    """`reloop relay` as its own process, so its CPU is counted apart from the bench's writer;
    returns once it serves its metrics (its imports and connections done, not counted as work)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reloop_shared.cli.main",
            "--bootstrap-servers",
            endpoints.kafka_bootstrap_servers,
            "relay",
            "--database-url",
            database_url,
            "--producer",
            "bench",
            "--batch-size",
            "1000",
            "--metrics-port",
            str(port),
        ]
    )
    await wait_until_serving(process, port)
    return process


async def wait_until_serving(process: subprocess.Popen[bytes], port: int, timeout: float = 90) -> None:
    """Until `process` answers HTTP on `port` (a relay serves its metrics once it is connected)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the relay exited during start-up ({process.returncode})")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.2)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError("the relay did not start")


def cpu_seconds(service_pids: int | list[int]) -> dict[str, float]:
    """CPU time used so far by each part of the path, to show where a run's time went (only this
    bench's broker and PostgreSQL cluster: other stacks may share the machine)."""
    pids = [service_pids] if isinstance(service_pids, int) else list(service_pids)
    used = process_cpu.sample({f"service {i}": pid for i, pid in enumerate(pids)}).seconds
    return {
        "bench": used[process_cpu.BENCH],
        "service": sum(used[f"service {i}"] for i in range(len(pids))),
        "postgres": used[process_cpu.POSTGRES],
        "kafka": used[process_cpu.KAFKA],
    }


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


async def outbox_path(
    endpoints: Endpoints,
    n: int,
    *,
    rate: float | None = None,
    batch: int = 100,
    partitions: int = PARTITIONS,
    consumers: int = 1,
    separate_relay: bool = False,
    profile_seconds: float = 0.0,
    handler: str = "per-event",
) -> PathFigures:
    """Events written to the outbox (in transactions of `batch`), relayed, applied by a consumer.

    With `rate`, writes are paced (events per second) to measure latency under a steady load;
    without, the writer goes flat out to measure sustained throughput. `consumers` instances share
    one consumer group on a topic of `partitions`; `separate_relay` runs `reloop relay` as its own
    process (its CPU then counted apart); `profile_seconds` samples every process with py-spy
    while the events are being written. `handler` is the consumer's: `per-event` (an INSERT per
    event, what a naive handler costs) or `batched` (one statement per partition's batch, as the
    real projections apply).
    """
    topic = bench_topic(partitions=partitions)
    await ensure_topics(endpoints.kafka_bootstrap_servers, [topic])
    producer_db = await fresh_database(endpoints, "bench_out")
    consumer_db = await fresh_database(endpoints, "bench_in")
    pool = await asyncpg.create_pool(producer_db, min_size=2, max_size=4)
    assert pool is not None
    async with pool.acquire() as conn:
        await migrate(conn, [SHARED])
    # One after the other: each creates the bench table if absent, which does not race with itself.
    group = _ConsumerGroup([await _start_consumer(endpoints, topic, consumer_db, handler) for _ in range(consumers)])
    roles = {f"consumer {i + 1}" if consumers > 1 else "consumer": p.pid for i, p in enumerate(group.processes)}
    stop_watch = asyncio.Event()
    rss = [asyncio.create_task(_watch_rss(pid, stop_watch)) for pid in roles.values()]
    producer = None
    relay_process = None
    relay_task = None
    if separate_relay:
        relay_process = await _start_relay(endpoints, producer_db)
        roles = {"relay": relay_process.pid, **roles}
    else:
        producer = make_producer(endpoints.kafka_bootstrap_servers, client_id="bench-relay")
        await producer.start()
        relay = OutboxRelay(pool, ProducerPublisher(producer), producer="bench", batch_size=1000, poll_interval=0.5)
        relay_task = asyncio.create_task(relay.run())
    writer = OutboxWriter("bench", Registry.of([topic]))
    cpu_before = cpu_seconds([p.pid for p in group.processes])
    processes_before = process_cpu.sample(roles)
    started = time.perf_counter()
    wall_started = time.time()
    interval = batch / rate if rate else 0.0
    # With the relay in the bench's own process, the bench is sampled too: that is where it runs.
    sampled_roles = roles if separate_relay else {"bench (writer + relay)": os.getpid(), **roles}
    sampled = (
        asyncio.create_task(profiles.profile("committed path", sampled_roles, profile_seconds))
        if profile_seconds
        else None
    )
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
    await group.until(n)
    # Read while the consumers still run: an exited process takes its CPU counters with it.
    cpu_after = cpu_seconds([p.pid for p in group.processes])
    processes_after = process_cpu.sample(roles)
    await group.stop()
    stop_watch.set()
    peak = max(await asyncio.gather(*rss))
    if relay_task is not None and producer is not None:
        relay.stop()
        await relay_task
        await producer.stop()
    if relay_process is not None:
        relay_process.terminate()
        await asyncio.to_thread(relay_process.wait, 60)
    await pool.close()
    latencies_ms = [value * 1000 for value in group.latencies]
    return PathFigures(
        events=n,
        seconds=group.last - wall_started,
        write_seconds=write_seconds,
        p50_ms=percentile(latencies_ms, 50),
        p99_ms=percentile(latencies_ms, 99),
        consumer_peak_rss_mb=peak,
        extra={f"cpu_us_per_event_{k}": (cpu_after[k] - cpu_before[k]) * 1e6 / n for k in cpu_before},
        cpu_us_per_process=process_cpu.per_event_us(processes_before, processes_after, n),
        profile=await sampled if sampled is not None else None,
    )
