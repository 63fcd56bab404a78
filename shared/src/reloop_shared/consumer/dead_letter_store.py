"""Reads dead-letter topics and replays their records onto the topics they came from.

Replay is safe to repeat: consumers that already applied an event skip it by event id, and only
the consumer that failed applies it (once its bug or data is fixed).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from reloop_shared.kafka import headers as h
from reloop_shared.kafka.admin import admin_client
from reloop_shared.kafka.broker import make_producer
from reloop_shared.kafka.whole_topic import read_whole_topic


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def original_topic(self) -> str:
        return self.headers.get(h.DLQ_ORIGINAL_TOPIC) or self.topic.removesuffix(".dlq")

    @property
    def reason(self) -> str:
        return self.headers.get(h.DLQ_REASON, "")

    @property
    def position(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"

    @property
    def consumer(self) -> str | None:
        """The consumer group that gave up on it."""
        return self.headers.get(h.DLQ_CONSUMER) or None

    @property
    def event_id(self) -> UUID | None:
        """None for a record that was not an event and carried no event id."""
        try:
            return UUID(self.headers.get(h.EVENT_ID) or "")
        except ValueError:
            return None

    @property
    def original_partition(self) -> int | None:
        return _number(self.headers.get(h.DLQ_ORIGINAL_PARTITION))

    @property
    def original_offset(self) -> int | None:
        return _number(self.headers.get(h.DLQ_ORIGINAL_OFFSET))


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


async def dead_letter_topics(bootstrap: str) -> list[str]:
    admin = admin_client(bootstrap)
    await admin.start()
    try:
        return sorted(t for t in await admin.list_topics() if t.endswith(".dlq"))
    finally:
        await admin.close()


async def read_dead_letters(bootstrap: str, topic: str) -> list[DeadLetter]:
    """Everything currently on one dead-letter topic, without joining a consumer group."""
    return [
        DeadLetter(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value or b"",
            headers=h.decode_headers(record.headers),
        )
        for record in await read_whole_topic(bootstrap, topic)
    ]


def replayed_headers(letter: DeadLetter) -> dict[str, str]:
    """The original record's headers, and where it was replayed from: a consumer that holds the
    record's key knows by this header that the dead letter it waits for has come back."""
    headers = {k: v for k, v in letter.headers.items() if not k.startswith("dlq-")}
    headers[h.REPLAYED_FROM] = letter.position
    return headers


async def replay(bootstrap: str, letters: list[DeadLetter]) -> int:
    """Publish each dead letter's original record (value, key, headers) to its original topic."""
    producer = make_producer(bootstrap, client_id="reloop-dlq-replay")
    await producer.start()
    try:
        for letter in letters:
            await producer.send_and_wait(
                letter.original_topic,
                letter.value,
                key=letter.key,
                headers=[(k, v.encode()) for k, v in replayed_headers(letter).items()],
            )
        return len(letters)
    finally:
        await producer.stop()
