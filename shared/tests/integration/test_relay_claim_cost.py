"""What one relay batch costs the database when the backlog is long: a batch's claim reads about a
batch of rows, whatever the backlog and whatever the planner's statistics say (a burst arrives on
an outbox whose statistics say it is empty; a claim that read and sorted the whole backlog each
time made draining it quadratic)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.relay import OutboxRelay
from shared.tests.integration.relay_fakes import RecordingPublisher, Sent, migrated, relay_pool, write

pytestmark = pytest.mark.connected

BACKLOG = 3000
BATCH = 100

# This backend's counts not reported yet: their growth over the claim is what it read of the outbox.
_OUTBOX_ROWS_READ = """
SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)
FROM pg_stat_xact_user_tables WHERE relname = 'outbox'
"""


class _Reading:
    """A connection of the relay's that notes how many outbox rows the claim (the statement that
    locks outbox rows) read, counted in the batch's own transaction."""

    def __init__(self, conn: Connection, reads: list[int]) -> None:
        self._conn = conn
        self._reads = reads

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> Any:
        if "FOR UPDATE" not in query or "outbox o" not in query:
            return await self._conn.fetch(query, *args, **kwargs)
        before = await self._conn.fetchval(_OUTBOX_ROWS_READ) or 0
        rows = await self._conn.fetch(query, *args, **kwargs)
        self._reads.append(await self._conn.fetchval(_OUTBOX_ROWS_READ) - before)
        return rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


class _ReadingPool:
    def __init__(self, pool: Pool, reads: list[int]) -> None:
        self._pool = pool
        self._reads = reads

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        async with self._pool.acquire() as conn:
            yield _Reading(conn, self._reads)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    opened = await relay_pool(database_url, "relay")
    yield opened
    await opened.close()


async def test_a_batch_reads_about_a_batch_of_rows_however_long_the_backlog(database_url: str, pool: Pool) -> None:
    conn = await migrated(database_url)
    for start in range(0, BACKLOG, 500):
        await write(conn, [f"k{n % 97}" for n in range(start, start + 500)])
    reads: list[int] = []
    log: list[Sent] = []
    relay = OutboxRelay(_ReadingPool(pool, reads), RecordingPublisher("relay", log), producer="p", batch_size=BATCH)  # type: ignore[arg-type]
    async with pool.acquire() as lease_conn:
        assert await relay.lease.take(lease_conn)

    for _ in range(3):
        outcome = await relay.publish_batch()
        assert outcome.published == BATCH

    assert len(log) == 3 * BATCH
    assert len(reads) == 3
    assert max(reads) <= 2 * BATCH, f"a claim read {max(reads)} outbox rows for a batch of {BATCH}"
    await conn.close()
