"""The relay's housekeeping on a real PostgreSQL: the outbox purge goes in batches, never touches
a parked row, and keeps running while a row is being refused."""

from __future__ import annotations

import pytest
from aiokafka.errors import TopicAuthorizationFailedError

from reloop_shared.db.types import Connection
from reloop_shared.outbox.purging import purge
from reloop_shared.outbox.relay import OutboxRelay
from shared.tests.integration.relay_fakes import RecordingPublisher, Sent, migrated, relay_pool, relaying, write
from shared.tests.support import eventually

pytestmark = pytest.mark.connected


async def _age(conn: Connection, ids: list[int], *, published_hours_ago: float) -> None:
    await conn.execute(
        "UPDATE outbox SET published_at = now() - make_interval(hours => $2::int) WHERE id = ANY($1::bigint[])",
        ids,
        published_hours_ago,
    )


async def test_the_purge_deletes_old_published_rows_in_batches_and_keeps_the_rest(database_url: str) -> None:
    conn = await migrated(database_url)
    old = await write(conn, [f"k{n}" for n in range(1050)])
    await _age(conn, old, published_hours_ago=48)
    recent = await write(conn, ["r1", "r2"])
    await _age(conn, recent, published_hours_ago=1)
    [parked, pending] = await write(conn, ["p", "q"])
    await conn.execute("UPDATE outbox SET parked_at = now() - interval '3 days' WHERE id = $1", parked)
    pool = await relay_pool(database_url, "purge")

    deleted = await purge(pool, keep_for=24 * 3600, batch=100, pause=0)

    assert deleted == 1050
    assert sorted(await conn.fetchval("SELECT array_agg(id) FROM outbox")) == sorted([*recent, parked, pending])
    await pool.close()
    await conn.close()


async def test_housekeeping_keeps_running_while_a_row_is_refused_again_and_again(database_url: str) -> None:
    conn = await migrated(database_url)
    old = await write(conn, ["done-1", "done-2"])
    await _age(conn, old, published_hours_ago=48)
    await write(conn, ["refused"], value=b"to a topic we may not write")
    log: list[Sent] = []
    publisher = RecordingPublisher(
        "relay", log, refuse=lambda key, value: TopicAuthorizationFailedError() if key == "refused" else None
    )
    pool = await relay_pool(database_url, "relay")
    relay = OutboxRelay(
        pool,
        publisher,
        producer="p",
        poll_interval=0.05,
        park_after=1000,
        retry_base=0.01,
        max_backoff=0.01,
        housekeeping_every=0.2,
    )

    async def purged() -> bool:
        return not await conn.fetchval("SELECT count(*) FROM outbox WHERE id = ANY($1::bigint[])", old)

    async with relaying(relay):
        await eventually(lambda: _refused_at_least(log, 5), message="the row is refused again and again")
        await eventually(purged, message="the purge ran all the same")

    assert await conn.fetchval(
        "SELECT parked_at IS NULL AND published_at IS NULL FROM outbox WHERE message_key = 'refused'"
    )
    await pool.close()
    await conn.close()


async def _refused_at_least(log: list[Sent], count: int) -> bool:
    return sum(1 for sent in log if sent.refused) >= count
