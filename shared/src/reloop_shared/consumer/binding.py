"""Binds a consumer engine to a faststream batch subscriber with manual offset commits."""

from __future__ import annotations

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from reloop_shared.consumer.engine import ConsumerEngine
from reloop_shared.consumer.lag import ForgetRevokedLag, record_lag
from reloop_shared.consumer.processed import Tx


def bind(
    broker: KafkaBroker,
    engine: ConsumerEngine[Tx],
    *,
    max_records: int = 500,
    batch_timeout_ms: int = 50,
    group_suffix: str = "",
    start_from: str = "earliest",
) -> None:
    """Subscribe the engine's consumer group to its topics.

    faststream's per-message commit caps a consumer near a few thousand messages per second; a
    batch subscriber fetches up to `max_records`, the engine applies them (one transaction per
    partition), and only then are the offsets committed. Anything unexpected rewinds the batch.
    """
    subscription = engine.subscription

    async def on_batch(message: KafkaMessage) -> None:
        raw = message.raw_message
        # A batch (a tuple from Kafka, a list from faststream's in-memory test broker), or one record.
        records = raw if isinstance(raw, tuple) else tuple(raw) if isinstance(raw, list) else (raw,)
        try:
            await engine.process(records)
        except BaseException:
            # Rewind every partition of the batch to its first record: nothing is skipped.
            await message.nack()
            raise
        await message.ack()
        record_lag(message.consumer, subscription.consumer, records)

    on_batch.__name__ = f"consume_{subscription.consumer}"

    def keep_raw(_: object) -> None:
        # The engine decodes the raw records itself; faststream's JSON decoding would be wasted.
        return None

    broker.subscriber(
        *subscription.topic_names,
        group_id=f"{subscription.consumer}{group_suffix}",
        batch=True,
        max_records=max_records,
        batch_timeout_ms=batch_timeout_ms,
        auto_offset_reset="latest" if start_from == "latest" else "earliest",
        ack_policy=AckPolicy.MANUAL,
        listener=ForgetRevokedLag(subscription.consumer),
        decoder=keep_raw,
        title=subscription.consumer,
        description=f"Consumer group {subscription.consumer}",
    )(on_batch)
