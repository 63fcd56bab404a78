"""Dead letters: the original record, its headers, the reason and the attempt count, on `<topic>.dlq`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker

from reloop_shared.kafka import headers as h


class DeadLetterSink(Protocol):
    async def send(
        self, record: ConsumerRecord[bytes, bytes], *, consumer: str, reason: str, error_type: str, attempts: int
    ) -> None: ...


def dead_letter_headers(
    record: ConsumerRecord[bytes, bytes], *, consumer: str, reason: str, error_type: str, attempts: int
) -> dict[str, str]:
    headers = h.decode_headers(record.headers)
    headers.update(
        {
            h.DLQ_REASON: reason[:2000],
            h.DLQ_ERROR_TYPE: error_type,
            h.DLQ_ATTEMPTS: str(attempts),
            h.DLQ_CONSUMER: consumer,
            h.DLQ_ORIGINAL_TOPIC: record.topic,
            h.DLQ_ORIGINAL_PARTITION: str(record.partition),
            h.DLQ_ORIGINAL_OFFSET: str(record.offset),
            h.DLQ_FAILED_AT: datetime.now(UTC).isoformat(),
        }
    )
    return headers


class BrokerDeadLetterSink:
    def __init__(self, broker: KafkaBroker) -> None:
        self.broker = broker

    async def send(
        self, record: ConsumerRecord[bytes, bytes], *, consumer: str, reason: str, error_type: str, attempts: int
    ) -> None:
        headers = dead_letter_headers(
            record, consumer=consumer, reason=reason, error_type=error_type, attempts=attempts
        )
        # Awaited: the offset is committed only once the dead letter is safely stored.
        await self.broker.publish(record.value or b"", f"{record.topic}.dlq", key=record.key, headers=headers)
