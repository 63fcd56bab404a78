"""A service's consumers on faststream's in-memory test broker and a `MemoryStore`.

The twin of `ServiceRuntime` for tests that need no Kafka and no PostgreSQL: the same
subscriptions, bound by the same `bind` to a `KafkaBroker` that `TestKafkaBroker` keeps in memory,
applied by the same `ConsumerEngine` (exactly once per consumer, dead letters for what cannot be
applied), with the service's in-memory unit of work joining the engine's transaction. What a test
delivers goes through the same encoding a producer's outbox row has; what the service publishes is
in the store's outbox, and `relay()` sends it on to the broker as the outbox relay would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker, TestKafkaBroker

from reloop_contracts import REGISTRY, Event, Registry
from reloop_shared.consumer.binding import bind
from reloop_shared.consumer.dead_letter_store import DeadLetter
from reloop_shared.consumer.dead_letters import dead_letter_headers
from reloop_shared.consumer.engine import ConsumerEngine
from reloop_shared.consumer.key_holds import give_up
from reloop_shared.consumer.subscription import Subscription
from reloop_shared.memory import EventT, MemoryProcessedEvents, MemoryStore, MemoryTransaction, T
from reloop_shared.outbox.writer import OutboxRow, OutboxWriter

U = TypeVar("U")
U_co = TypeVar("U_co", covariant=True)


class MemoryDeadLetters:
    """The dead-letter topics, as a list: each letter as `reloop dlq list` would read it."""

    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    async def send(
        self, record: ConsumerRecord[bytes, bytes], *, consumer: str, reason: str, error_type: str, attempts: int
    ) -> None:
        headers = dead_letter_headers(
            record, consumer=consumer, reason=reason, error_type=error_type, attempts=attempts
        )
        self.letters.append(
            DeadLetter(
                f"{record.topic}.dlq", record.partition, len(self.letters), record.key, record.value or b"", headers
            )
        )


class ServiceUnderTest(Protocol[U_co]):
    """What a messaging test drives, in memory or against the real broker and database
    (`reloop_localstack.connected_service.ConnectedService`): the same test body runs on both."""

    async def deliver(self, *events: Event, producer: str = "test", copies: int = 1) -> None:
        """Publish `events` as their producer would and return once every consumer of the service
        that takes them has applied them (or dead-lettered them). With `copies`, each event is
        sent that many times with the same event id, as a producer's retry or a redelivery would."""
        ...

    async def deliver_rows(self, rows: Sequence[OutboxRow]) -> None:
        """Publish records exactly as given (a tampered value, the same row twice) and return once
        the service's consumers have read them."""
        ...

    async def published(self, kind: type[EventT]) -> list[EventT]:
        """The events of one type the service committed to its outbox, in order."""
        ...

    async def dead_letters(self) -> list[DeadLetter]:
        """What the service's consumers gave up on, with the reason in the headers."""
        ...

    def unit_of_work(self) -> U_co:
        """A unit of work of its own transaction, to read (or arrange) the service's state."""
        ...

    async def discard(self, letter: DeadLetter) -> None:
        """Give up a dead letter as `reloop dlq discard` does, and return once the events of its key
        held behind it were applied, in order."""
        ...


class InMemoryService(Generic[T, U]):
    def __init__(
        self,
        store: MemoryStore[T],
        subscriptions: Sequence[Subscription[MemoryTransaction[T]]],
        unit_of_work: Callable[[MemoryStore[T]], U],
        *,
        registry: Registry = REGISTRY,
        producers: Registry | None = None,
        max_attempts_delay: float = 0.0,
    ) -> None:
        """`registry` is what the service reads with; `producers`, what the events it is given
        were declared in (by default the same: a service reading cut-down events gives both)."""
        self.store = store
        self.producers = producers or registry
        self._unit_of_work = unit_of_work
        self.registry = registry
        self.dead_letter_sink = MemoryDeadLetters()
        self.broker = KafkaBroker("memory://", logger=None)
        self._relayed = 0
        self._testing: TestKafkaBroker | None = None
        self.processed = MemoryProcessedEvents(store)
        self.engines = [
            ConsumerEngine(
                self.processed, subscription, registry, self.dead_letter_sink, retry_delay=max_attempts_delay
            )
            for subscription in subscriptions
        ]
        for engine in self.engines:
            bind(self.broker, engine)

    async def __aenter__(self) -> Self:
        self._testing = TestKafkaBroker(self.broker)
        await self._testing.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._testing is not None:
            await self._testing.__aexit__(exc_type, exc, tb)
            self._testing = None

    async def deliver(self, *events: Event, producer: str = "test", copies: int = 1) -> None:
        """Publish `events` as their producer's outbox would, and let the consumers apply them;
        what the service publishes meanwhile is relayed on, as the running relay would."""
        rows = OutboxWriter(producer, self.producers).rows(events)
        await self.deliver_rows([row for row in rows for _ in range(copies)])
        while await self.relay():
            pass

    async def published(self, kind: type[EventT]) -> list[EventT]:
        return self.store.published(kind)

    async def dead_letters(self) -> list[DeadLetter]:
        return list(self.dead_letter_sink.letters)

    def unit_of_work(self) -> U:
        return self._unit_of_work(self.store)

    async def discard(self, letter: DeadLetter) -> None:
        if letter.consumer is None:
            raise ValueError(f"{letter.position} does not say which consumer gave it up")
        async with self.store.transaction() as tx:
            await give_up(self.processed, tx, letter, letter.consumer)
        for engine in self.engines:
            await engine.key_order.drain_every_released()
        while await self.relay():
            pass

    async def deliver_rows(self, rows: Sequence[OutboxRow]) -> None:
        await self._publish(rows)
        while await self.relay():
            pass

    async def _publish(self, rows: Sequence[OutboxRow]) -> None:
        for row in rows:
            await self.broker.publish(row.value, row.topic, key=row.key.encode(), headers=row.headers)

    async def relay(self) -> list[OutboxRow]:
        """Send the outbox rows committed since the last relay to the broker, in order, as the
        relay would; the service's own subscribers receive them like any other consumer."""
        rows = self.store.outbox[self._relayed :]
        self._relayed = len(self.store.outbox)
        await self._publish(rows)
        return rows
