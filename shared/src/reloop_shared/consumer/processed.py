"""Where a consumer remembers which events it applied: the store its transactions run in.

The engine asks one thing of a store: open a transaction, and inside it record a batch of event
ids, learning which of them are new. PostgreSQL does it with the `processed_events` table in the
consuming transaction; the in-memory twin (`reloop_shared.memory`) with a set in its snapshot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeVar
from uuid import UUID

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


class ProcessedEvents(Protocol[Tx]):
    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A transaction that commits when the block ends and rolls back when it raises."""
        ...

    async def record_new(self, tx: Tx, consumer: str, event_ids: Sequence[UUID]) -> set[UUID] | None:
        """Record `event_ids` as processed by `consumer`; the ids that were new, or None when every
        id was new and none repeated (the usual case, nothing to filter)."""
        ...


class PostgresProcessedEvents:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def record_new(self, tx: Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID] | None:
        recorded = await tx.fetchval(_RECORD_NEW, consumer, list(event_ids))
        return None if recorded is None else set(recorded)
