"""Where a consumer remembers which events it applied: the store its transactions run in.

The engine asks of a store: open a transaction, and inside it record a batch of event ids,
learning which of them are new, unless a key of the batch is held behind a dead letter (see
`key_holds`). PostgreSQL does it with the `processed_events` table in the consuming transaction;
the in-memory twin (`reloop_shared.memory`) with a set in its snapshot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeVar
from uuid import UUID

from reloop_shared.consumer.key_holds import KeyHolds, Screened
from reloop_shared.consumer.postgres_key_holds import PostgresKeyHolds
from reloop_shared.db.types import Connection, Pool

Tx = TypeVar("Tx")

# The ids recorded now, or NULL when every id of the batch was, each once (the usual case: nothing
# to send back, and no id to look up in Python).
#
# Ids already there are left out with NOT EXISTS rather than ON CONFLICT DO NOTHING: the same
# outcome without PostgreSQL's speculative insertion, which costs an extra WAL record and a lock
# per row. Were another transaction recording the same id at the same moment (a consumer that lost
# its partitions and does not know yet), this one would fail on the key, and the engine applies
# its events one by one, where the id is found recorded.
_RECORD_NEW = """
WITH recorded AS (
    INSERT INTO processed_events (consumer, event_id)
    SELECT $1, i FROM (SELECT DISTINCT unnest($2::uuid[])) AS ids(i)
    WHERE NOT EXISTS (SELECT FROM processed_events p WHERE p.event_id = i AND p.consumer = $1)
    RETURNING event_id
)
SELECT CASE WHEN count(*) = cardinality($2::uuid[]) THEN NULL ELSE coalesce(array_agg(event_id), '{}') END
FROM recorded
"""


# The fast path's one statement: `_RECORD_NEW`, unless a key of the batch is held, plus whether a
# released hold of the partition still has events to apply. Holds are checked here, in the
# consuming transaction and the same round trip, rather than from a cache of held keys: a cache
# would go stale when partitions move to another member of the group (its holds were made by the
# previous owner), and a key applied past its hold once is an order break for good. When no key is
# held, the cost is two probes of an empty index on the server, nothing on the wire.
_SCREEN_NEW = """
WITH held AS (
    SELECT FROM consumer_key_holds
    WHERE consumer = $1 AND topic = $3 AND message_key = ANY($4::text[])
    LIMIT 1
), recorded AS (
    INSERT INTO processed_events (consumer, event_id)
    SELECT $1, i FROM (SELECT DISTINCT unnest($2::uuid[])) AS ids(i)
    WHERE NOT EXISTS (SELECT FROM held)
      AND NOT EXISTS (SELECT FROM processed_events p WHERE p.event_id = i AND p.consumer = $1)
    RETURNING event_id
)
SELECT CASE WHEN count(*) = cardinality($2::uuid[]) THEN NULL ELSE coalesce(array_agg(event_id), '{}') END,
       EXISTS (SELECT FROM held),
       EXISTS (
           SELECT FROM consumer_key_holds
           WHERE consumer = $1 AND topic = $3 AND partition = $5 AND released_at IS NOT NULL
       )
FROM recorded
"""


class ProcessedEvents(KeyHolds[Tx], Protocol[Tx]):
    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A transaction that commits when the block ends and rolls back when it raises."""
        ...

    async def record_new(self, tx: Tx, consumer: str, event_ids: Sequence[UUID]) -> set[UUID] | None:
        """Record `event_ids` as processed by `consumer`; the ids that were new, or None when every
        id was new and none repeated (the usual case, nothing to filter)."""
        ...

    async def screen_new(
        self, tx: Tx, consumer: str, topic: str, partition: int, event_ids: Sequence[UUID], keys: Sequence[str]
    ) -> Screened:
        """`record_new`, unless one of `keys` is held: then nothing is recorded. Says too whether a
        released hold of the partition waits to apply its held events."""
        ...


class PostgresProcessedEvents(PostgresKeyHolds):
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def record_new(self, tx: Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID] | None:
        recorded = await tx.fetchval(_RECORD_NEW, consumer, list(event_ids))
        return None if recorded is None else set(recorded)

    async def screen_new(
        self,
        tx: Connection,
        consumer: str,
        topic: str,
        partition: int,
        event_ids: Sequence[UUID],
        keys: Sequence[str],
    ) -> Screened:
        row = await tx.fetchrow(_SCREEN_NEW, consumer, list(event_ids), topic, list(keys), partition)
        assert row is not None  # an aggregate without GROUP BY returns one row
        recorded, held, released = row
        return Screened(None if recorded is None else set(recorded), held, released)
