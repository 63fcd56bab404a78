"""Pruning `processed_events` on a real PostgreSQL: old rows go in batches, recent rows stay and
still recognise a redelivery, and the runtime's job prunes again and again."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
import pytest

from reloop_shared.consumer.processed import PostgresProcessedEvents
from reloop_shared.consumer.pruning import Pruning, prune_processed_events
from reloop_shared.db.migrations import SHARED, migrate
from reloop_shared.db.types import Pool
from shared.tests.support import counter_subscription, counter_topic, eventually, running, runtime_for

pytestmark = pytest.mark.connected

WEEK = Pruning(keep_for=timedelta(days=7), batch_size=10, pause_s=0)

# Every DELETE statement on the table leaves one row here saying how many rows it removed: the
# batches, as PostgreSQL itself counted them.
_COUNT_DELETES = """
CREATE TABLE deletes (n INT NOT NULL);
CREATE FUNCTION count_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deletes SELECT count(*) FROM gone;
    RETURN NULL;
END $$;
CREATE TRIGGER count_deletes AFTER DELETE ON processed_events
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION count_deletes();
"""


async def _pool(database_url: str) -> Pool:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    assert pool is not None
    async with pool.acquire() as conn:
        await migrate(conn, [SHARED])
    return pool


async def _processed(pool: Pool, consumer: str, count: int, *, days_ago: float) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO processed_events (consumer, event_id, processed_at) "
            "SELECT $1, i, now() - make_interval(secs => $3) FROM unnest($2::uuid[]) AS i",
            consumer,
            ids,
            days_ago * 86_400,
        )
    return ids


async def _remaining(pool: Pool, consumer: str) -> set[uuid.UUID]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT event_id FROM processed_events WHERE consumer = $1", consumer)
    return {row["event_id"] for row in rows}


async def test_rows_older_than_the_horizon_go_in_batches_and_recent_rows_stay(database_url: str) -> None:
    pool = await _pool(database_url)
    try:
        async with pool.acquire() as conn:
            await conn.execute(_COUNT_DELETES)
        await _processed(pool, "inventory-sales", 25, days_ago=30)
        await _processed(pool, "inventory-sales", 3, days_ago=8)
        recent = await _processed(pool, "inventory-sales", 5, days_ago=6)
        elsewhere = await _processed(pool, "another-process", 4, days_ago=30)

        pruned = await prune_processed_events(pool, {"inventory-sales": timedelta(days=7)}, WEEK)

        assert pruned == 28
        assert await _remaining(pool, "inventory-sales") == set(recent)
        assert await _remaining(pool, "another-process") == set(elsewhere), "only the consumers named are pruned"
        async with pool.acquire() as conn:
            batches = [row["n"] for row in await conn.fetch("SELECT n FROM deletes")]
        assert sorted(batches, reverse=True) == [10, 10, 8]
    finally:
        await pool.close()


async def test_a_recent_event_redelivered_after_a_prune_is_still_recognised_as_a_duplicate(database_url: str) -> None:
    pool = await _pool(database_url)
    processed = PostgresProcessedEvents(pool)
    try:
        (old,) = await _processed(pool, "crm-profiles", 1, days_ago=20)
        (recent,) = await _processed(pool, "crm-profiles", 1, days_ago=0.01)

        await prune_processed_events(pool, {"crm-profiles": WEEK.keep_for}, WEEK)

        async with processed.transaction() as tx:
            new = await processed.record_new(tx, "crm-profiles", [recent, old])
        assert new == {old}, "the recent event is a duplicate still; only the pruned one reads as new"
    finally:
        await pool.close()


async def test_the_runtime_prunes_on_a_schedule_and_goes_on_pruning(env: dict[str, str], database_url: str) -> None:
    topic = counter_topic()
    runtime = runtime_for(
        "pruned",
        env,
        database_url,
        topic,
        [counter_subscription(topic)],
        processed_events_prune_every_s=0.2,
    )
    async with running(runtime):
        recent = set(await _processed(runtime.pool, "counter-consumer", 3, days_ago=1))
        for _ in range(2):  # a second round: the job did not stop after its first prune
            await _processed(runtime.pool, "counter-consumer", 12, days_ago=10)

            async def only_recent_rows_left() -> bool:
                return await _remaining(runtime.pool, "counter-consumer") == recent

            await eventually(only_recent_rows_left, timeout=20, message="the old rows were pruned")
