"""A service's runtime on the real broker and database, driven like its in-memory twin.

Implements `reloop_shared.memory_service.ServiceUnderTest`, so a messaging test written once runs
on `InMemoryService` (fast, by default) and on this (marked `connected`). Events are produced to
Kafka exactly as a producer's outbox row would be; `deliver` returns once every consumer group of
the service that reads their topic has committed past them: the engine commits an offset only
after the event was applied, skipped or dead-lettered, so then every copy has had its effect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from reloop_contracts import Event, Registry
from reloop_localstack.testing import eventually, kafka_options
from reloop_shared.consumer.dead_letter_store import DeadLetter, read_dead_letters
from reloop_shared.consumer.key_holds import give_up
from reloop_shared.consumer.postgres_key_holds import PostgresKeyHolds
from reloop_shared.messaging.codec import Decoder
from reloop_shared.outbox.writer import OutboxRow, OutboxWriter
from reloop_shared.runtime import ServiceRuntime

U = TypeVar("U")
EventT = TypeVar("EventT", bound=Event)


class ConnectedService(Generic[U]):
    def __init__(
        self,
        runtime: ServiceRuntime,
        unit_of_work: Callable[[], U],
        *,
        producers: Registry | None = None,
        timeout: float = 30,
    ) -> None:
        """`producers` is the registry the events a test delivers were declared in, namespaced like
        the runtime's; by default the runtime's own."""
        self.runtime = runtime
        self.producers = producers or runtime.registry
        self._unit_of_work = unit_of_work
        self.timeout = timeout
        self._decoder = Decoder(runtime.registry)

    @property
    def bootstrap(self) -> str:
        return self.runtime.settings.kafka_bootstrap_servers

    async def deliver(self, *events: Event, producer: str = "test", copies: int = 1) -> None:
        rows = OutboxWriter(producer, self.producers).rows(events)
        await self.deliver_rows([row for row in rows for _ in range(copies)])

    async def deliver_rows(self, rows: Sequence[OutboxRow]) -> None:
        kafka = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, enable_idempotence=True, acks="all", **kafka_options()
        )
        await kafka.start()
        sent: dict[TopicPartition, int] = {}
        try:
            for row in rows:
                headers = [(k, v.encode()) for k, v in row.headers.items()]
                meta = await kafka.send_and_wait(row.topic, row.value, key=row.key.encode(), headers=headers)
                sent[TopicPartition(meta.topic, meta.partition)] = meta.offset
        finally:
            await kafka.stop()
        await self._consumed(sent)

    async def _consumed(self, sent: dict[TopicPartition, int]) -> None:
        """Every consumer group reading a partition written to has committed past what was sent."""
        suffix = self.runtime.settings.consumer_group_suffix
        groups = {f"{s.consumer}{suffix}": set(s.topic_names) for s in self.runtime.subscriptions}
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, **kafka_options())
        await admin.start()
        try:

            async def caught_up() -> bool:
                for group, topics in groups.items():
                    waiting = [tp for tp in sent if tp.topic in topics]
                    if not waiting:
                        continue
                    committed = await admin.list_consumer_group_offsets(group, partitions=waiting)
                    for tp in waiting:
                        position = committed.get(tp)
                        if position is None or position.offset <= sent[tp]:
                            return False
                return True

            await eventually(caught_up, timeout=self.timeout, message="the service's consumers read what was sent")
        finally:
            await admin.close()

    async def published(self, kind: type[EventT]) -> list[EventT]:
        async with self.runtime.pool.acquire() as conn:
            rows = await conn.fetch("SELECT value FROM outbox WHERE event_type = $1 ORDER BY id", kind.EVENT_TYPE)
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

    async def discard(self, letter: DeadLetter) -> None:
        if letter.consumer is None:
            raise ValueError(f"{letter.position} does not say which consumer gave it up")
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            await give_up(PostgresKeyHolds(), conn, letter, letter.consumer)
        await self.runtime.drain_released_holds()
