"""The transactional outbox against a real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable

import asyncpg
import pytest

from reloop_contracts import Registry
from reloop_shared.db.migrations import SHARED, migrate
from reloop_shared.db.types import Connection
from reloop_shared.db.urls import database_name
from reloop_shared.messaging.codec import decode
from reloop_shared.outbox.writer import OutboxWriter
from shared.tests.support import (
    COUNTER_TABLES,
    CounterIncremented,
    counter_subscription,
    counter_topic,
    eventually,
    read_topic,
    running,
    runtime_for,
)

pytestmark = pytest.mark.connected

_HOLD_MARKING = """
CREATE FUNCTION hold_marking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Blocks the relay's "mark as published" until the test releases lock 4242.
    PERFORM pg_advisory_lock_shared(4242);
    PERFORM pg_advisory_unlock_shared(4242);
    RETURN NULL;
END;
$$;
CREATE TRIGGER hold_marking BEFORE UPDATE ON outbox FOR EACH STATEMENT EXECUTE FUNCTION hold_marking();
"""


async def test_a_rolled_back_transaction_publishes_nothing(env: dict[str, str], database_url: str) -> None:
    topic = counter_topic()
    runtime = runtime_for("producer", env, database_url, topic)
    async with running(runtime):
        async with runtime.pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            await runtime.outbox.add(conn, CounterIncremented(counter_id="rolled-back", amount=1))
            await transaction.rollback()
            async with conn.transaction():
                await runtime.outbox.add(conn, CounterIncremented(counter_id="committed", amount=2))

        records = await read_topic(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, expect=2, timeout=6)

    counters = [decode(r.value, Registry.of([topic])).event for r in records]
    assert [c.counter_id for c in counters if isinstance(c, CounterIncremented)] == ["committed"]


def _start_relay(env: dict[str, str], database_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reloop_shared.cli.main",
            "--bootstrap-servers",
            env["KAFKA_BOOTSTRAP_SERVERS"],
            "relay",
            "--database-url",
            database_url,
            "--producer",
            "counter-test",
        ],
        env={**os.environ, **env},
    )


async def test_a_relay_killed_between_publish_and_mark_republishes_and_the_consumer_applies_once(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    topic = counter_topic()
    producer_db, consumer_db = await new_database(), await new_database()
    conn = await asyncpg.connect(producer_db)
    await migrate(conn, [SHARED])
    await conn.execute(_HOLD_MARKING)
    # The server notices the killed relay while it waits, and rolls its transaction back.
    await conn.execute(
        f"ALTER DATABASE \"{database_name(producer_db)}\" SET client_connection_check_interval = '100ms'"
    )
    await conn.execute("SELECT pg_advisory_lock(4242)")
    writer = OutboxWriter("counter-test", Registry.of([topic]))
    async with conn.transaction():
        envelope = await writer.add(conn, CounterIncremented(counter_id="c-1", amount=5))

    consumer = runtime_for("consumer", env, consumer_db, topic, [counter_subscription(topic)])
    async with running(consumer):
        async with consumer.pool.acquire() as c:
            await c.execute(COUNTER_TABLES)
        relay = _start_relay(env, producer_db)
        try:
            first = await read_topic(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, expect=1)
            assert len(first) == 1, "the relay published the committed row"
            assert await conn.fetchval("SELECT published_at IS NULL FROM outbox") is True
            relay.send_signal(signal.SIGKILL)
            relay.wait(timeout=10)
        finally:
            if relay.poll() is None:
                relay.kill()
        await conn.execute("DROP TRIGGER hold_marking ON outbox")
        await conn.execute("SELECT pg_advisory_unlock(4242)")
        await eventually(lambda: _no_relay_holds_rows(conn), message="the killed relay's transaction was rolled back")

        restarted = _start_relay(env, producer_db)
        try:
            await eventually(lambda: _is_published(conn), message="the restarted relay published and marked the row")
        finally:
            restarted.send_signal(signal.SIGTERM)
            restarted.wait(timeout=30)

        records = await read_topic(env["KAFKA_BOOTSTRAP_SERVERS"], topic.name, expect=2)
        assert len(records) == 2, "the row went out twice: once before the kill, once after"
        assert {decode(r.value, Registry.of([topic])).envelope.event_id for r in records} == {envelope.event_id}

        async def applied_once() -> bool:
            async with consumer.pool.acquire() as c:
                seen = await c.fetchval("SELECT count(*) FROM processed_events WHERE event_id = $1", envelope.event_id)
                return bool(seen == 1)

        await eventually(applied_once, message="the consumer applied the event")
        await asyncio.sleep(1.0)  # leave time for the duplicate to arrive and be skipped
        async with consumer.pool.acquire() as c:
            assert await c.fetchval("SELECT total FROM counters WHERE counter_id = 'c-1'") == 5
            assert await c.fetchval("SELECT count(*) FROM applied_log") == 1
    await conn.close()


async def _no_relay_holds_rows(conn: Connection) -> bool:
    try:
        await conn.execute("SELECT id FROM outbox FOR UPDATE NOWAIT")
    except asyncpg.LockNotAvailableError:
        return False
    return True


async def _is_published(conn: Connection) -> bool:
    return bool(await conn.fetchval("SELECT bool_and(published_at IS NOT NULL) FROM outbox"))
