"""Erasure and the outbox: a service's published events about a person may name them."""

from __future__ import annotations

from collections.abc import Sequence

from reloop_shared.db.types import Connection


async def forget_published(conn: Connection, keys: Sequence[str]) -> int:
    """Drop the already-published outbox rows of these aggregates (the relay keeps them a while
    after sending). A row not published yet stays: deleting it would lose its event. Returns the
    rows dropped."""
    if not keys:
        return 0
    status = await conn.execute(
        "DELETE FROM outbox WHERE published_at IS NOT NULL AND message_key = ANY($1::text[])", list(keys)
    )
    return int(status.rsplit(" ", 1)[-1])
