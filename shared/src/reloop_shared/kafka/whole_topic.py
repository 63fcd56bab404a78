"""Every record of a topic from its beginning to its end as it is now, without joining a group:
what an operator's listing (dead letters) or a check after a run reads.

The partitions come from the admin's description of the topic: a consumer's metadata fetch
(`consumer.topics()`) does not keep what it learns, so `partitions_for_topic` after it knows
nothing. A partition is done when the position reaches the end offset read at the start, not when
the last record seen is `end - 1`: offsets are not dense (transaction markers, compaction).
"""

from __future__ import annotations

from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from reloop_shared.kafka.admin import admin_client
from reloop_shared.kafka.connection import KafkaSecurity

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


async def read_whole_topic(bootstrap: str, topic: str) -> list[Record]:
    """The records of `topic` up to its end now, in offset order per partition; none when the
    topic does not exist."""
    partitions = [TopicPartition(topic, p) for p in await partitions_of(bootstrap, topic)]
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, **KafkaSecurity.from_environment().client_options()
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Record] = []
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=5000)
            for tp, fetched in batch.items():
                records.extend(r for r in fetched if r.offset < ends[tp])  # later ones: the next read
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        return records
    finally:
        await consumer.stop()


async def partitions_of(bootstrap: str, topic: str) -> list[int]:
    """The topic's partitions as the broker describes them; none when it does not exist."""
    admin = admin_client(bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(p["partition"] for t in described if t.get("error_code") == 0 for p in t.get("partitions", []))
