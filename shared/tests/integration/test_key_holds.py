"""Per-key order across dead letters on a real Kafka and PostgreSQL: the later events of a key wait
behind its dead letter until `reloop dlq replay` brings it back or `reloop dlq discard` gives it up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest

from reloop_contracts import EnvelopeHeader, TopicSpec
from reloop_shared.consumer.dead_letter_store import DeadLetter, read_dead_letters
from reloop_shared.consumer.errors import Unprocessable
from reloop_shared.consumer.subscription import Subscription
from reloop_shared.db.types import Connection, Pool
from reloop_shared.kafka import headers as h
from reloop_shared.messaging.codec import encode, envelope_for
from reloop_shared.runtime import ServiceRuntime
from shared.tests.support import (
    COUNTER_TABLES,
    CounterIncremented,
    apply_increment,
    counter_topic,
    eventually,
    produce_raw,
    reloop_cli,
    running,
    runtime_for,
)

pytestmark = pytest.mark.connected

CONSUMER = "holding-consumer"
REFUSALS = "CREATE TABLE IF NOT EXISTS refusals (counter_id TEXT NOT NULL, seq INT NOT NULL)"


async def apply_unless_refused(event: CounterIncremented, envelope: EnvelopeHeader, conn: Connection) -> None:
    """Refuses an event until its refusal is deleted: a failure that a fix of the data heals."""
    if await conn.fetchval(
        "SELECT EXISTS (SELECT FROM refusals WHERE counter_id = $1 AND seq = $2)", event.counter_id, event.seq
    ):
        raise Unprocessable(f"{event.counter_id}#{event.seq} is refused for now")
    await apply_increment(event, envelope, conn)


def runtime(env: dict[str, str], database_url: str, topic: TopicSpec, **settings: float) -> ServiceRuntime:
    subscription = Subscription.per_event(CONSUMER, [topic], {CounterIncremented: apply_unless_refused})
    return runtime_for("holding", env, database_url, topic, [subscription], **settings)


def record(key: str, seq: int) -> tuple[bytes, bytes, dict[str, str]]:
    envelope = envelope_for(CounterIncremented(counter_id=key, amount=1, seq=seq), producer="other-team")
    return (key.encode(), encode(envelope), {h.EVENT_ID: str(envelope.event_id)})


async def applied(pool: Pool, key: str) -> list[int]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT seq FROM applied_log WHERE counter_id = $1 ORDER BY position", key)
    return [r["seq"] for r in rows]


async def held(pool: Pool) -> int:
    """Events waiting behind a hold; 0 where nothing holds them (the table does not exist)."""
    async with pool.acquire() as conn:
        if await conn.fetchval("SELECT to_regclass('consumer_held_events')") is None:
            return 0
        return int(await conn.fetchval("SELECT count(*) FROM consumer_held_events"))


async def arrange(pool: Pool, *refused: tuple[str, int]) -> None:
    async with pool.acquire() as conn:
        await conn.execute(COUNTER_TABLES)
        await conn.execute(REFUSALS)
        await conn.executemany("INSERT INTO refusals VALUES ($1, $2)", refused)


async def lift_refusals(pool: Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM refusals")


async def dead_letters(env: dict[str, str], topic: TopicSpec, expect: int) -> list[DeadLetter]:
    letters: list[DeadLetter] = []
    for _ in range(100):
        letters = await read_dead_letters(env["KAFKA_BOOTSTRAP_SERVERS"], topic.dead_letter)
        if len(letters) >= expect:
            break
        await asyncio.sleep(0.2)
    return letters


async def k_then_others_arrived(pool: Pool, expect_k: int) -> bool:
    """Every event of `k` was read (applied or held) and the other key's events were applied."""
    return len(await applied(pool, "k")) + await held(pool) >= expect_k and len(await applied(pool, "o")) == 2


async def test_events_behind_a_dead_letter_wait_and_a_replay_applies_them_after_it_in_order(
    env: dict[str, str], database_url: str
) -> None:
    topic = counter_topic()
    service = runtime(env, database_url, topic)
    async with running(service):
        await arrange(service.pool, ("k", 2))
        messages = [record("k", 1), record("k", 2), record("o", 1), record("k", 3), record("o", 2), record("k", 4)]
        await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, messages)
        await eventually(lambda: k_then_others_arrived(service.pool, 3), message="k and o were read")
        assert await applied(service.pool, "k") == [1], "3 and 4 wait behind the dead-lettered 2"
        assert await applied(service.pool, "o") == [1, 2], "other keys flow"
        listing = await asyncio.to_thread(
            reloop_cli, env, ["dlq", "held", "--consumer", CONSUMER, "--database-url", database_url]
        )
        assert "key=k  2 event(s) behind" in listing

        await lift_refusals(service.pool)
        await asyncio.to_thread(reloop_cli, env, ["dlq", "replay", topic.dead_letter, "--all"])
        await eventually(lambda: _is(applied(service.pool, "k"), [1, 2, 3, 4]), message="2, 3 and 4 applied")
        assert await held(service.pool) == 0


async def test_discarding_a_dead_letter_applies_the_events_held_behind_it_in_order(
    env: dict[str, str], database_url: str
) -> None:
    topic = counter_topic()
    service = runtime(env, database_url, topic)
    async with running(service):
        await arrange(service.pool, ("k", 2))
        messages = [record("k", 1), record("k", 2), record("o", 1), record("k", 3), record("o", 2), record("k", 4)]
        await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, messages)
        await eventually(lambda: k_then_others_arrived(service.pool, 3), message="k and o were read")
        [letter] = await dead_letters(env, topic, expect=1)
        event_id = letter.headers[h.EVENT_ID]
        out = await asyncio.to_thread(
            reloop_cli,
            env,
            ["dlq", "discard", topic.dead_letter, "--event-id", event_id, "--database-url", database_url],
        )
        assert "1 hold(s) released" in out
        # The held events are applied with the consumer's next batch of the partition.
        await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, [record("k", 5)])
        await eventually(lambda: _is(applied(service.pool, "k"), [1, 3, 4, 5]), message="3, 4 and 5 applied")
        await asyncio.to_thread(reloop_cli, env, ["dlq", "replay", topic.dead_letter, "--all"])
        await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, [record("k", 6)])
        await eventually(lambda: _is(applied(service.pool, "k"), [1, 3, 4, 5, 6]), message="6 applied")
        assert await applied(service.pool, "k") == [1, 3, 4, 5, 6], "a discarded dead letter replayed later is skipped"


async def test_a_discard_on_a_partition_that_receives_nothing_more_is_drained_by_the_runtime_all_the_same(
    env: dict[str, str], database_url: str
) -> None:
    topic = counter_topic()
    service = runtime(env, database_url, topic, held_keys_drain_every_s=0.5)
    async with running(service):
        await arrange(service.pool, ("k", 2))
        await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, [record("k", 1), record("k", 2), record("k", 3)])
        await eventually(lambda: _is(held_count(service.pool), [1]), message="3 held behind 2")
        [letter] = await dead_letters(env, topic, expect=1)
        await asyncio.to_thread(
            reloop_cli,
            env,
            [
                "dlq",
                "discard",
                topic.dead_letter,
                "--event-id",
                letter.headers[h.EVENT_ID],
                "--database-url",
                database_url,
            ],
        )
        await eventually(lambda: _is(applied(service.pool, "k"), [1, 3]), message="3 applied with nothing new read")
        assert await held(service.pool) == 0


async def held_count(pool: Pool) -> list[int]:
    return [await held(pool)]


async def test_a_held_event_is_applied_once_after_the_consumer_restarts(env: dict[str, str], database_url: str) -> None:
    topic = counter_topic()
    first = runtime(env, database_url, topic)
    async with running(first):
        await arrange(first.pool, ("k", 2))
        await produce_raw(
            env["KAFKA_BOOTSTRAP_SERVERS"],
            topic.name,
            [record("k", 1), record("k", 2), record("k", 3), record("o", 1), record("o", 2)],
        )
        await eventually(lambda: k_then_others_arrived(first.pool, 2), message="k and o were read")
    second = runtime(env, database_url, topic)
    async with running(second):
        await lift_refusals(second.pool)
        await asyncio.to_thread(reloop_cli, env, ["dlq", "replay", topic.dead_letter, "--all"])
        await eventually(lambda: _is(applied(second.pool, "k"), [1, 2, 3]), message="2 and 3 applied")
        await asyncio.to_thread(reloop_cli, env, ["dlq", "replay", topic.dead_letter, "--all"])
        await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, [record("k", 4)])
        await eventually(lambda: _is(applied(second.pool, "k"), [1, 2, 3, 4]), message="4 applied")
        assert await applied(second.pool, "k") == [1, 2, 3, 4], "the second replay applied nothing again"


async def test_a_record_that_is_not_an_event_holds_its_key(env: dict[str, str], database_url: str) -> None:
    topic = counter_topic()
    service = runtime(env, database_url, topic)
    async with running(service):
        await arrange(service.pool)
        poison: tuple[bytes, bytes, dict[str, str]] = (b"k", b"{not json", {"origin": "legacy-pos"})
        await produce_raw(
            env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, [poison, record("k", 1), record("o", 1), record("o", 2)]
        )
        await eventually(lambda: k_then_others_arrived(service.pool, 1), message="k and o were read")
        assert await applied(service.pool, "k") == [], "1 waits behind the record that is not an event"
        [letter] = await dead_letters(env, topic, expect=1)
        await asyncio.to_thread(
            reloop_cli,
            env,
            [
                "dlq",
                "discard",
                topic.dead_letter,
                "--offset",
                f"{letter.partition}:{letter.offset}",
                "--consumer",
                CONSUMER,
                "--database-url",
                database_url,
            ],
        )
        await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, [record("k", 2)])
        await eventually(lambda: _is(applied(service.pool, "k"), [1, 2]), message="1 and 2 applied")


async def _is(values: Awaitable[list[int]], expected: list[int]) -> bool:
    return await values == expected
