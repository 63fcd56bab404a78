"""What a consumer group listens to and how it applies what it receives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple
from uuid import UUID

from aiokafka.structs import ConsumerRecord
from typing_extensions import TypeVar

from reloop_contracts import EnvelopeHeader, Event, TopicSpec
from reloop_shared.consumer.event_spans import event_span, traced_batch
from reloop_shared.context import flow
from reloop_shared.db.types import Connection


class Delivery(NamedTuple):
    """One consumed event, decoded, with where it came from.

    A named tuple: a consumer builds one for every record it reads, and a tuple costs half of
    a frozen dataclass to build. The event id is the envelope's, copied once: the engine reads
    it several times per event."""

    topic: str
    partition: int
    offset: int
    key: str | None
    headers: dict[str, str]
    envelope: EnvelopeHeader
    event: Event
    event_id: UUID
    record: ConsumerRecord[bytes, bytes] | None = None


Tx = TypeVar("Tx", default=Connection)
"""The consuming transaction handlers join: a PostgreSQL connection in a service, a memory
transaction in a twin (`reloop_shared.memory`)."""

EventHandler = Callable[[Any, EnvelopeHeader, Tx], Awaitable[None]]
"""Applies one event inside the consuming transaction (the connection is already in it)."""

BatchHandler = Callable[[Sequence[Delivery], Tx], Awaitable[None]]
"""Applies several events, in order, inside one consuming transaction."""

AfterCommit = Callable[[Sequence[Delivery]], Awaitable[None]]
"""Told which events were applied once their transaction committed (wake waiters, measure)."""


@dataclass(frozen=True)
class Subscription(Generic[Tx]):
    consumer: str
    topics: tuple[TopicSpec, ...]
    accepts: frozenset[type[Event]]
    apply: BatchHandler[Tx]
    max_attempts: int = 3
    after_commit: AfterCommit | None = None

    @classmethod
    def per_event(
        cls,
        consumer: str,
        topics: Sequence[TopicSpec],
        handlers: Mapping[type[Event], EventHandler[Tx]],
        *,
        max_attempts: int = 3,
        after_commit: AfterCommit | None = None,
    ) -> Subscription[Tx]:
        """The usual shape: one handler per event type; events of other types are skipped."""
        return cls(
            consumer=consumer,
            topics=tuple(topics),
            accepts=frozenset(handlers),
            apply=_one_by_one(consumer, dict(handlers)),
            max_attempts=max_attempts,
            after_commit=after_commit,
        )

    @classmethod
    def batched(
        cls,
        consumer: str,
        topics: Sequence[TopicSpec],
        accepts: Sequence[type[Event]],
        apply: BatchHandler[Tx],
        *,
        max_attempts: int = 3,
        after_commit: AfterCommit | None = None,
    ) -> Subscription[Tx]:
        """For projections that pay to apply many events with a few statements."""
        return cls(
            consumer, tuple(topics), frozenset(accepts), traced_batch(consumer, apply), max_attempts, after_commit
        )

    @property
    def topic_names(self) -> list[str]:
        return [t.name for t in self.topics]


def _one_by_one(consumer: str, handlers: dict[type[Event], EventHandler[Tx]]) -> BatchHandler[Tx]:
    async def apply(deliveries: Sequence[Delivery], tx: Tx) -> None:
        for delivery in deliveries:
            handler = handlers[type(delivery.event)]
            with flow(delivery.envelope.correlation_id, str(delivery.event_id)), event_span(consumer, delivery):
                await handler(delivery.event, delivery.envelope, tx)

    return apply
