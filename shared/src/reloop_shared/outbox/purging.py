"""Deleting what the outbox no longer needs, in small batches so that no single statement holds
locks or writes WAL for minutes after a busy day.

Published rows go after `keep_for` seconds (long enough to look at what went out); discarded
rows too, counted from when they were discarded. Parked rows are never deleted: they wait for
an operator.
"""

from __future__ import annotations

import asyncio

from reloop_shared.db.types import Pool

# Each through its partial index: published rows by published_at, discarded ones among the few
# unpublished rows.
_PURGE_PUBLISHED = """
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE published_at < now() - make_interval(secs => $1) LIMIT $2)
"""
_PURGE_DISCARDED = """
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox
    WHERE published_at IS NULL AND discarded_at < now() - make_interval(secs => $1) LIMIT $2)
"""


async def purge(pool: Pool, *, keep_for: float, batch: int = 5000, pause: float = 0.05) -> int:
    """Delete in batches of `batch` rows with `pause` seconds between; the number deleted."""
    deleted = 0
    for statement in (_PURGE_PUBLISHED, _PURGE_DISCARDED):
        while True:
            async with pool.acquire() as conn:
                status = await conn.execute(statement, keep_for, batch)
            count = int(status.split()[-1])
            deleted += count
            if count < batch:
                break
            await asyncio.sleep(pause)
    return deleted
