"""How a rebuild stays exactly-once: per-partition offset watermarks, not a row per event.

A rebuild (`reloop replay crm`) reads every partition from its first offset into an emptied read
model, one share owning each partition. Each batch saves the partition's highest offset in its own
transaction, and an event at or below the saved watermark is skipped: a batch applied once is never
applied again, whatever the engine retries. That replaces, for the rebuild only, the
`processed_events` row the live consumer writes and checks for every event (a tenth of a rebuild's
CPU).

Offsets speak for a fetched batch only: a batch that failed as a whole is applied again one event
per transaction, and the records a dead-lettered key held back are applied when its hold is
released, after later offsets were. There (the engine's slow path, rare) the ids are recorded in
`processed_events` as live.

What an offset cannot recognise is the same event published twice (a relay that crashed after
sending and before marking its outbox row). The projection needs no help there: every row it
writes is keyed by what the event is about (entry, sale, return, consent capture...) and a row
already there is left alone, so a copy writes nothing. The events applied one by one (erasures,
merges, consents, segments, shops) have effects beyond the read model, so they keep their
`processed_events` rows: a copy is skipped as live, and the live consumer meets those rows when it
takes over (the handover: it resumes at its committed offsets, where the rebuild stopped; rewound
further back, it finds the one-by-one events recorded and the projection's rows already there).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import AsyncIterator, Container, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

from reloop_contracts import Event
from reloop_shared.consumer.key_holds import Screened
from reloop_shared.consumer.processed import PostgresProcessedEvents
from reloop_shared.consumer.subscription import Delivery, Subscription
from reloop_shared.db.types import Connection, Pool

# The watermark before this batch (NULL: none yet), and the batch's highest offset saved as the new
# one, in one round trip. One share owns a partition, so no other transaction moves it meanwhile.
_ADVANCE = """
WITH before AS (
    SELECT applied_through FROM replay_watermarks WHERE consumer = $1 AND topic = $2 AND partition = $3
), saved AS (
    INSERT INTO replay_watermarks (consumer, topic, partition, applied_through) VALUES ($1, $2, $3, $4)
    ON CONFLICT (consumer, topic, partition)
    DO UPDATE SET applied_through = GREATEST(replay_watermarks.applied_through, excluded.applied_through)
)
SELECT (SELECT applied_through FROM before)
"""


class ReplayProgress(PostgresProcessedEvents):
    """The engine's store during a rebuild. Its fast path (a fetched batch, `screen_new`) records
    no event ids: `watermarked` decides what is new by offset. Its slow path (a failed batch
    applied one by one, and the records a hold kept back, drained after offsets past them were
    applied) records ids in `processed_events` as live does, since offsets say nothing there."""

    def __init__(self, pool: Pool) -> None:
        super().__init__(pool)
        self._screened: set[int] = set()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with super().transaction() as conn:
            try:
                yield conn
            finally:
                self._screened.discard(id(conn))

    def screened(self, tx: Connection) -> bool:
        """Whether the transaction applies a fetched batch (the fast path)."""
        return id(tx) in self._screened

    async def screen_new(
        self,
        tx: Connection,
        consumer: str,
        topic: str,
        partition: int,
        event_ids: Sequence[UUID],
        keys: Sequence[str],
    ) -> Screened:
        # The live screen's hold probes without recording the ids: a key held behind a dead letter
        # still holds during a rebuild.
        held, released = await self.probe(tx, consumer, topic, partition, keys)
        if not held:
            self._screened.add(id(tx))
        return Screened(None, held, released)


def watermarked(
    subscription: Subscription[Connection], projected: Container[type[Event]], progress: ReplayProgress
) -> Subscription[Connection]:
    """The subscription, applying a fetched batch only past each partition's watermark; events not
    of a `projected` type are recorded in `processed_events` too (as live), and applied once each."""
    consumer, apply = subscription.consumer, subscription.apply

    async def apply_new(deliveries: Sequence[Delivery], conn: Connection) -> None:
        if not progress.screened(conn):
            await apply(deliveries, conn)  # the slow path: the engine recorded the ids, as live
            return
        by_partition: dict[tuple[str, int], list[Delivery]] = defaultdict(list)
        for delivery in deliveries:
            by_partition[(delivery.topic, delivery.partition)].append(delivery)
        fresh: list[Delivery] = []
        for (topic, partition), batch in by_partition.items():
            before = await conn.fetchval(_ADVANCE, consumer, topic, partition, max(d.offset for d in batch))
            fresh.extend(batch if before is None else [d for d in batch if d.offset > before])
        once = [d.event_id for d in fresh if type(d.event) not in projected]
        if once:
            new = await progress.record_new(conn, consumer, once)
            if new is not None:
                fresh = [d for d in fresh if type(d.event) in projected or _first(d.event_id, new)]
        if fresh:
            await apply(fresh, conn)

    return dataclasses.replace(subscription, apply=apply_new)


def _first(event_id: UUID, new: set[UUID]) -> bool:
    """Whether the event is new and not met before in this batch (as the engine's `_first_of_each`)."""
    if event_id in new:
        new.discard(event_id)
        return True
    return False
