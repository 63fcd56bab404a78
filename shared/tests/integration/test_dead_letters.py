"""Poison messages go to `<topic>.dlq` with their reason, and never block the partition (the later
events of their own key wait behind them: see test_key_holds)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.partitioner import murmur2

from reloop_contracts import EnvelopeHeader, TopicSpec
from reloop_shared.consumer.dead_letter_store import read_dead_letters
from reloop_shared.consumer.subscription import Subscription
from reloop_shared.db.types import Connection, Pool
from reloop_shared.kafka import headers as h
from reloop_shared.messaging.codec import encode, envelope_for
from shared.tests.support import (
    COUNTER_TABLES,
    CounterIncremented,
    apply_increment,
    counter_subscription,
    counter_topic,
    eventually,
    produce_raw,
    reloop_cli,
    running,
    runtime_for,
)

pytestmark = pytest.mark.connected


async def _total(pool: Pool, counter: str) -> int | None:
    async with pool.acquire() as conn:
        value = await conn.fetchval("SELECT total FROM counters WHERE counter_id = $1", counter)
        return int(value) if value is not None else None


def _beside(key: bytes, partitions: int = 3) -> bytes:
    """Another key that Kafka's default partitioner puts in the same partition as `key`."""
    wanted = (murmur2(key) & 0x7FFFFFFF) % partitions
    return next(
        k for n in range(1000) if (murmur2(k := f"{key.decode()}-{n}".encode()) & 0x7FFFFFFF) % partitions == wanted
    )


async def _dead_letters(env: dict[str, str], topic: TopicSpec, expect: int) -> list[dict[str, str]]:
    letters: list[dict[str, str]] = []
    for _ in range(100):
        letters = [
            letter.headers for letter in await read_dead_letters(env["KAFKA_BOOTSTRAP_SERVERS"], topic.dead_letter)
        ]
        if len(letters) >= expect:
            break
        await asyncio.sleep(0.2)
    return letters


async def test_a_message_that_is_not_an_event_lands_in_the_dead_letter_topic_and_the_next_is_applied(
    env: dict[str, str], database_url: str
) -> None:
    topic = counter_topic()
    runtime = runtime_for("consumer", env, database_url, topic, [counter_subscription(topic)])
    valid = envelope_for(CounterIncremented(counter_id="k", amount=3), producer="other-team")
    wrong_type = envelope_for(CounterIncremented(counter_id="k", amount=1), producer="other-team")
    wrong_payload = encode(wrong_type).replace(b'"amount":1', b'"amount":"one"')
    async with running(runtime):
        async with runtime.pool.acquire() as conn:
            await conn.execute(COUNTER_TABLES)
        await produce_raw(
            env["KAFKA_BOOTSTRAP_SERVERS"],
            topic.name,
            [
                (b"k", b"{not json", {"origin": "legacy-pos"}),
                (b"j", wrong_payload, {}),
                (_beside(b"k"), encode(valid), {}),
            ],
        )
        await eventually(lambda: _is(runtime.pool, "k", 3), message="the valid event behind the poison was applied")
        letters = await _dead_letters(env, topic, expect=2)

    assert len(letters) == 2
    garbage, invalid = sorted(letters, key=lambda x: int(x[h.DLQ_ORIGINAL_OFFSET]))
    assert "not a reloop envelope" in garbage[h.DLQ_REASON]
    assert garbage["origin"] == "legacy-pos", "the original headers are kept"
    assert garbage[h.DLQ_ATTEMPTS] == "1"
    assert garbage[h.DLQ_ORIGINAL_TOPIC] == topic.name
    assert "amount" in invalid[h.DLQ_REASON], "the reason names the field at fault"


async def _is(pool: Pool, counter: str, total: int) -> bool:
    return await _total(pool, counter) == total


def _needs_known_counter() -> Subscription:
    """A consumer whose handler fails until reference data exists: a fixable failure."""

    async def apply(event: CounterIncremented, envelope: EnvelopeHeader, conn: Connection) -> None:
        if not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM known_counters WHERE counter_id = $1)", event.counter_id
        ):
            raise LookupError(f"counter {event.counter_id} is not registered")
        await apply_increment(event, envelope, conn)

    return Subscription.per_event("strict-consumer", [], {CounterIncremented: apply}, max_attempts=3)


async def test_an_event_that_keeps_failing_is_dead_lettered_after_bounded_retries_and_replays_once_fixed(
    env: dict[str, str], database_url: str
) -> None:
    topic = counter_topic()
    template = _needs_known_counter()
    subscription = Subscription(template.consumer, (topic,), template.accepts, template.apply, max_attempts=3)
    runtime = runtime_for("consumer", env, database_url, topic, [subscription])
    failing = envelope_for(CounterIncremented(counter_id="unknown", amount=4), producer="other-team")
    fine = envelope_for(CounterIncremented(counter_id="known", amount=2), producer="other-team")
    async with running(runtime):
        async with runtime.pool.acquire() as conn:
            await conn.execute(COUNTER_TABLES)
            await conn.execute("CREATE TABLE known_counters (counter_id TEXT PRIMARY KEY)")
            await conn.execute("INSERT INTO known_counters VALUES ('known')")
        # The same partition, another key: the failing event is in front of the good one and does
        # not block it. (An event of the failing one's own key would wait behind it: test_key_holds.)
        await produce_raw(
            env["KAFKA_BOOTSTRAP_SERVERS"],
            topic.name,
            [(b"same", encode(failing), {}), (_beside(b"same"), encode(fine), {})],
        )
        await eventually(lambda: _is(runtime.pool, "known", 2), message="the event behind the failing one was applied")
        letters = await _dead_letters(env, topic, expect=1)
        assert len(letters) == 1
        assert letters[0][h.DLQ_ATTEMPTS] == "3"
        assert letters[0][h.DLQ_CONSUMER] == "strict-consumer"
        assert "counter unknown is not registered" in letters[0][h.DLQ_REASON]

        listing = await asyncio.to_thread(reloop_cli, env, ["dlq", "list", topic.dead_letter])
        assert "counter unknown is not registered" in listing

        async with runtime.pool.acquire() as conn:
            await conn.execute("INSERT INTO known_counters VALUES ('unknown')")
        replayed = await asyncio.to_thread(reloop_cli, env, ["dlq", "replay", topic.dead_letter, "--all"])
        assert "replayed 1" in replayed
        await eventually(lambda: _is(runtime.pool, "unknown", 4), message="the replayed event was applied")
        assert await _total(runtime.pool, "known") == 2, "the replay did not re-apply anything else"
