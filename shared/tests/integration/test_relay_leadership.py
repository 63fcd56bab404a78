"""Relay leadership against a real PostgreSQL: one relay publishes at a time, whatever happens to
its connections or its process, so a key's events never interleave."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator

import pytest

from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.relay import OutboxRelay
from shared.tests.integration.relay_fakes import (
    RecordingPublisher,
    Sent,
    ids_by_event,
    keys_out_of_order,
    migrated,
    published_events,
    relay_pool,
    relaying,
    write,
)
from shared.tests.support import eventually

pytestmark = pytest.mark.connected

WRITERS = 4
KEYS_PER_WRITER = 10
ROWS_PER_WRITER = 750


async def _writer(url_conn: Connection, number: int) -> None:
    """Its own keys, a few rows per transaction, as a service's handlers would write them."""
    keys = [f"w{number}-k{k}" for k in range(KEYS_PER_WRITER)]
    for _ in range(ROWS_PER_WRITER // 15):
        await write(url_conn, random.choices(keys, k=15))


async def _write_from_several_writers(url: str) -> None:
    conns = [await migrated(url) for _ in range(WRITERS)]
    try:
        await asyncio.gather(*(_writer(conn, n) for n, conn in enumerate(conns)))
    finally:
        for conn in conns:
            await conn.close()


async def _all_published(conn: Connection, log: list[Sent]) -> bool:
    return len(published_events(log)) == int(await conn.fetchval("SELECT count(*) FROM outbox"))


async def test_a_leader_whose_connections_are_killed_never_lets_a_second_relay_interleave_a_keys_events(
    database_url: str, pools: list[Pool]
) -> None:
    conn = await migrated(database_url)
    log: list[Sent] = []
    first, second = (
        OutboxRelay(pool, RecordingPublisher(name, log), producer="p", batch_size=50, poll_interval=0.05)
        for pool, name in zip(pools, ("a", "b"), strict=True)
    )

    async def kill_the_leaders_idle_connections() -> None:
        # The connection its leadership lived on (a session lock, once), which also listens for rows.
        for _ in range(5):
            await asyncio.sleep(0.3)
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'relay-a' AND state = 'idle' AND query LIKE 'LISTEN%'"
            )

    async with relaying(first):
        await eventually(lambda: _true(first.is_leader), message="the first relay leads")
        async with relaying(second):
            await asyncio.gather(_write_from_several_writers(database_url), kill_the_leaders_idle_connections())
            await eventually(lambda: _all_published(conn, log), message="every row was published")

    ids = await ids_by_event(conn)
    assert len(ids) == WRITERS * ROWS_PER_WRITER
    assert keys_out_of_order(log, ids) == []


async def test_two_relays_started_at_once_publish_one_at_a_time_and_never_interleave_a_key(
    database_url: str, pools: list[Pool]
) -> None:
    conn = await migrated(database_url)
    log: list[Sent] = []
    relays = [
        OutboxRelay(pool, RecordingPublisher(name, log), producer="p", batch_size=50, poll_interval=0.05)
        for pool, name in zip(pools, ("a", "b"), strict=True)
    ]

    async with relaying(*relays):
        writing = asyncio.create_task(_write_from_several_writers(database_url))
        await eventually(lambda: _true(len(log) >= 500), message="the first leader publishes")
        leader = next(relay for relay in relays if relay.is_leader)
        leader.stop()  # the other takes over: a second run of sendings, never a mix
        await writing
        await write(conn, [f"w0-k{k}" for k in range(KEYS_PER_WRITER)])  # after the stop, for the other
        await eventually(lambda: _all_published(conn, log), message="every row was published")

    runs = [relay for relay, _ in itertools.groupby(sent.relay for sent in log)]
    assert len(runs) == 2, f"one relay, then the other, never both: {runs[:20]}"
    assert keys_out_of_order(log, await ids_by_event(conn)) == []


async def test_a_leader_frozen_past_its_lease_is_fenced_out_and_its_next_batch_publishes_nothing(
    database_url: str, pools: list[Pool]
) -> None:
    conn = await migrated(database_url)
    log: list[Sent] = []
    frozen = RecordingPublisher("a", log)
    first = OutboxRelay(pools[0], frozen, producer="p", batch_size=50, poll_interval=0.05, lease_seconds=1.0)
    second = OutboxRelay(
        pools[1], RecordingPublisher("b", log), producer="p", batch_size=50, poll_interval=0.05, lease_seconds=1.0
    )

    async with relaying(first):
        await eventually(lambda: _true(first.is_leader), message="the first relay leads")
        async with relaying(second):
            await write(conn, ["k1", "k2", "k1"])
            await eventually(lambda: _all_published(conn, log), message="the leader publishes")
            frozen.paused.clear()  # the leader's process stops in the middle of its next batch
            in_flight = set((await ids_by_event(conn)).keys())
            await write(conn, ["k1", "k2", "k1", "k2"])
            in_flight = set((await ids_by_event(conn)).keys()) - in_flight
            await eventually(lambda: _all_published(conn, log), message="the standby took over past the lease")

            frozen.paused.set()  # the old leader wakes up, finishes the batch it was in, and is fenced
            await eventually(lambda: _true(not first.is_leader), message="the old leader stood down")
            await write(conn, ["k1", "k2", "k1"])
            await eventually(lambda: _all_published(conn, log), message="the new leader publishes on")

    woken = [sent.event_id for sent in log[log.index(next(s for s in log if s.relay == "b")) :] if sent.relay == "a"]
    assert set(woken) <= in_flight, "after the takeover, the old leader sent only what it had claimed before"
    assert second.is_leader is False  # stopped
    assert keys_out_of_order(log, await ids_by_event(conn)) == []


@pytest.fixture
async def pools(database_url: str) -> AsyncIterator[list[Pool]]:
    """Two relays' pools, `relay-a` and `relay-b`."""
    opened = [await relay_pool(database_url, "relay-a"), await relay_pool(database_url, "relay-b")]
    yield opened
    for pool in opened:
        await pool.close()


async def _true(value: bool) -> bool:
    return value
