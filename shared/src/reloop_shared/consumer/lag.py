"""Consumer lag per partition: how far the group is behind the partition's end, as of a batch.

Measured after the batch is applied and committed, from the highwater mark the fetch brought back
(no extra request to the broker): highwater is the offset the next produced record will get, so a
group that applied everything it fetched and found nothing more is 0 behind. A partition that
receives nothing keeps its last value, which was measured when its last records were consumed;
a partition handed to another replica is forgotten here (`ForgetRevokedLag`), so the replicas of
a group never report the same partition twice, one of them stale.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aiokafka import ConsumerRebalanceListener
from aiokafka.structs import ConsumerRecord, TopicPartition

from reloop_shared.telemetry import metrics

Highwater = Callable[[TopicPartition], int | None]


def last_offsets(records: Sequence[ConsumerRecord[Any, Any]]) -> dict[tuple[str, int], int]:
    """The last offset applied of each partition of a batch."""
    last: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record.topic, record.partition)
        last[key] = max(record.offset, last.get(key, record.offset))
    return last


def record_lag(consumer: object, group: str, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
    """Sets `reloop_consumer_lag` for each partition of the batch. faststream's in-memory test
    broker hands a consumer without highwater marks: nothing is measured there."""
    highwater: Highwater | None = getattr(consumer, "highwater", None)
    if highwater is None:
        return
    for (topic, partition), offset in last_offsets(records).items():
        try:
            end = highwater(TopicPartition(topic, partition))
        except AssertionError:  # aiokafka's answer for a partition revoked since the fetch
            continue
        if end is not None:
            metrics.CONSUMER_LAG.labels(group, topic, str(partition)).set(max(0, end - offset - 1))


class ForgetRevokedLag(ConsumerRebalanceListener):  # type: ignore[misc]
    """Removes the lag of the partitions taken from this consumer: their new owner reports them."""

    def __init__(self, group: str) -> None:
        self.group = group

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        for partition in revoked:
            with contextlib.suppress(KeyError):  # never measured here
                metrics.CONSUMER_LAG.remove(self.group, partition.topic, str(partition.partition))

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        return None
