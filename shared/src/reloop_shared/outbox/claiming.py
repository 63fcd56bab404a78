"""A relay batch's claim: renew the lease and lock the next rows, in one round trip.

- The renewal (`lease.RENEW`) runs first, in the same statement: the claim locks no row unless
  the lease was renewed for this holder and epoch, so fencing is as strict as with two statements.
- The rows come from the partial index on unpublished rows, in id order, reading about a batch:
  the planner is told not to read the whole backlog and sort it. Its statistics are those of a
  healthy outbox (nearly nothing unpublished), so at a burst it would estimate a row or two and
  pick a bitmap scan and a sort, which read every unpublished row at every batch: draining a
  backlog of n rows then cost n² / batch rows read.
- Rows that hold their key back (failing or parked, `parking.py`) keep their key's later rows out.
"""

from __future__ import annotations

import asyncpg

from reloop_shared.db.types import Connection
from reloop_shared.outbox.lease import RENEW, RelayLease

# SET LOCAL: for this batch's transaction only. A frozen leader must not hold the lease row (and so
# every takeover) for ever; the planner settings keep the claim on the ordered index scan.
_SETTINGS = (
    "SET LOCAL idle_in_transaction_session_timeout = {timeout_ms};"
    " SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off"
)

# One row with a NULL id when nothing is due; a NULL epoch when the lease is not ours (then nothing
# was locked: the claim's rows all depend on the renewal's).
_CLAIM = f"""
WITH lease AS ({RENEW}), claimed AS (
    SELECT o.id, o.topic, o.message_key, o.value, o.headers, o.attempts
    FROM outbox o
    WHERE EXISTS (SELECT FROM lease)
      AND o.published_at IS NULL AND o.discarded_at IS NULL AND o.parked_at IS NULL
      AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= now())
      AND NOT EXISTS (
          SELECT FROM outbox b
          WHERE (b.parked_at IS NOT NULL OR b.next_attempt_at IS NOT NULL)
            AND b.topic = o.topic AND b.message_key = o.message_key AND b.id < o.id)
    ORDER BY o.id
    LIMIT $4
    FOR UPDATE OF o SKIP LOCKED
)
SELECT (SELECT epoch FROM lease) AS epoch, claimed.*
FROM (SELECT) AS one LEFT JOIN claimed ON true
ORDER BY claimed.id
"""


async def claim(conn: Connection, lease: RelayLease, limit: int) -> list[asyncpg.Record]:
    """In a batch's transaction, before anything is published: renew the lease and lock up to
    `limit` rows due, in id order. Raises `LeadershipLost` (locking nothing) when the lease is gone."""
    lease.renewed(lease.epoch)  # known lost already: not even a round trip
    await conn.execute(_SETTINGS.format(timeout_ms=int(lease.seconds * 1000)))
    rows = await conn.fetch(_CLAIM, lease.holder, lease.epoch, lease.seconds, limit)
    lease.renewed(rows[0]["epoch"])
    return [] if rows[0]["id"] is None else rows
