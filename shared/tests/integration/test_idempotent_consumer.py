"""Idempotent, ordered consumption against a real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

import asyncpg
import pytest
from aiokafka.structs import ConsumerRecord

from reloop_contracts import Registry
from reloop_shared.consumer.engine import ConsumerEngine
from reloop_shared.consumer.processed import PostgresProcessedEvents
from reloop_shared.consumer.subscription import Delivery, Subscription
from reloop_shared.db.migrations import SHARED, migrate
from reloop_shared.db.types import Connection
from reloop_shared.messaging.codec import encode, encode_event, envelope_for, header_for
from shared.tests.support import (
    COUNTER_TABLES,
    CounterIncremented,
    CounterNoted,
    apply_increment,
    counter_subscription,
    counter_topic,
    eventually,
    produce_raw,
    running,
    runtime_for,
)

pytestmark = pytest.mark.connected


async def test_a_duplicate_delivery_has_one_effect(env: dict[str, str], database_url: str) -> None:
    topic = counter_topic()
    runtime = runtime_for("consumer", env, database_url, topic, [counter_subscription(topic)])
    async with running(runtime):
        async with runtime.pool.acquire() as conn:
            await conn.execute(COUNTER_TABLES)
        once = envelope_for(CounterIncremented(counter_id="dup", amount=7), producer="other-team")
        after = envelope_for(CounterIncremented(counter_id="dup", amount=1, seq=1), producer="other-team")
        record: tuple[bytes, bytes, dict[str, str]] = (b"dup", encode(once), {})
        # The same event three times (a producer retry, a redelivery after a crash), then another.
        await produce_raw(
            env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, [record, record, record, (b"dup", encode(after), {})]
        )

        async def both_applied() -> bool:
            async with runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM processed_events") == 2)

        await eventually(both_applied, message="the consumer caught up")
        async with runtime.pool.acquire() as conn:
            assert await conn.fetchval("SELECT total FROM counters WHERE counter_id = 'dup'") == 8
            assert await conn.fetchval("SELECT count(*) FROM applied_log") == 2


async def test_events_with_the_same_key_are_applied_in_the_order_they_were_recorded(
    env: dict[str, str], database_url: str
) -> None:
    topic = counter_topic()
    runtime = runtime_for("counters", env, database_url, topic, [counter_subscription(topic)], consumer_max_records=37)
    keys = [f"key-{n}" for n in range(6)]
    per_key = 60
    async with running(runtime):
        async with runtime.pool.acquire() as conn:
            await conn.execute(COUNTER_TABLES)
        sequence = {key: 0 for key in keys}
        plan = [key for key in keys for _ in range(per_key)]
        random.Random(7).shuffle(plan)
        async with runtime.pool.acquire() as conn:
            # Many small transactions, interleaving keys, as concurrent requests would write them.
            for start in range(0, len(plan), 9):
                async with conn.transaction():
                    events = []
                    for key in plan[start : start + 9]:
                        sequence[key] += 1
                        events.append(CounterIncremented(counter_id=key, amount=1, seq=sequence[key]))
                    await runtime.outbox.add_all(conn, events)
                    await runtime.outbox.add(conn, CounterNoted(counter_id=plan[start]))

        async def all_applied() -> bool:
            async with runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM applied_log") == len(plan))

        await eventually(all_applied, timeout=60, message="every increment was applied")
        async with runtime.pool.acquire() as conn:
            rows = await conn.fetch("SELECT counter_id, seq FROM applied_log ORDER BY position")
            dead = await conn.fetchval("SELECT count(*) FROM processed_events")
    for key in keys:
        applied = [r["seq"] for r in rows if r["counter_id"] == key]
        assert applied == list(range(1, per_key + 1)), f"{key} applied out of order"
    assert dead == len(plan), "events the consumer does not handle are skipped, not recorded"
    await asyncio.sleep(0)


class _NoDeadLetters:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, record: Any, *, consumer: str, reason: str, error_type: str, attempts: int) -> None:
        self.sent.append(reason)


async def test_two_consumers_applying_the_same_event_at_the_same_moment_apply_it_once(database_url: str) -> None:
    # A consumer that lost its partitions in a rebalance may still be applying a batch when the
    # new owner starts on the same records: one of the two transactions fails on the key, and its
    # events are applied again one by one, where they are found recorded.
    topic = counter_topic()
    registry = Registry.of([topic])
    started = asyncio.Event()

    async def slow_increment(deliveries: Sequence[Delivery], conn: Connection) -> None:
        for delivery in deliveries:
            assert isinstance(delivery.event, CounterIncremented)
            await apply_increment(delivery.event, delivery.envelope, conn)
        started.set()
        await asyncio.sleep(0.3)  # both transactions are open at once

    subscription = Subscription.batched("counter-consumer", [topic], [CounterIncremented], slow_increment)
    events = [CounterIncremented(counter_id="race", amount=n, seq=n) for n in (1, 2, 3)]
    values = [encode_event(header_for(e, producer="counter-test"), e) for e in events]
    records = [
        ConsumerRecord(topic.name, 0, offset, 0, 0, b"race", value, None, 4, len(value), [])
        for offset, value in enumerate(values)
    ]
    pool = await asyncpg.create_pool(database_url, min_size=2, max_size=4)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, [SHARED])
            await conn.execute(COUNTER_TABLES)
        dead_letters = _NoDeadLetters()
        first, second = (
            ConsumerEngine(PostgresProcessedEvents(pool), subscription, registry, dead_letters) for _ in range(2)
        )
        await asyncio.gather(first.process(records), second.process(records))
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT total FROM counters WHERE counter_id = 'race'") == 6
            assert await conn.fetchval("SELECT count(*) FROM applied_log") == 3
            assert await conn.fetchval("SELECT count(*) FROM processed_events") == 3
        assert dead_letters.sent == []
        assert started.is_set()
    finally:
        await pool.close()
