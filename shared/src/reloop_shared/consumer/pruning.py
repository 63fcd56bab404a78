"""Pruning `processed_events`: a row goes only once a redelivery of its event can no longer come.

A row is what recognises a redelivered event, so it is kept as long as the event can come back:

- from the group's last committed offset after a crash or a rebalance: minutes;
- from a group rewound by an operator, or a dead letter replayed a second time (a dead letter's
  event was never applied, so only a repeated replay meets a row): as far back as `keep_for` (the
  setting `processed_events_keep_for_days`, never under `KEEP_AT_LEAST`). Rewinding further back
  than that is a rebuild, not a redelivery: it goes into an empty database or a new group.
- from the topic itself, while the broker still holds the record. A topic kept for ever holds
  every record for ever, so it cannot bound the age, and `keep_for` alone does. A topic with a
  `retention.ms` can still hand out a record somewhat *after* that time: the broker deletes whole
  segments, and a segment goes only once its newest record is older than the retention, the
  active one only after it rolls (`log.roll.ms`, seven days by default). So the retention is not
  a reason to forget sooner; it is a reason to remember longer: a consumer of such a topic keeps
  its rows for the retention plus `SEGMENT_ROLL`, when that is longer than `keep_for`, and a
  rewind to the earliest offset still finds every record it gets back already recorded.

Rows go in batches of `batch_size`, one short statement each, oldest first through the
`processed_at` index (migration 0006), with a pause between them: the deletes never hold locks
long, and the consumers' inserts go on meanwhile. Only the consumers this process subscribes are
pruned: another process sharing the database may read other topics and need longer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from reloop_contracts import TopicSpec
from reloop_shared.consumer.subscription import Subscription
from reloop_shared.db.types import Pool
from reloop_shared.telemetry import metrics

log = logging.getLogger(__name__)

KEEP_AT_LEAST = timedelta(days=1)
"""No setting prunes younger rows: redeliveries after a crash or a rebalance come within minutes,
and an operator replaying a dead letter the next morning must still be safe."""
SEGMENT_ROLL = timedelta(days=7)
"""Kafka's default `log.roll.ms`: how long past its retention a record may still be read."""

_DELETE_BATCH = """
DELETE FROM processed_events p
USING (
    SELECT event_id, consumer FROM processed_events
    WHERE consumer = $1 AND processed_at < now() - $2::interval
    ORDER BY processed_at
    LIMIT $3
) old
WHERE p.event_id = old.event_id AND p.consumer = old.consumer
"""


@dataclass(frozen=True)
class Pruning:
    keep_for: timedelta
    batch_size: int = 10_000
    pause_s: float = 0.1
    """Between two batches: the consumers' transactions and autovacuum get their turn."""

    def __post_init__(self) -> None:
        if self.keep_for < KEEP_AT_LEAST:
            raise ValueError(f"processed events are kept at least {KEEP_AT_LEAST}, not {self.keep_for}")
        if self.batch_size < 1:
            raise ValueError("a batch deletes at least one row")

    def horizon(self, topics: Iterable[TopicSpec]) -> timedelta:
        """How long a consumer of `topics` keeps its rows (the module's docstring says why)."""
        retentions = [timedelta(milliseconds=t.retention_ms) for t in topics if not t.kept_for_ever]
        return max([self.keep_for, *(retention + SEGMENT_ROLL for retention in retentions)])


def horizons_of(pruning: Pruning, subscriptions: Sequence[Subscription[Any]]) -> dict[str, timedelta]:
    """Each consumer's horizon; a consumer named by two subscriptions keeps the longer one."""
    horizons: dict[str, timedelta] = {}
    for subscription in subscriptions:
        horizon = pruning.horizon(subscription.topics)
        horizons[subscription.consumer] = max(horizon, horizons.get(subscription.consumer, horizon))
    return horizons


async def prune_processed_events(pool: Pool, horizons: Mapping[str, timedelta], pruning: Pruning) -> int:
    """Delete each consumer's rows older than its horizon, batch by batch; how many went."""
    pruned = 0
    for consumer, horizon in horizons.items():
        while True:
            async with pool.acquire() as conn:
                status = await conn.execute(_DELETE_BATCH, consumer, horizon, pruning.batch_size)
            deleted = int(status.split()[-1])  # "DELETE <n>"
            pruned += deleted
            if deleted < pruning.batch_size:
                break
            await asyncio.sleep(pruning.pause_s)
    async with pool.acquire() as conn:
        size = await conn.fetchval("SELECT pg_total_relation_size('processed_events')")
    metrics.PROCESSED_EVENTS_BYTES.set(size)
    if pruned:
        log.info("pruned processed events", extra={"rows": pruned})
    return pruned
