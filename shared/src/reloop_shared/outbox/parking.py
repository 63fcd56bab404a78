"""Rows the broker refuses: retried with backoff, then parked with the error until an operator acts.

A refusal of the row itself (too large, a topic we may not write, a header that does not encode)
counts an attempt; after `park_after` of them the row is parked. A broker that is away counts
nothing: the relay waits it out. While a row is failing or parked, the later rows of its
(topic, key) are not claimed (`claiming.py`), so a consumer never sees them before it; other
keys flow. Blocked rows are few and sit in their own partial index (outbox_blocked), read once per
claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reloop_shared.db.types import Connection

MARK_PUBLISHED = """
UPDATE outbox SET published_at = now(), attempts = attempts + 1, next_attempt_at = NULL
WHERE id = ANY($1::bigint[])
"""
_RECORD_REFUSALS = """
UPDATE outbox o
SET attempts = o.attempts + 1,
    last_error = refused.error,
    parked_at = CASE WHEN o.attempts + 1 >= $4 THEN now() END,
    next_attempt_at = CASE WHEN o.attempts + 1 >= $4 THEN NULL ELSE now() + make_interval(secs => refused.wait) END
FROM unnest($1::bigint[], $2::text[], $3::float8[]) AS refused (id, error, wait)
WHERE o.id = refused.id
RETURNING o.id, o.parked_at IS NOT NULL AS parked
"""
_PARKED = """
SELECT p.id, p.topic, p.message_key, p.event_type, p.attempts, p.last_error, p.parked_at,
       (SELECT count(*) FROM outbox w
        WHERE w.topic = p.topic AND w.message_key = p.message_key AND w.id > p.id
          AND w.published_at IS NULL AND w.discarded_at IS NULL) AS waiting
FROM outbox p
WHERE p.parked_at IS NOT NULL
ORDER BY p.id
"""
PARKED_COUNT = "SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL"
# Released: due at once, and still blocking its key until it goes out (it is retried alone).
_RELEASE = """
UPDATE outbox SET parked_at = NULL, attempts = 0, next_attempt_at = now()
WHERE parked_at IS NOT NULL AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
RETURNING id
"""
_DISCARD = """
UPDATE outbox SET parked_at = NULL, next_attempt_at = NULL, discarded_at = now()
WHERE parked_at IS NOT NULL AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
RETURNING id
"""


@dataclass(frozen=True)
class Refusal:
    row_id: int
    error: str
    retry_in: float


@dataclass(frozen=True)
class ParkedRow:
    id: int
    topic: str
    key: str
    event_type: str
    attempts: int
    error: str
    parked_at: datetime
    waiting: int
    """Rows of the same topic and key held back behind it."""


async def record_refusals(conn: Connection, refusals: Sequence[Refusal], *, park_after: int) -> list[int]:
    """Count one attempt on each refused row; the ids of those parked now."""
    rows = await conn.fetch(
        _RECORD_REFUSALS,
        [r.row_id for r in refusals],
        [r.error for r in refusals],
        [r.retry_in for r in refusals],
        park_after,
    )
    return [row["id"] for row in rows if row["parked"]]


async def parked_rows(conn: Connection) -> list[ParkedRow]:
    return [
        ParkedRow(
            id=r["id"],
            topic=r["topic"],
            key=r["message_key"],
            event_type=r["event_type"],
            attempts=r["attempts"],
            error=r["last_error"] or "",
            parked_at=r["parked_at"],
            waiting=r["waiting"],
        )
        for r in await conn.fetch(_PARKED)
    ]


async def release(conn: Connection, ids: Sequence[int] | None, *, discard: bool = False) -> list[int]:
    """Give parked rows (all of them when `ids` is None) another try, or discard them: a discarded
    row is never published and its key's later rows flow. Returns the ids changed."""
    statement = _DISCARD if discard else _RELEASE
    changed = [row["id"] for row in await conn.fetch(statement, None if ids is None else list(ids))]
    if changed:  # the relay wakes on this channel (0001_outbox.sql) rather than at its next poll
        await conn.execute("SELECT pg_notify('reloop_outbox', '')")
    return changed
