"""The consumer side of the outbox bench, as its own process so its memory is measured alone.

`python -m bench.consumer_process --topic T --database-url URL --expect N`: applies N events
(one INSERT each, committed), prints READY once subscribed, then one JSON line of figures.

`--handler per-event` (the default) is what a naive handler costs: one INSERT round trip per
event. `--handler batched` applies each partition's batch with one statement, as the real
projections do (CRM's timeline, inventory's sales): the same rows, the same transaction.

With `--expect 0` it is one of several instances in the consumer group: it prints `APPLIED n`
every 0.2 s and stops when the bench writes STOP on its stdin (only the bench sees the total).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import time
from collections.abc import Sequence
from typing import cast

from bench.common import BenchEventRecorded, bench_topic
from reloop_contracts import EnvelopeHeader, Registry
from reloop_shared.consumer.subscription import Delivery, Subscription
from reloop_shared.db.types import Connection
from reloop_shared.runtime import ServiceRuntime
from reloop_shared.settings import RuntimeSettings

TABLE = """
CREATE TABLE IF NOT EXISTS bench_applied (
    event_id UUID PRIMARY KEY, aggregate_id TEXT NOT NULL, seq INT NOT NULL, amount_minor BIGINT NOT NULL
)
"""


async def run(args: argparse.Namespace) -> None:
    topic = dataclasses.replace(bench_topic(partitions=args.partitions), name=args.topic)
    latencies: list[float] = []
    commits: list[float] = [0.0, 0.0]  # first and last commit, wall clock

    async def apply(event: BenchEventRecorded, envelope: EnvelopeHeader, conn: Connection) -> None:
        await conn.execute(
            "INSERT INTO bench_applied (event_id, aggregate_id, seq, amount_minor) VALUES ($1, $2, $3, $4)",
            envelope.event_id,
            event.aggregate_id,
            event.seq,
            event.amount_minor,
        )

    async def apply_batch(deliveries: Sequence[Delivery], conn: Connection) -> None:
        events = cast("list[BenchEventRecorded]", [d.event for d in deliveries])  # all it accepts
        await conn.execute(
            "INSERT INTO bench_applied (event_id, aggregate_id, seq, amount_minor)"
            " SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::bigint[])",
            [d.event_id for d in deliveries],
            [e.aggregate_id for e in events],
            [e.seq for e in events],
            [e.amount_minor for e in events],
        )

    async def committed(deliveries: Sequence[Delivery]) -> None:
        now = time.time()
        commits[0] = commits[0] or now
        commits[1] = now
        latencies.extend(now - d.envelope.occurred_at.timestamp() for d in deliveries)

    settings = RuntimeSettings(
        kafka_bootstrap_servers=args.bootstrap,
        service_database_url=args.database_url,
        trace_sql=args.trace_sql,
        consumer_max_records=args.max_records,
        log_level="WARNING",
    )
    runtime = ServiceRuntime("bench-consumer", settings, registry=Registry.of([topic]))
    runtime.subscribe(
        Subscription.batched("bench-consumer", [topic], [BenchEventRecorded], apply_batch, after_commit=committed)
        if args.handler == "batched"
        else Subscription.per_event("bench-consumer", [topic], {BenchEventRecorded: apply}, after_commit=committed)
    )
    await runtime.start()
    async with runtime.pool.acquire() as conn:
        await conn.execute(TABLE)
    print("READY", flush=True)
    if args.expect:
        while len(latencies) < args.expect:
            await asyncio.sleep(0.05)
    else:
        told = asyncio.create_task(asyncio.to_thread(sys.stdin.readline))
        while not told.done():
            print(f"APPLIED {len(latencies)}", flush=True)
            await asyncio.wait({told}, timeout=0.2)
    await runtime.stop()
    print(json.dumps({"applied": len(latencies), "first": commits[0], "last": commits[1], "latencies": latencies}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topic", required=True)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--max-records", type=int, default=500)
    parser.add_argument("--partitions", type=int, default=3, help="the topic's (so the runtime finds it as declared)")
    parser.add_argument("--handler", choices=("per-event", "batched"), default="per-event")
    parser.add_argument("--trace-sql", action="store_true")
    asyncio.run(run(parser.parse_args()))
    sys.exit(0)


if __name__ == "__main__":
    main()
