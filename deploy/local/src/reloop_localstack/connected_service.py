"""A service's runtime on the real broker and database, driven like its in-memory twin.

Implements `reloop_shared.memory_service.ServiceUnderTest`, so a messaging test written once runs
on `InMemoryService` (fast, by default) and on this (marked `connected`). Events are produced to
Kafka exactly as a producer's outbox row would be; `deliver` returns once every consumer of the
service that takes an event has recorded it as processed, or dead-lettered it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from aiokafka import AIOKafkaProducer

from reloop_contracts import Event
from reloop_localstack.testing import eventually
from reloop_shared.consumer.dead_letter_store import DeadLetter, read_dead_letters
from reloop_shared.kafka import headers as h
from reloop_shared.messaging.codec import Decoder
from reloop_shared.outbox.writer import OutboxRow, OutboxWriter
from reloop_shared.runtime import ServiceRuntime

U = TypeVar("U")
EventT = TypeVar("EventT", bound=Event)


class ConnectedService(Generic[U]):
    def __init__(self, runtime: ServiceRuntime, unit_of_work: Callable[[], U], *, timeout: float = 30) -> None:
        self.runtime = runtime
        self._unit_of_work = unit_of_work
        self.timeout = timeout
        self._decoder = Decoder(runtime.registry)

    @property
    def bootstrap(self) -> str:
        return self.runtime.settings.kafka_bootstrap_servers

    async def deliver(self, *events: Event, producer: str = "test") -> None:
        rows = OutboxWriter(producer, self.runtime.registry).rows(events)
        kafka = AIOKafkaProducer(bootstrap_servers=self.bootstrap, enable_idempotence=True, acks="all")
        await kafka.start()
        try:
            for row in rows:
                headers = [(k, v.encode()) for k, v in row.headers.items()]
                await kafka.send_and_wait(row.topic, row.value, key=row.key.encode(), headers=headers)
        finally:
            await kafka.stop()
        for row in rows:
            await self._settled(row)

    async def _settled(self, row: OutboxRow) -> None:
        """Every consumer that takes the row's event recorded it, or one dead-lettered it."""
        consumers = [
            s.consumer
            for s in self.runtime.subscriptions
            if row.topic in s.topic_names and type(row.event) in s.accepts
        ]
        event_id = row.envelope.event_id

        async def applied_or_dead_lettered() -> bool:
            async with self.runtime.pool.acquire() as conn:
                recorded = await conn.fetchval(
                    "SELECT count(*) FROM processed_events WHERE event_id = $1 AND consumer = ANY($2::text[])",
                    event_id,
                    consumers,
                )
            if recorded == len(consumers):
                return True
            letters = await read_dead_letters(self.bootstrap, f"{row.topic}.dlq")
            return any(letter.headers.get(h.EVENT_ID) == str(event_id) for letter in letters)

        await eventually(applied_or_dead_lettered, timeout=self.timeout, message=f"{row.envelope.event_type} applied")

    async def published(self, kind: type[EventT]) -> list[EventT]:
        async with self.runtime.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT value, headers FROM outbox WHERE event_type = $1 ORDER BY id", kind.EVENT_TYPE
            )
        found = []
        for row in rows:
            event = self._decoder.decode(bytes(row["value"])).event
            assert isinstance(event, kind)
            found.append(event)
        return found

    async def dead_letters(self) -> list[DeadLetter]:
        topics = sorted({t.dead_letter for s in self.runtime.subscriptions for t in s.topics})
        letters: list[DeadLetter] = []
        for topic in topics:
            letters.extend(await read_dead_letters(self.bootstrap, topic))
        return letters

    def unit_of_work(self) -> U:
        return self._unit_of_work()
