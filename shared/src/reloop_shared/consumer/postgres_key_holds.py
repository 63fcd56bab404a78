"""Holds in PostgreSQL: `consumer_key_holds` and `consumer_held_events` (migration 0005)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from reloop_shared.consumer.key_holds import HeldRecord, Hold
from reloop_shared.db.types import Connection

_HOLD_COLUMNS = "consumer, topic, message_key, partition, dead_offset, dead_event_id, reason, released_at IS NOT NULL"

_HOLDS_OF = f"""
SELECT {_HOLD_COLUMNS} FROM consumer_key_holds
WHERE consumer = $1 AND topic = $2 AND message_key = ANY($3::text[])
FOR UPDATE
"""

_RELEASED = f"""
SELECT {_HOLD_COLUMNS} FROM consumer_key_holds
WHERE consumer = $1 AND topic = $2 AND partition = $3 AND released_at IS NOT NULL
FOR UPDATE
"""

# `processed._SCREEN_NEW`'s two probes alone, for a screen that records no event ids.
_PROBE = """
SELECT EXISTS (
           SELECT FROM consumer_key_holds WHERE consumer = $1 AND topic = $2 AND message_key = ANY($3::text[])
       ),
       EXISTS (
           SELECT FROM consumer_key_holds
           WHERE consumer = $1 AND topic = $2 AND partition = $4 AND released_at IS NOT NULL
       )
"""

_HOLD = """
INSERT INTO consumer_key_holds (consumer, topic, message_key, partition, dead_offset, dead_event_id, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (consumer, topic, message_key) DO UPDATE SET
    partition = EXCLUDED.partition, dead_offset = EXCLUDED.dead_offset, dead_event_id = EXCLUDED.dead_event_id,
    reason = EXCLUDED.reason, released_at = NULL
"""

_ADD_HELD = """
INSERT INTO consumer_held_events (consumer, topic, message_key, partition, "offset", event_id, value, headers)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
ON CONFLICT (consumer, topic, partition, "offset") DO NOTHING
"""

_HELD = """
SELECT id, partition, "offset", event_id, value, headers::text FROM consumer_held_events
WHERE consumer = $1 AND topic = $2 AND message_key = $3
ORDER BY id LIMIT $4
"""

_END = """
DELETE FROM consumer_key_holds h
WHERE consumer = $1 AND topic = $2 AND message_key = $3 AND released_at IS NOT NULL
  AND NOT EXISTS (
      SELECT FROM consumer_held_events e
      WHERE e.consumer = h.consumer AND e.topic = h.topic AND e.message_key = h.message_key
  )
"""

_DISCARD = f"""
UPDATE consumer_key_holds SET released_at = now()
WHERE consumer = $1 AND topic = $2 AND released_at IS NULL
  AND (dead_event_id = $3 OR (partition = $4 AND dead_offset = $5))
RETURNING {_HOLD_COLUMNS}
"""

_GIVEN_UP = """
INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING
"""

_LISTING = f"""
SELECT {_HOLD_COLUMNS}, (
    SELECT count(*) FROM consumer_held_events e
    WHERE e.consumer = h.consumer AND e.topic = h.topic AND e.message_key = h.message_key
) FROM consumer_key_holds h
WHERE $1::text IS NULL OR consumer = $1
ORDER BY consumer, topic, held_since
"""


def _hold(row: asyncpg.Record) -> Hold:
    return Hold(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7])


class PostgresKeyHolds:
    """The `KeyHolds` of `reloop_shared.consumer.key_holds`, on the consuming connection."""

    async def holds_of(self, tx: Connection, consumer: str, topic: str, keys: Sequence[str]) -> dict[str, Hold]:
        rows = await tx.fetch(_HOLDS_OF, consumer, topic, list(keys))
        return {row[2]: _hold(row) for row in rows}

    async def probe(
        self, tx: Connection, consumer: str, topic: str, partition: int, keys: Sequence[str]
    ) -> tuple[bool, bool]:
        """Whether one of `keys` is held, and whether a released hold of the partition still waits
        to apply its held events: the screen of a batch whose ids a store does not record (a
        rebuild's, which goes by offsets)."""
        row = await tx.fetchrow(_PROBE, consumer, topic, list(keys), partition)
        assert row is not None  # a SELECT without FROM returns one row
        return bool(row[0]), bool(row[1])

    async def released_holds(self, tx: Connection, consumer: str, topic: str, partition: int) -> list[Hold]:
        return [_hold(row) for row in await tx.fetch(_RELEASED, consumer, topic, partition)]

    async def hold(self, tx: Connection, hold: Hold) -> None:
        await tx.execute(
            _HOLD, hold.consumer, hold.topic, hold.key, hold.partition, hold.offset, hold.event_id, hold.reason
        )

    async def add_held(self, tx: Connection, hold: Hold, record: HeldRecord) -> None:
        await tx.execute(
            _ADD_HELD,
            hold.consumer,
            hold.topic,
            hold.key,
            record.partition,
            record.offset,
            record.event_id,
            record.value,
            json.dumps(record.headers),
        )

    async def held(self, tx: Connection, hold: Hold, *, limit: int) -> list[HeldRecord]:
        rows = await tx.fetch(_HELD, hold.consumer, hold.topic, hold.key, limit)
        return [HeldRecord(r[1], r[2], r[3], bytes(r[4]), json.loads(r[5]), r[0]) for r in rows]

    async def remove_held(self, tx: Connection, hold: Hold, record: HeldRecord) -> None:
        await tx.execute("DELETE FROM consumer_held_events WHERE id = $1", record.id)

    async def release(self, tx: Connection, hold: Hold) -> None:
        await tx.execute(
            "UPDATE consumer_key_holds SET released_at = now() WHERE consumer = $1 AND topic = $2 AND message_key = $3",
            hold.consumer,
            hold.topic,
            hold.key,
        )

    async def end(self, tx: Connection, hold: Hold) -> bool:
        return str(await tx.execute(_END, hold.consumer, hold.topic, hold.key)) == "DELETE 1"

    async def discard(
        self,
        tx: Connection,
        consumer: str,
        topic: str,
        *,
        event_id: UUID | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> Hold | None:
        row = await tx.fetchrow(_DISCARD, consumer, topic, event_id, partition, offset)
        if row is None:
            return None
        hold = _hold(row)
        if hold.event_id is not None:
            await tx.execute(_GIVEN_UP, consumer, hold.event_id)
        return hold

    async def listing(self, tx: Connection, consumer: str | None) -> list[tuple[Hold, int]]:
        return [(_hold(row), int(row[8])) for row in await tx.fetch(_LISTING, consumer)]
